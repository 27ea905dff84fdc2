//! SQS queues: what waits, what is in flight, and the dead-letter queue with its depth; purge,
//! and redrive the dead letters.

use super::{Act, Builtin, Detail, Mutation, Named, Rules, SysEvent};
use crate::model::{Resource, Risk};
use serde::{Deserialize, Serialize};

/// An SQS queue: what waits, what is being worked on, and its dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SqsDetail {
    pub url: String,
    /// ApproximateNumberOfMessages: waiting to be received.
    pub visible: i64,
    /// ApproximateNumberOfMessagesNotVisible: received, not yet deleted.
    pub in_flight: i64,
    /// ApproximateNumberOfMessagesDelayed.
    pub delayed: i64,
    /// The dead-letter queue of its redrive policy, and how many messages wait there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_depth: Option<i64>,
    /// This queue is the dead-letter queue of that one: what waits here are failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_of: Option<String>,
    /// ARNs, for a redrive from the dead-letter queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_arn: Option<String>,
}

/// An SQS queue.
pub struct Sqs;

/// What the SQS built-in actions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqsMutation {
    /// Deletes every message of a queue: they cannot be brought back.
    PurgeQueue { queue: String, url: String },
    /// Moves the messages of a dead-letter queue back to the queue they came from.
    RedriveQueue {
        queue: String,
        dlq_arn: String,
        queue_arn: String,
    },
}

impl Act for SqsMutation {
    fn describe(&self) -> String {
        match self {
            SqsMutation::PurgeQueue { url, .. } => format!("SQS PurgeQueue queueUrl={url}"),
            SqsMutation::RedriveQueue {
                dlq_arn, queue_arn, ..
            } => format!("SQS StartMessageMoveTask sourceArn={dlq_arn} destinationArn={queue_arn}"),
        }
    }

    fn target(&self) -> &str {
        match self {
            SqsMutation::PurgeQueue { queue, .. } | SqsMutation::RedriveQueue { queue, .. } => {
                queue
            }
        }
    }

    fn risk(&self) -> Risk {
        match self {
            SqsMutation::PurgeQueue { .. } => Risk::Destructive,
            SqsMutation::RedriveQueue { .. } => Risk::Write,
        }
    }
}

impl Rules for Sqs {
    type Detail = SqsDetail;
    type Mutation = SqsMutation;
    const RATED: bool = false;
    const NAMED: Option<Named> = Some(Named {
        flags: &[("sqs", "--queue-url"), ("sqs", "--queue-name")],
        key: "sqs_queues",
        title: "SQS queues",
    });

    fn detail_line(_r: &Resource, d: &SqsDetail) -> String {
        let dlq = match (&d.dlq, d.dlq_depth) {
            (Some(q), Some(n)) => format!(" · dead letters in {q}: {n}"),
            (Some(q), None) => format!(" · dead-letter queue {q} unreadable"),
            _ => " · no dead-letter queue".into(),
        };
        format!("{}{dlq}", d.url)
    }

    fn builtins(r: &Resource, d: &SqsDetail, _now_ms: i64) -> Vec<Builtin> {
        let queue = r.name.clone();
        let mut out = vec![Builtin::confirm(
            format!(
                "SQS › Purge {queue}: delete every message ({} waiting)",
                d.visible
            ),
            format!(
                "Purge {queue}: delete its {} waiting messages for good",
                d.visible
            ),
            Mutation::Sqs(SqsMutation::PurgeQueue {
                queue: queue.clone(),
                url: d.url.clone(),
            }),
        )];
        if let (Some(dlq), Some(dlq_arn), Some(queue_arn)) = (&d.dlq, &d.dlq_arn, &d.arn) {
            let depth = d.dlq_depth.unwrap_or(0);
            out.push(Builtin::confirm(
                format!("SQS › Redrive {dlq} back to {queue} ({depth} messages)"),
                format!("Move the {depth} messages of {dlq} back to {queue}"),
                Mutation::Sqs(SqsMutation::RedriveQueue {
                    queue,
                    dlq_arn: dlq_arn.clone(),
                    queue_arn: queue_arn.clone(),
                }),
            ));
        }
        out
    }

    fn events(_o: &Resource, a: &SqsDetail, n: &Resource, b: &SqsDetail) -> Vec<SysEvent> {
        let name = n.display_name();
        let (x, y) = (a.dlq_depth.unwrap_or(0), b.dlq_depth.unwrap_or(0));
        if x == 0 && y > 0 {
            return vec![SysEvent::new(
                &name,
                format!("{x} dead letters"),
                format!("{y} dead letters"),
                format!(
                    "SQS {name}: first dead letters ({y} in {})",
                    b.dlq.as_deref().unwrap_or("its DLQ")
                ),
            )];
        }
        Vec::new()
    }

    fn snapshot(d: &SqsDetail, put: &mut dyn FnMut(&str, serde_json::Value)) {
        put("url", serde_json::json!(d.url));
    }
}

impl Resource {
    /// A row for queue `name` at `url`, health unknown until read.
    pub fn sqs(name: impl Into<String>, url: impl Into<String>) -> Self {
        let url = url.into();
        Resource::new(
            url.clone(),
            name,
            Detail::Sqs(SqsDetail {
                url,
                ..SqsDetail::default()
            }),
        )
    }

    pub fn sqs_detail(&self) -> Option<&SqsDetail> {
        match &self.detail {
            Detail::Sqs(d) => Some(d),
            _ => None,
        }
    }
}

//! SQS: ListQueues (paginated, for discovery) and GetQueueAttributes per queue at the queue
//! refresh interval, mapped to rows with what waits, what is in flight and the depth of the
//! dead-letter queue named by the redrive policy.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Health, Resource, ResourceKind, SqsDetail};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;
use futures::future::BoxFuture;
use std::collections::HashMap;

/// Backlog levels of the health rule: messages waiting, and dead letters.
pub const BACKLOG_WARN: i64 = 1_000;
pub const BACKLOG_CRIT: i64 = 10_000;
pub const DLQ_CRIT: i64 = 100;

/// A queue's name from its URL or ARN (the last `/` or `:` segment).
pub fn name_of(url_or_arn: &str) -> String {
    url_or_arn
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(url_or_arn)
        .to_string()
}

/// Every queue URL (paginated).
pub async fn list_queues(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    // With MaxResults the API pages (without it, it stops at 1 000 queues).
    let mut pages = c.list_queues().max_results(1000).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(AwsError::from)?;
        out.extend(page.queue_urls().iter().cloned());
    }
    Ok(out)
}

/// A queue named by URL (`https://…`) or by name (looked up with GetQueueUrl).
pub async fn url_of(c: &Client, queue: &str) -> AwsResult<String> {
    if queue.starts_with("http://") || queue.starts_with("https://") {
        return Ok(queue.to_string());
    }
    let r = c
        .get_queue_url()
        .queue_name(queue)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(queue))?;
    r.queue_url()
        .map(str::to_string)
        .ok_or_else(|| AwsError::from(format!("{queue}: no URL")))
}

async fn attributes(c: &Client, url: &str) -> AwsResult<HashMap<String, String>> {
    let r = c
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(name_of(url)))?;
    Ok(r.attributes()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                .collect()
        })
        .unwrap_or_default())
}

/// The dead-letter queue's ARN from a redrive policy (`{"deadLetterTargetArn": …}`).
pub fn dlq_arn(attrs: &HashMap<String, String>) -> Option<String> {
    let policy = attrs.get("RedrivePolicy")?;
    let v: serde_json::Value = serde_json::from_str(policy).ok()?;
    v.get("deadLetterTargetArn")?.as_str().map(str::to_string)
}

/// One queue's row: its attributes, then its dead-letter queue's depth.
pub async fn fetch(c: &Client, url: &str) -> AwsResult<Resource> {
    let attrs = attributes(c, url).await?;
    let mut d = detail(url, &attrs);
    if let Some(arn) = &d.dlq_arn {
        let dlq = name_of(arn);
        // The DLQ lives in the same account and region as the queue in the usual setup; its
        // URL is asked for by name so a DLQ in another account shows as unknown, not wrong.
        d.dlq_depth = match url_of(c, &dlq).await {
            Ok(u) => attributes(c, &u)
                .await
                .ok()
                .map(|a| num(&a, "ApproximateNumberOfMessages")),
            Err(_) => None,
        };
        d.dlq = Some(dlq);
    }
    Ok(row(&name_of(url), d))
}

fn num(attrs: &HashMap<String, String>, k: &str) -> i64 {
    attrs.get(k).and_then(|v| v.parse().ok()).unwrap_or(0)
}

pub fn detail(url: &str, attrs: &HashMap<String, String>) -> SqsDetail {
    SqsDetail {
        url: url.to_string(),
        visible: num(attrs, "ApproximateNumberOfMessages"),
        in_flight: num(attrs, "ApproximateNumberOfMessagesNotVisible"),
        delayed: num(attrs, "ApproximateNumberOfMessagesDelayed"),
        dlq: None,
        dlq_depth: None,
        dead_letter_of: None,
        arn: attrs.get("QueueArn").cloned(),
        dlq_arn: dlq_arn(attrs),
    }
}

/// A queue row. Health: dead letters are failures someone must look at (warn from one,
/// crit from 100); a backlog of 1 000 waiting messages warns, 10 000 is critical. The age
/// of the oldest message comes from CloudWatch (ApproximateAgeOfOldestMessage, a metric
/// with its own thresholds).
pub fn row(name: &str, d: SqsDetail) -> Resource {
    let mut r = Resource::sqs(name, d.url.clone());
    let mut status = format!("{} waiting · {} in flight", d.visible, d.in_flight);
    if d.delayed > 0 {
        status.push_str(&format!(" · {} delayed", d.delayed));
    }
    match (&d.dlq, d.dlq_depth) {
        (Some(q), Some(n)) => status.push_str(&format!(" · DLQ {q} {n}")),
        (Some(q), None) => status.push_str(&format!(" · DLQ {q} ?")),
        _ => {}
    }
    if let Some(of) = &d.dead_letter_of {
        status = format!("dead letters of {of} · {status}");
    }
    // In a dead-letter queue, what waits are failures.
    let dead = if d.dead_letter_of.is_some() {
        d.visible
    } else {
        d.dlq_depth.unwrap_or(0)
    };
    r.health = if dead >= DLQ_CRIT || d.visible >= BACKLOG_CRIT {
        Health::Crit
    } else if dead > 0 || d.visible >= BACKLOG_WARN {
        Health::Warn
    } else {
        Health::Ok
    };
    r.status = status;
    r.detail = crate::model::Detail::Sqs(d);
    r
}

/// Marks the rows that are another row's dead-letter queue, and rates them as such.
pub fn mark_dead_letter_queues(rows: &mut [Resource]) {
    let targets: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| {
            let d = r.sqs_detail()?;
            Some((d.dlq_arn.clone()?, r.name.clone()))
        })
        .collect();
    for r in rows.iter_mut() {
        let Some(d) = r.sqs_detail() else { continue };
        let Some(arn) = &d.arn else { continue };
        if let Some((_, of)) = targets.iter().find(|(dlq, _)| dlq == arn) {
            let mut d = d.clone();
            d.dead_letter_of = Some(of.clone());
            *r = row(&r.name.clone(), d);
        }
    }
}

/// A queue that could not be read: its name and why, health unknown.
pub fn error_row(queue: &str, error: &str) -> Resource {
    let mut r = Resource::sqs(name_of(queue), queue);
    r.status = error.to_string();
    r.health = Health::Unknown;
    r
}

/// SQS queues: GetQueueAttributes per queue (and per dead-letter queue) per refresh.
pub struct Sqs;

impl Kind for Sqs {
    fn refresh_ms(&self, r: &crate::config::Refresh) -> i64 {
        r.sqs_ms
    }

    fn apply<'a>(
        &'a self,
        c: &'a super::Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<futures::future::BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Sqs(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }

    fn kind(&self) -> ResourceKind {
        ResourceKind::Sqs
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.queues.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list_queues(&c.sqs))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let (c, now_ms, memo) = (cx.c, cx.now_ms, cx.memo);
        Box::pin(async move {
            let mut out = Vec::new();
            for q in targets {
                // A queue's URL never changes: asked for once.
                let url = memo
                    .or_ask(&format!("url {q}"), i64::MAX, now_ms, url_of(&c.sqs, q))
                    .await;
                let row = match url {
                    Ok(url) => fetch(&c.sqs, &url).await.map(|r| vec![r]),
                    Err(e) => Err(e),
                };
                out.push((q.clone(), row));
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    fn finish(&self, rows: &mut [Resource]) {
        mark_dead_letter_queues(rows);
    }

    /// How long the oldest message has waited (minutes of it mean consumers are stuck or too
    /// few), for queues that are not dead-letter queues.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        rows.iter()
            .filter(|r| {
                r.sqs_detail()
                    .is_some_and(|d| d.dead_letter_of.is_none() && d.arn.is_some())
            })
            .map(|r| {
                metric(
                    format!("{} oldest", r.name),
                    "AWS/SQS",
                    "ApproximateAgeOfOldestMessage",
                    &[("QueueName", &r.name)],
                    "Maximum",
                    Some("s"),
                    above(300.0, 900.0),
                )
            })
            .collect()
    }
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::SqsMutation,
) -> AwsResult<String> {
    use crate::sources::SqsMutation;
    let sqs = &c.sqs;
    match m {
        SqsMutation::PurgeQueue { queue, url } => {
            sqs.purge_queue()
                .queue_url(url)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!("{queue}: purged"))
        }
        SqsMutation::RedriveQueue {
            queue,
            dlq_arn,
            queue_arn,
        } => {
            let r = sqs
                .start_message_move_task()
                .source_arn(dlq_arn)
                .destination_arn(queue_arn)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!(
                "{queue}: redrive from {} started (task {})",
                name_of(dlq_arn),
                r.task_handle().unwrap_or("?")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_count_backlog_and_dead_letters() {
        let a = attrs(&[
            ("ApproximateNumberOfMessages", "12"),
            ("ApproximateNumberOfMessagesNotVisible", "3"),
            ("QueueArn", "arn:aws:sqs:eu-west-1:123456789012:orders"),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:orders-dlq","maxReceiveCount":5}"#,
            ),
        ]);
        let mut d = detail(
            "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
            &a,
        );
        assert_eq!((d.visible, d.in_flight), (12, 3));
        assert_eq!(
            d.dlq_arn.as_deref(),
            Some("arn:aws:sqs:eu-west-1:123456789012:orders-dlq")
        );
        d.dlq = Some("orders-dlq".into());
        d.dlq_depth = Some(0);
        let r = row("orders", d.clone());
        assert_eq!(r.health, Health::Ok);
        assert_eq!(r.status, "12 waiting · 3 in flight · DLQ orders-dlq 0");
        d.dlq_depth = Some(4);
        assert_eq!(row("orders", d.clone()).health, Health::Warn);
        d.dlq_depth = Some(150);
        assert_eq!(row("orders", d.clone()).health, Health::Crit);
        d.dlq_depth = Some(0);
        d.visible = 20_000;
        assert_eq!(row("orders", d).health, Health::Crit);
        // The dead-letter queue itself: what waits there are failures.
        let dlq = |n: &str| SqsDetail {
            url: "https://sqs.eu-west-1.amazonaws.com/1/orders-dlq".into(),
            visible: n.parse().unwrap(),
            arn: Some("arn:aws:sqs:eu-west-1:123456789012:orders-dlq".into()),
            ..SqsDetail::default()
        };
        let mut rows = vec![
            row(
                "orders",
                detail("https://sqs.eu-west-1.amazonaws.com/1/orders", &a),
            ),
            row("orders-dlq", dlq("7")),
        ];
        assert_eq!(
            rows[1].health,
            Health::Ok,
            "alone, 7 messages are no backlog"
        );
        mark_dead_letter_queues(&mut rows);
        assert_eq!(rows[1].health, Health::Warn);
        assert_eq!(
            rows[1].status,
            "dead letters of orders · 7 waiting · 0 in flight"
        );
        assert_eq!(
            name_of("https://sqs.eu-west-1.amazonaws.com/1/orders"),
            "orders"
        );
        assert_eq!(name_of("arn:aws:sqs:eu-west-1:1:orders-dlq"), "orders-dlq");
        // The age of the oldest message is charted for the queue, not for its DLQ.
        let m = Sqs.metrics(&rows);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].label, "orders oldest");
        assert_eq!(m[0].key.metric, "ApproximateAgeOfOldestMessage");
        assert_eq!(m[0].key.stat, "Maximum");
        assert_eq!(
            (m[0].thresholds.warn, m[0].thresholds.crit),
            (Some(300.0), Some(900.0))
        );
    }
}

//! The boundary between the cockpit and where data comes from. The cockpit only sees
//! [`SourceEvent`]s on a bounded channel and sends [`SourceCommand`]s back; it cannot tell the
//! embedded demo fleet from AWS.

pub mod aws;
pub mod demo;
pub mod recording;
pub mod replay;

use crate::model::{Alarm, LogEvent, MetricKey, MetricSeries, Resource};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Capacity of the source → cockpit channel. Sources block (back-pressure) rather than grow
/// memory when the UI falls behind.
pub const EVENT_CHANNEL: usize = 1024;
pub const COMMAND_CHANNEL: usize = 64;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// Replaces every row previously delivered by this feed.
    Services(Vec<Resource>),
    /// Full series definitions with history; replaces the feed's series.
    MetricSeries(Vec<MetricSeries>),
    /// New points for known series.
    MetricPoints(Vec<(MetricKey, Vec<(i64, f64)>)>),
    Alarms(Vec<Alarm>),
    Logs(Vec<LogEvent>),
    /// Lines from the groups that answered, and the error of those that did not: one
    /// delivery, so the error never flickers out between the two.
    LogsPartial {
        events: Vec<LogEvent>,
        error: String,
    },
    /// The feed failed this time; its last data stays on screen with its age.
    Error(String),
    /// Something the operator should know that is not a failure (a discovery cap).
    Note(String),
    /// Outcome of a `SourceCommand::LogsQuery`: rows as log lines of group `insights`.
    Insights {
        query: String,
        result: Result<Vec<LogEvent>, String>,
    },
    /// Outcome of a `SourceCommand::Mutate`.
    ActionResult {
        id: u64,
        result: Result<String, String>,
    },
    /// A replay's position (feed `replay`): the cockpit's clock follows it.
    Replay(ReplayClock),
    /// A replay jumped: forget every feed's data; what was true at the new position follows.
    Reset,
    /// The timeline as it was recorded (system events and operator actions), appended.
    Journal(Vec<crate::journal::Entry>),
    /// A context of several finished connecting (each connects on its own, so one that is
    /// slow to answer delays no other): what STS and its configuration said.
    Connected(ContextInfo),
}

/// A context as connecting found it: its account (STS, or its role's), its region (the
/// profile's when none was given) and what a runbook step gets to act on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContextInfo {
    pub account: Option<String>,
    pub region: Option<String>,
    pub env: std::collections::BTreeMap<String, String>,
}

/// Where a replay is: the recorded time shown, its bounds, speed and whether it plays.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplayClock {
    pub at_ms: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub speed: f64,
    pub paused: bool,
}

/// What the replay keys ask of a replay source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplayControl {
    TogglePause,
    /// Relative jump, in ms of recorded time.
    Seek(i64),
    /// To this recorded time.
    SeekTo(i64),
    Faster,
    Slower,
}

/// What delivered a payload: the status bar and pane titles show each feed's age and
/// errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feed {
    /// The rows of one resource kind (ECS services, Lambda functions, health checks, SQS…).
    Kind(crate::model::ResourceKind),
    Metrics,
    Alarms,
    Logs,
    /// Results of built-in actions.
    Actions,
    /// Results of Logs Insights queries.
    Insights,
    /// A replay's clock and jumps.
    Replay,
}

impl Feed {
    pub const ECS: Feed = Feed::Kind(crate::model::ResourceKind::Ecs);
    pub const LAMBDA: Feed = Feed::Kind(crate::model::ResourceKind::Lambda);
    pub const HEALTH: Feed = Feed::Kind(crate::model::ResourceKind::Http);

    pub fn name(self) -> &'static str {
        match self {
            Feed::Kind(k) => k.name(),
            Feed::Metrics => "metrics",
            Feed::Alarms => "alarms",
            Feed::Logs => "logs",
            Feed::Actions => "actions",
            Feed::Insights => "insights",
            Feed::Replay => "replay",
        }
    }

    /// The feed a name stands for (recordings and `snapshot --format json` use names).
    pub fn from_name(s: &str) -> Option<Feed> {
        let fixed = [
            Feed::Metrics,
            Feed::Alarms,
            Feed::Logs,
            Feed::Actions,
            Feed::Insights,
            Feed::Replay,
        ];
        fixed
            .into_iter()
            .chain(
                crate::model::ResourceKind::ALL
                    .iter()
                    .map(|k| Feed::Kind(*k)),
            )
            .find(|f| f.name() == s)
    }
}

impl<'de> serde::Deserialize<'de> for Feed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Feed::from_name(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown feed `{s}`")))
    }
}

impl serde::Serialize for Feed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl Feed {
    /// Whether the feed delivers rows of the services pane.
    pub fn rows(self) -> bool {
        matches!(self, Feed::Kind(_))
    }
}

impl std::fmt::Display for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A feed of one context: the cockpit keeps each context's feeds apart (their rows, ages
/// and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedId {
    pub ctx: u16,
    pub feed: Feed,
}

impl From<Feed> for FeedId {
    fn from(feed: Feed) -> Self {
        FeedId { ctx: 0, feed }
    }
}

impl SourceEvent {
    pub fn feed_id(&self) -> FeedId {
        FeedId {
            ctx: self.ctx,
            feed: self.feed,
        }
    }
}

/// One delivery from a feed. `feed` names what failed or refreshed (`ecs`, `lambda`,
/// `health`, `metrics`, `alarms`, `logs`) so the status bar and pane titles can show the age
/// and errors of each.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceEvent {
    /// Which watched AWS context delivered it (an index into the cockpit's contexts; 0 when
    /// there is one).
    pub ctx: u16,
    pub feed: Feed,
    pub at_ms: i64,
    pub payload: Payload,
}

/// Metric time windows the metrics pane switches between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    #[default]
    M15,
    H1,
    H3,
    H12,
}

impl Window {
    pub const ALL: [Window; 4] = [Window::M15, Window::H1, Window::H3, Window::H12];

    pub fn millis(self) -> i64 {
        match self {
            Window::M15 => 15 * 60_000,
            Window::H1 => 3_600_000,
            Window::H3 => 3 * 3_600_000,
            Window::H12 => 12 * 3_600_000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::M15 => "15m",
            Window::H1 => "1h",
            Window::H3 => "3h",
            Window::H12 => "12h",
        }
    }

    pub fn step(self, forward: bool) -> Window {
        let i = Window::ALL.iter().position(|w| *w == self).unwrap_or(0) as i64;
        let n = Window::ALL.len() as i64;
        Window::ALL[(i + if forward { 1 } else { -1 }).rem_euclid(n) as usize]
    }
}

pub use crate::model::Mutation;
pub use crate::model::kinds::{
    dynamodb::DynamodbMutation, ecs::EcsMutation, elasticache::ElasticacheMutation,
    lambda::LambdaMutation, rds::RdsMutation, sfn::SfnMutation, sqs::SqsMutation,
};

#[derive(Debug, Clone, PartialEq)]
pub enum SourceCommand {
    SetMetricWindow(Window),
    /// Apply a change; the outcome comes back as a `Payload::ActionResult` on feed `actions`.
    Mutate {
        id: u64,
        mutation: Mutation,
        /// The context whose clients act (the selected row's).
        ctx: u16,
    },
    /// A Logs Insights query from `since_ms` to now over `groups` (empty: the watched
    /// groups); the rows come back as `Payload::Insights` on feed `insights`.
    LogsQuery {
        query: String,
        since_ms: i64,
        groups: Vec<String>,
        /// The context queried.
        ctx: u16,
    },
    /// Pause, seek, speed: only a replay source answers.
    Replay(ReplayControl),
    /// The row the operator has selected (its id) in context `ctx`: a live source keeps it
    /// fresh at its feed's pace, as if it were changing.
    Focus {
        ctx: u16,
        id: String,
    },
}

/// What a source tells the cockpit about itself before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// Status bar label: `demo · seed 42`, or `profile · region · account`.
    pub label: String,
    /// The feeds it delivers and how often (ms), to judge staleness.
    pub feeds: Vec<(Feed, i64)>,
}

pub trait DataSource: Send + 'static {
    fn info(&self) -> SourceInfo;
    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()>;
}

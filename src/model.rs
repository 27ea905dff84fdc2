//! The data model shared by sources, the application state, the views and `snapshot --format
//! json`. Field names here are a public contract (tests and scripts read the JSON): add
//! fields, never rename.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Health as shown everywhere: by colour role *and* by symbol, so it reads in monochrome.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Crit,
    Warn,
    #[default]
    Unknown,
    Ok,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warn => "warn",
            Health::Crit => "crit",
            Health::Unknown => "unknown",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Health::Ok => "✓",
            Health::Warn => "⚠",
            Health::Crit => "✗",
            Health::Unknown => "?",
        }
    }

    /// Severity rank for sorting: the worst first.
    pub fn rank(self) -> u8 {
        match self {
            Health::Crit => 0,
            Health::Warn => 1,
            Health::Unknown => 2,
            Health::Ok => 3,
        }
    }

    pub fn worst(self, other: Health) -> Health {
        if other.rank() < self.rank() {
            other
        } else {
            self
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Ecs,
    Lambda,
    Http,
    Sqs,
    Rds,
    Dynamodb,
    /// A load balancer target group.
    Elb,
    /// A Step Functions state machine.
    Sfn,
    /// An ElastiCache (Redis/Valkey) replication group.
    Elasticache,
    /// An API Gateway stage, seen through CloudWatch.
    Apigateway,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Ecs => "ECS",
            ResourceKind::Lambda => "λ",
            ResourceKind::Http => "HTTP",
            ResourceKind::Sqs => "SQS",
            ResourceKind::Rds => "RDS",
            ResourceKind::Dynamodb => "DDB",
            ResourceKind::Elb => "ELB",
            ResourceKind::Sfn => "SFN",
            ResourceKind::Elasticache => "REDIS",
            ResourceKind::Apigateway => "APIGW",
        }
    }

    /// The feed name (`sqs`, `rds`…), as the status bar and `[refresh]` say it.
    pub const ALL: &'static [ResourceKind] = &[
        ResourceKind::Ecs,
        ResourceKind::Lambda,
        ResourceKind::Http,
        ResourceKind::Sqs,
        ResourceKind::Rds,
        ResourceKind::Dynamodb,
        ResourceKind::Elb,
        ResourceKind::Sfn,
        ResourceKind::Elasticache,
        ResourceKind::Apigateway,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Ecs => "ecs",
            ResourceKind::Lambda => "lambda",
            ResourceKind::Http => "health",
            ResourceKind::Sqs => "sqs",
            ResourceKind::Rds => "rds",
            ResourceKind::Dynamodb => "dynamodb",
            ResourceKind::Elb => "elb",
            ResourceKind::Sfn => "sfn",
            ResourceKind::Elasticache => "elasticache",
            ResourceKind::Apigateway => "apigateway",
        }
    }
}

/// A Lambda alias and the version it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub version: String,
}

impl Alias {
    /// `live→v12`, as the services pane shows it.
    pub fn label(&self) -> String {
        format!("{}→v{}", self.name, self.version)
    }
}

/// Task counts of a resource that runs copies of itself (ECS: desired / running / pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Counts {
    pub desired: i64,
    pub running: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EcsDetail {
    pub cluster: String,
    /// The task definition the primary deployment runs (`api:42`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// The latest service event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LambdaDetail {
    /// What takes traffic, as shown: `live→v12` or `$LATEST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The alias that takes traffic and the version it points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// Every alias, when there are several (the row shows the main one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Published versions, for choosing an alias target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HttpDetail {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

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

/// An RDS DB instance, or an Aurora cluster (`cluster_members` set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RdsDetail {
    /// `available`, `modifying`, `rebooting`, `failing-over`, `storage-full`…
    pub status: String,
    pub engine: String,
    /// `writer`, `reader`, `replica of X`, `standalone`, or `cluster` for a cluster row.
    pub role: String,
    /// The Aurora cluster an instance belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub multi_az: bool,
    /// A cluster row: its members, the writer first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_members: Vec<String>,
    /// Pending maintenance actions (`system-update`…), when the API told.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_maintenance: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_class: Option<String>,
    /// Allocated storage (GiB) of an instance outside Aurora, for the free-storage levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_gib: Option<i64>,
}

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DynamodbDetail {
    pub status: String,
    /// `PAY_PER_REQUEST` or `PROVISIONED`.
    pub billing_mode: String,
    pub item_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_capacity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_capacity: Option<i64>,
    /// Point-in-time recovery on; `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pitr: Option<bool>,
    /// When the latest on-demand backup was made (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_backup_ms: Option<i64>,
}

/// A load balancer target group and the health of its targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ElbDetail {
    pub arn: String,
    /// The load balancers it serves (names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<String>,
    pub healthy: i64,
    pub unhealthy: i64,
    pub draining: i64,
    /// Registering (initial), unused, unavailable…
    pub other: i64,
    /// `target: reason (description)` of every target not healthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// A Step Functions state machine and its recent executions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SfnDetail {
    pub arn: String,
    pub running: i64,
    /// Failed, timed out and aborted in the window (the last hour).
    pub failed: i64,
    pub timed_out: i64,
    pub aborted: i64,
    /// The running executions, oldest first (for stopping one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub running_arns: Vec<String>,
    /// The latest failed execution: its ARN, error and cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<SfnFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SfnFailure {
    pub execution_arn: String,
    pub name: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// An ElastiCache (Redis/Valkey) replication group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ElasticacheDetail {
    pub status: String,
    /// The node group (shard) ids; a non-clustered group has one, `0001`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_groups: Vec<String>,
    /// The cache cluster ids of the primaries and of the replicas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primaries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<String>,
    /// `enabled`, `disabled`, `enabling`, `disabling`.
    pub automatic_failover: String,
    pub multi_az: bool,
}

/// An API Gateway stage: REST (ApiName) or HTTP/WebSocket (ApiId) as CloudWatch names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApigatewayDetail {
    /// The dimension naming the API: `ApiName` (REST) or `ApiId` (HTTP).
    pub dimension: String,
    pub api: String,
    pub stage: String,
}

/// What only one kind has: one variant per kind, never optional fields for every kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Detail {
    Ecs(EcsDetail),
    Lambda(LambdaDetail),
    Http(HttpDetail),
    Sqs(SqsDetail),
    Rds(RdsDetail),
    Dynamodb(DynamodbDetail),
    Elb(ElbDetail),
    Sfn(SfnDetail),
    Elasticache(ElasticacheDetail),
    Apigateway(ApigatewayDetail),
}

impl Detail {
    /// The kind this detail belongs to.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Detail::Ecs(_) => ResourceKind::Ecs,
            Detail::Lambda(_) => ResourceKind::Lambda,
            Detail::Http(_) => ResourceKind::Http,
            Detail::Sqs(_) => ResourceKind::Sqs,
            Detail::Rds(_) => ResourceKind::Rds,
            Detail::Dynamodb(_) => ResourceKind::Dynamodb,
            Detail::Elb(_) => ResourceKind::Elb,
            Detail::Sfn(_) => ResourceKind::Sfn,
            Detail::Elasticache(_) => ResourceKind::Elasticache,
            Detail::Apigateway(_) => ResourceKind::Apigateway,
        }
    }
}

/// One row of the services pane, whatever its kind: identity, where it lives, health, a
/// short status, counts where they apply, and the kind's own detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ResourceRepr")]
pub struct Resource {
    pub kind: ResourceKind,
    /// Stable identity within its kind and context (`cluster/service`, a function name, a
    /// URL): keeps the selection on the same row across refreshes.
    pub id: String,
    pub name: String,
    /// The AWS context (region/account label) it was seen in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub health: Health,
    /// Short state text: ECS rollout state, Lambda state, or HTTP status line.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    pub detail: Detail,
    /// Health and status as the source said them, before its metrics rated the row (see
    /// [`Resource::rate_by_metrics`]).
    #[serde(skip)]
    pub source_rating: Option<(Health, String)>,
}

/// A row as written (recordings): `detail` is read by the row's `kind`, since the untagged
/// details cannot tell themselves apart.
#[derive(Deserialize)]
struct ResourceRepr {
    kind: ResourceKind,
    id: String,
    name: String,
    #[serde(default)]
    context: Option<String>,
    health: Health,
    status: String,
    #[serde(default)]
    counts: Option<Counts>,
    detail: serde_json::Value,
}

impl TryFrom<ResourceRepr> for Resource {
    type Error = serde_json::Error;

    fn try_from(r: ResourceRepr) -> Result<Self, Self::Error> {
        use serde_json::from_value as v;
        let d = r.detail;
        let detail = match r.kind {
            ResourceKind::Ecs => Detail::Ecs(v(d)?),
            ResourceKind::Lambda => Detail::Lambda(v(d)?),
            ResourceKind::Http => Detail::Http(v(d)?),
            ResourceKind::Sqs => Detail::Sqs(v(d)?),
            ResourceKind::Rds => Detail::Rds(v(d)?),
            ResourceKind::Dynamodb => Detail::Dynamodb(v(d)?),
            ResourceKind::Elb => Detail::Elb(v(d)?),
            ResourceKind::Sfn => Detail::Sfn(v(d)?),
            ResourceKind::Elasticache => Detail::Elasticache(v(d)?),
            ResourceKind::Apigateway => Detail::Apigateway(v(d)?),
        };
        Ok(Resource {
            kind: r.kind,
            id: r.id,
            name: r.name,
            context: r.context,
            health: r.health,
            status: r.status,
            counts: r.counts,
            detail,
            source_rating: None,
        })
    }
}

impl Resource {
    pub fn ecs(cluster: impl Into<String>, name: impl Into<String>) -> Self {
        let (cluster, name) = (cluster.into(), name.into());
        Resource {
            kind: ResourceKind::Ecs,
            id: format!("{cluster}/{name}"),
            name,
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            detail: Detail::Ecs(EcsDetail {
                cluster,
                ..EcsDetail::default()
            }),
        }
    }

    pub fn lambda(name: impl Into<String>) -> Self {
        let name = name.into();
        Resource {
            kind: ResourceKind::Lambda,
            id: name.clone(),
            name,
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            detail: Detail::Lambda(LambdaDetail::default()),
        }
    }

    pub fn http(name: impl Into<String>, url: impl Into<String>) -> Self {
        let url = url.into();
        Resource {
            kind: ResourceKind::Http,
            id: url.clone(),
            name: name.into(),
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            detail: Detail::Http(HttpDetail {
                url,
                ..HttpDetail::default()
            }),
        }
    }

    pub fn sqs(name: impl Into<String>, url: impl Into<String>) -> Self {
        let url = url.into();
        Resource {
            kind: ResourceKind::Sqs,
            id: url.clone(),
            name: name.into(),
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            detail: Detail::Sqs(SqsDetail {
                url,
                ..SqsDetail::default()
            }),
        }
    }

    /// A row of any kind: its kind follows from the detail.
    pub fn new(id: impl Into<String>, name: impl Into<String>, detail: Detail) -> Self {
        Resource {
            kind: detail.kind(),
            id: id.into(),
            name: name.into(),
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            detail,
        }
    }

    /// Whether a metric series is one of this row's own (for the kinds whose rows are rated
    /// by their metrics too: a database at its connection limit is not healthy because its
    /// status says `available`).
    pub fn owns_metric(&self, key: &MetricKey) -> bool {
        let dim = |k: &str| key.dimensions.get(k).map(String::as_str);
        match &self.detail {
            Detail::Rds(d) if d.role == "cluster" => {
                key.namespace == "AWS/RDS" && dim("DBClusterIdentifier") == Some(&self.name)
            }
            Detail::Rds(_) => {
                key.namespace == "AWS/RDS" && dim("DBInstanceIdentifier") == Some(&self.name)
            }
            Detail::Dynamodb(_) => {
                key.namespace == "AWS/DynamoDB" && dim("TableName") == Some(&self.name)
            }
            Detail::Elb(d) => {
                (key.namespace == "AWS/ApplicationELB" || key.namespace == "AWS/NetworkELB")
                    && dim("TargetGroup").is_some_and(|tg| d.arn.ends_with(tg))
            }
            Detail::Sfn(d) => {
                key.namespace == "AWS/States" && dim("StateMachineArn") == Some(&d.arn)
            }
            Detail::Elasticache(d) => {
                key.namespace == "AWS/ElastiCache"
                    && (dim("ReplicationGroupId") == Some(&self.name)
                        || dim("CacheClusterId")
                            .is_some_and(|c| d.primaries.iter().chain(&d.replicas).any(|x| x == c)))
            }
            Detail::Apigateway(d) => {
                key.namespace == "AWS/ApiGateway"
                    && !d.api.is_empty()
                    && dim(&d.dimension) == Some(&d.api)
                    && dim("Stage") == Some(&d.stage)
            }
            Detail::Ecs(_) | Detail::Lambda(_) | Detail::Http(_) | Detail::Sqs(_) => false,
        }
    }

    /// Whether the row's kind is rated by its metrics too.
    pub fn rated(&self) -> bool {
        !matches!(
            self.kind,
            ResourceKind::Ecs | ResourceKind::Lambda | ResourceKind::Http | ResourceKind::Sqs
        )
    }

    /// Rates the row by its own metrics as well as by what the source said: the worse of
    /// the two, and the status names the metric that made it worse. Idempotent: the
    /// source's rating is kept aside and each call starts from it.
    pub fn rate_by_metrics(&mut self, series: &[MetricSeries]) {
        let (base_health, base_status) = self
            .source_rating
            .get_or_insert_with(|| (self.health, self.status.clone()))
            .clone();
        let worst = series
            .iter()
            .filter(|m| self.owns_metric(&m.key))
            .filter(|m| matches!(m.health(), Health::Warn | Health::Crit))
            .min_by_key(|m| m.health().rank());
        let Some(m) = worst else {
            // Nothing breached: an API Gateway stage (no state of its own) is as good as
            // its metrics once they arrived.
            let own = series
                .iter()
                .any(|m| self.owns_metric(&m.key) && m.last().is_some());
            self.health =
                if own && base_health == Health::Unknown && self.kind == ResourceKind::Apigateway {
                    Health::Ok
                } else {
                    base_health
                };
            self.status = base_status;
            return;
        };
        self.health = base_health.worst(m.health());
        let v = m.last().unwrap_or(0.0);
        let value = if v.fract() == 0.0 || v.abs() >= 100.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        };
        // The metric first: it is why the row is worse than its state says.
        self.status = format!(
            "{} {value}{} {} · {base_status}",
            m.label,
            m.unit
                .as_deref()
                .filter(|u| *u != "Count" && *u != "None")
                .map(|u| format!(" {u}"))
                .unwrap_or_default(),
            m.health().as_str()
        );
    }

    pub fn sqs_detail(&self) -> Option<&SqsDetail> {
        match &self.detail {
            Detail::Sqs(d) => Some(d),
            _ => None,
        }
    }

    /// Stable identity across refreshes (keeps the selection on the same row).
    pub fn key(&self) -> String {
        format!(
            "{:?}/{}/{}",
            self.kind,
            self.context.as_deref().unwrap_or(""),
            self.id
        )
    }

    pub fn ecs_detail(&self) -> Option<&EcsDetail> {
        match &self.detail {
            Detail::Ecs(d) => Some(d),
            _ => None,
        }
    }

    pub fn ecs_detail_mut(&mut self) -> Option<&mut EcsDetail> {
        match &mut self.detail {
            Detail::Ecs(d) => Some(d),
            _ => None,
        }
    }

    pub fn lambda_detail(&self) -> Option<&LambdaDetail> {
        match &self.detail {
            Detail::Lambda(d) => Some(d),
            _ => None,
        }
    }

    pub fn lambda_detail_mut(&mut self) -> Option<&mut LambdaDetail> {
        match &mut self.detail {
            Detail::Lambda(d) => Some(d),
            _ => None,
        }
    }

    pub fn http_detail(&self) -> Option<&HttpDetail> {
        match &self.detail {
            Detail::Http(d) => Some(d),
            _ => None,
        }
    }

    pub fn http_detail_mut(&mut self) -> Option<&mut HttpDetail> {
        match &mut self.detail {
            Detail::Http(d) => Some(d),
            _ => None,
        }
    }

    /// As the services pane names it: `cluster/service` for ECS, else the name.
    pub fn display_name(&self) -> String {
        match self.cluster() {
            Some(c) => format!("{c}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The ECS cluster, for an ECS service.
    pub fn cluster(&self) -> Option<&str> {
        self.ecs_detail().map(|d| d.cluster.as_str())
    }

    /// What runs, as shown: the ECS task definition, Lambda `live→v12` or `$LATEST`.
    pub fn version(&self) -> Option<&str> {
        match &self.detail {
            Detail::Ecs(d) => d.task_definition.as_deref(),
            Detail::Lambda(d) => d.version.as_deref(),
            _ => None,
        }
    }
}

/// Whether larger values are worse (CPU, errors) or better (healthy hosts, throughput).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Above,
    Below,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Thresholds {
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    #[serde(default)]
    pub direction: Direction,
}

impl Thresholds {
    pub fn classify(&self, v: f64) -> Health {
        let breach = |t: Option<f64>| match (t, self.direction) {
            (Some(t), Direction::Above) => v >= t,
            (Some(t), Direction::Below) => v <= t,
            (None, _) => false,
        };
        if breach(self.crit) {
            Health::Crit
        } else if breach(self.warn) {
            Health::Warn
        } else {
            Health::Ok
        }
    }

    pub fn is_empty(&self) -> bool {
        self.warn.is_none() && self.crit.is_none()
    }
}

/// Identity of a metric series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MetricKey {
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    /// The linked source account it is read from (CloudWatch cross-account observability);
    /// `None`: the context's own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A metric to chart: its label, CloudWatch key, unit, thresholds and period.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDef {
    pub label: String,
    pub key: MetricKey,
    pub unit: Option<String>,
    pub thresholds: Thresholds,
    /// A fixed period (seconds); otherwise fitted to the window.
    pub period: Option<i64>,
}

/// A metric definition plus its points (time in ms since the epoch, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub label: String,
    /// The context it was read in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub key: MetricKey,
    pub unit: Option<String>,
    pub thresholds: Thresholds,
    pub points: Vec<(i64, f64)>,
}

impl MetricSeries {
    /// Points at or after `since_ms`.
    pub fn window(&self, since_ms: i64) -> &[(i64, f64)] {
        let start = self.points.partition_point(|(t, _)| *t < since_ms);
        &self.points[start..]
    }

    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|p| p.1)
    }

    pub fn health(&self) -> Health {
        match self.last() {
            None => Health::Unknown,
            Some(_) if self.thresholds.is_empty() => Health::Ok,
            Some(v) => self.thresholds.classify(v),
        }
    }

    /// Merges newer points in, keeping time order and dropping duplicates by timestamp.
    pub fn merge_points(&mut self, mut new: Vec<(i64, f64)>, keep_since_ms: i64) {
        new.sort_by_key(|p| p.0);
        for (t, v) in new {
            match self.points.last() {
                Some((lt, _)) if *lt < t => self.points.push((t, v)),
                None => self.points.push((t, v)),
                _ => match self.points.binary_search_by_key(&t, |p| p.0) {
                    Ok(i) => self.points[i].1 = v,
                    Err(i) => self.points.insert(i, (t, v)),
                },
            }
        }
        let cut = self.points.partition_point(|(t, _)| *t < keep_since_ms);
        if cut > 0 {
            self.points.drain(..cut);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`, as CloudWatch says it.
    pub state: String,
    pub reason: Option<String>,
    /// When the state last changed (ms since the epoch, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_ms: Option<i64>,
    /// The context it was read in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Alarm {
    pub fn health(&self) -> Health {
        match self.state.as_str() {
            "ALARM" => Health::Crit,
            "OK" => Health::Ok,
            _ => Health::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

/// The group of a Logs Insights row that names no group of its own (no `@log` field).
pub const INSIGHTS_GROUP: &str = "insights";

/// One log event as delivered by a source (before sanitising). Short names when written:
/// recordings hold hundreds of thousands of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    #[serde(rename = "t")]
    pub time_ms: i64,
    #[serde(rename = "g")]
    pub group: Arc<str>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Arc<str>>,
    #[serde(rename = "m")]
    pub message: String,
}

/// Risk of a command, and of a step as the highest of its commands. Ordered so that `max`
/// gives the one to confirm for: an unrecognised command is treated as riskier than a known
/// write (when unsure, classify higher), and destructive is the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    #[default]
    Read,
    Write,
    Unknown,
    Destructive,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Read => "read",
            Risk::Write => "write",
            Risk::Unknown => "unknown",
            Risk::Destructive => "destructive",
        }
    }

    pub fn parse(s: &str) -> Option<Risk> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Some(Risk::Read),
            "write" => Some(Risk::Write),
            "unknown" => Some(Risk::Unknown),
            "destructive" => Some(Risk::Destructive),
            _ => None,
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

//! Resource kinds. Everything opsdeck knows of a kind that is not how to ask AWS about it (its
//! SDK adapter, `sources::aws::<kind>`) or how the demo simulates it lives in the kind's own
//! module here: its detail, the count column and detail line of its row, what it runs, which
//! metrics are its own, its built-in actions and their mutations with their risks, the
//! events read from two deliveries, and its fields in `snapshot --format json`.
//!
//! [`kinds!`] below is the registry: one line per kind makes its [`ResourceKind`] variant,
//! its [`Detail`] and [`Mutation`] variants and the dispatch to its [`Rules`].

use super::{MetricKey, Resource, Risk};
use serde::{Deserialize, Serialize};

pub mod apigateway;
pub mod dynamodb;
pub mod ecs;
pub mod elasticache;
pub mod elb;
pub mod http;
pub mod lambda;
pub mod rds;
pub mod sfn;
pub mod sqs;

/// What a kind knows of itself. Every default is the behaviour of a kind with nothing to say.
pub trait Rules {
    /// What only this kind has (a row's `detail`).
    type Detail: Default + Serialize + serde::de::DeserializeOwned;
    /// The changes its built-in actions make (`NoMutation` for a kind that has none).
    type Mutation: Act;
    /// Rated by its CloudWatch metrics as well as by its state (false: the source's rating
    /// is the whole story, as for an ECS service's tasks).
    const RATED: bool = true;
    /// A row with no state of its own (an API Gateway stage) is healthy once its metrics
    /// arrive without a breach.
    const OK_BY_METRICS: bool = false;
    /// How the runbooks' `aws` commands name one (none: the runbooks' readers find it, or
    /// nothing does).
    const NAMED: Option<Named> = None;

    /// The services pane's count column (`3/4 +1`, `live→v12`, `200`).
    fn counts(_r: &Resource, _d: &Self::Detail) -> String {
        String::new()
    }
    /// The line at the foot of the services pane for the selected row.
    fn detail_line(r: &Resource, d: &Self::Detail) -> String;
    /// What runs, as shown (a task definition, `live→v12`).
    fn version(_d: &Self::Detail) -> Option<&str> {
        None
    }
    /// The ECS cluster a row lives in (names it `cluster/service`).
    fn cluster(_d: &Self::Detail) -> Option<&str> {
        None
    }
    /// Whether a metric series is one of the row's own (rates the row).
    fn owns_metric(_r: &Resource, _d: &Self::Detail, _key: &MetricKey) -> bool {
        false
    }
    /// Built-in actions on the row; `now_ms` names snapshots and backups.
    fn builtins(_r: &Resource, _d: &Self::Detail, _now_ms: i64) -> Vec<Builtin> {
        Vec::new()
    }
    /// What changed between two deliveries of the same row, beyond its health.
    fn events(
        _o: &Resource,
        _od: &Self::Detail,
        _n: &Resource,
        _nd: &Self::Detail,
    ) -> Vec<SysEvent> {
        Vec::new()
    }
    /// Its fields in `snapshot --format json` beside the common ones.
    fn snapshot(_d: &Self::Detail, _put: &mut dyn FnMut(&str, serde_json::Value)) {}
}

/// How the runbooks' `aws` commands name a resource of a kind: `(service, flag)` pairs (any
/// verb; the first value of the flag), the key of `runbook targets --format json` and the
/// title of its text listing.
#[derive(Debug, Clone, Copy)]
pub struct Named {
    pub flags: &'static [(&'static str, &'static str)],
    pub key: &'static str,
    pub title: &'static str,
}

/// A change a kind's built-in action makes through a source.
pub trait Act: Sized {
    /// The API call as the confirmation dialog and the journal show it.
    fn describe(&self) -> String;
    /// What the operator types to confirm a destructive change.
    fn target(&self) -> &str;
    fn risk(&self) -> Risk {
        Risk::Write
    }
    /// The change with the value typed in its form (a desired count; one of `choices` when
    /// the form offers some): its title, or why the value is not acceptable.
    fn with_value(&self, _value: &str, _choices: &[String]) -> Result<(String, Self), String> {
        Err("this action takes no value".into())
    }
}

/// The mutations of a kind that has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMutation {}

impl Act for NoMutation {
    fn describe(&self) -> String {
        match *self {}
    }
    fn target(&self) -> &str {
        match *self {}
    }
}

/// One change seen between two deliveries: the resource, the state before and after, and a
/// sentence for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysEvent {
    pub resource: String,
    pub before: String,
    pub after: String,
    pub what: String,
}

impl SysEvent {
    pub fn new(resource: &str, before: String, after: String, what: String) -> SysEvent {
        SysEvent {
            resource: resource.to_string(),
            before,
            after,
            what,
        }
    }
}

/// A built-in action on the selected row, as the palette lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtin {
    pub label: String,
    pub then: Then,
}

/// What choosing a built-in action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Straight to its confirmation, which says `prompt`.
    Confirm { prompt: String, mutation: Mutation },
    /// A one-field form first; the value makes the mutation ([`Act::with_value`] of
    /// `template`).
    Ask {
        title: String,
        field: String,
        value: String,
        /// Values to pick from (Tab cycles), e.g. a function's published versions.
        suggestions: Vec<String>,
        template: Mutation,
    },
}

impl Builtin {
    pub fn confirm(label: String, prompt: String, mutation: Mutation) -> Builtin {
        Builtin {
            label,
            then: Then::Confirm { prompt, mutation },
        }
    }

    pub fn ask(
        label: String,
        title: String,
        field: &str,
        value: String,
        template: Mutation,
    ) -> Builtin {
        Builtin {
            label,
            then: Then::Ask {
                title,
                field: field.into(),
                value,
                suggestions: Vec::new(),
                template,
            },
        }
    }

    /// Values the form's Tab cycles through.
    pub fn suggesting(mut self, values: Vec<String>) -> Builtin {
        if let Then::Ask { suggestions, .. } = &mut self.then {
            *suggestions = values;
        }
        self
    }

    pub fn label(&self) -> String {
        self.label.clone()
    }

    /// As the palette grades it: what the confirmation would, a form's change being at
    /// least a write.
    pub fn risk(&self) -> Risk {
        match &self.then {
            Then::Confirm { mutation, .. } => mutation.risk(),
            Then::Ask { .. } => Risk::Write,
        }
    }
}

/// `20261202-181503`: names snapshots and backups (UTC, sortable, valid in every API).
pub fn stamp(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .format("%Y%m%d-%H%M%S")
        .to_string()
}

/// The registry: `Variant => module, "LABEL", "feed name";` per kind, in the services pane's
/// order. Each module has a unit struct named like the variant implementing [`Rules`].
macro_rules! kinds {
    ($( $(#[$doc:meta])* $Var:ident => $module:ident, $label:literal, $name:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum ResourceKind {
            $( $(#[$doc])* $Var, )*
        }

        impl ResourceKind {
            pub const ALL: &'static [ResourceKind] = &[$( ResourceKind::$Var, )*];

            /// As the services pane's kind column says it.
            pub fn label(self) -> &'static str {
                match self { $( ResourceKind::$Var => $label, )* }
            }

            /// The feed name (`sqs`, `rds`…), as the status bar and `[refresh]` say it.
            pub fn name(self) -> &'static str {
                match self { $( ResourceKind::$Var => $name, )* }
            }

            pub(crate) fn rated(self) -> bool {
                match self { $( ResourceKind::$Var => <$module::$Var as Rules>::RATED, )* }
            }

            /// How the runbooks' commands name one of this kind.
            pub fn named(self) -> Option<Named> {
                match self { $( ResourceKind::$Var => <$module::$Var as Rules>::NAMED, )* }
            }

            pub(crate) fn ok_by_metrics(self) -> bool {
                match self { $( ResourceKind::$Var => <$module::$Var as Rules>::OK_BY_METRICS, )* }
            }
        }

        /// What only one kind has: one variant per kind, never optional fields for every kind.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(untagged)]
        pub enum Detail {
            $( $Var(<$module::$Var as Rules>::Detail), )*
        }

        impl Detail {
            /// The kind this detail belongs to.
            pub fn kind(&self) -> ResourceKind {
                match self { $( Detail::$Var(_) => ResourceKind::$Var, )* }
            }

            /// An empty detail of `kind`.
            pub fn empty(kind: ResourceKind) -> Detail {
                match kind { $( ResourceKind::$Var => Detail::$Var(Default::default()), )* }
            }

            /// A detail as written (recordings): read by the row's kind, since the untagged
            /// details cannot tell themselves apart.
            pub fn from_json(kind: ResourceKind, v: serde_json::Value) -> Result<Detail, serde_json::Error> {
                Ok(match kind { $( ResourceKind::$Var => Detail::$Var(serde_json::from_value(v)?), )* })
            }
        }

        /// Changes an operator can make through a source (the demo fleet, or the AWS API):
        /// one variant per kind, holding that kind's own.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Mutation {
            $( $Var(<$module::$Var as Rules>::Mutation), )*
        }

        impl Mutation {
            pub fn describe(&self) -> String {
                match self { $( Mutation::$Var(m) => m.describe(), )* }
            }
            pub fn target(&self) -> &str {
                match self { $( Mutation::$Var(m) => m.target(), )* }
            }
            pub fn risk(&self) -> Risk {
                match self { $( Mutation::$Var(m) => m.risk(), )* }
            }
            pub fn with_value(&self, v: &str, choices: &[String]) -> Result<(String, Mutation), String> {
                match self { $( Mutation::$Var(m) => m.with_value(v, choices).map(|(t, m)| (t, Mutation::$Var(m))), )* }
            }
            /// The kind whose source applies it.
            pub fn kind(&self) -> ResourceKind {
                match self { $( Mutation::$Var(_) => ResourceKind::$Var, )* }
            }
        }

        /// The dispatch from a row to its kind's [`Rules`].
        impl Resource {
            /// The services pane's count column.
            pub fn counts_text(&self) -> String {
                // Listed, not described: nothing to count yet.
                if self.loading {
                    return String::new();
                }
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::counts(self, d), )* }
            }
            /// The line at the foot of the services pane.
            pub fn detail_line(&self) -> String {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::detail_line(self, d), )* }
            }
            /// What runs, as shown: the ECS task definition, Lambda `live→v12` or `$LATEST`.
            pub fn version(&self) -> Option<&str> {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::version(d), )* }
            }
            /// The ECS cluster, for an ECS service.
            pub fn cluster(&self) -> Option<&str> {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::cluster(d), )* }
            }
            /// Whether a metric series is one of this row's own.
            pub fn owns_metric(&self, key: &MetricKey) -> bool {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::owns_metric(self, d, key), )* }
            }
            /// Built-in actions on this row; `now_ms` names snapshots and backups.
            pub fn builtins(&self, now_ms: i64) -> Vec<Builtin> {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::builtins(self, d, now_ms), )* }
            }
            /// What changed since `old` (the same row one delivery earlier), beyond health.
            pub fn kind_events(&self, old: &Resource) -> Vec<SysEvent> {
                match (&old.detail, &self.detail) {
                    $( (Detail::$Var(od), Detail::$Var(nd)) => <$module::$Var as Rules>::events(old, od, self, nd), )*
                    _ => Vec::new(),
                }
            }
            /// Its kind's fields in `snapshot --format json`.
            pub fn snapshot_fields(&self, put: &mut dyn FnMut(&str, serde_json::Value)) {
                match &self.detail { $( Detail::$Var(d) => <$module::$Var as Rules>::snapshot(d, put), )* }
            }
        }
    };
}

kinds! {
    Ecs => ecs, "ECS", "ecs";
    Lambda => lambda, "λ", "lambda";
    Http => http, "HTTP", "health";
    Sqs => sqs, "SQS", "sqs";
    Rds => rds, "RDS", "rds";
    Dynamodb => dynamodb, "DDB", "dynamodb";
    /// A load balancer target group.
    Elb => elb, "ELB", "elb";
    /// A Step Functions state machine.
    Sfn => sfn, "SFN", "sfn";
    /// An ElastiCache (Redis/Valkey) replication group.
    Elasticache => elasticache, "REDIS", "elasticache";
    /// An API Gateway stage, seen through CloudWatch.
    Apigateway => apigateway, "APIGW", "apigateway";
}

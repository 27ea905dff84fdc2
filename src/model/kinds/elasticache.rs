//! ElastiCache (Redis/Valkey) replication groups: status, shards, primaries and replicas,
//! automatic failover; a test failover of a shard.

use super::{Act, Builtin, Mutation, Named, Rules, SysEvent};
use crate::model::{MetricKey, Resource, Risk};
use serde::{Deserialize, Serialize};

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

/// An ElastiCache replication group.
pub struct Elasticache;

/// What the ElastiCache built-in action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElasticacheMutation {
    /// Fails the primary of a replication group's shard over to a replica.
    TestFailover { group: String, node_group: String },
}

impl Act for ElasticacheMutation {
    fn describe(&self) -> String {
        let ElasticacheMutation::TestFailover { group, node_group } = self;
        format!("ElastiCache TestFailover replicationGroupId={group} nodeGroupId={node_group}")
    }

    fn target(&self) -> &str {
        let ElasticacheMutation::TestFailover { group, .. } = self;
        group
    }

    /// Connections to the primary drop.
    fn risk(&self) -> Risk {
        Risk::Destructive
    }
}

impl Rules for Elasticache {
    type Detail = ElasticacheDetail;
    type Mutation = ElasticacheMutation;
    const NAMED: Option<Named> = Some(Named {
        flags: &[
            ("elasticache", "--replication-group-id"),
            ("elasticache", "--cache-cluster-id"),
        ],
        key: "cache_groups",
        title: "ElastiCache groups",
    });

    fn detail_line(_r: &Resource, d: &ElasticacheDetail) -> String {
        format!(
            "primaries {} · replicas {}",
            d.primaries.join(", "),
            d.replicas.join(", ")
        )
    }

    fn owns_metric(r: &Resource, d: &ElasticacheDetail, key: &MetricKey) -> bool {
        let dim = |k: &str| key.dimensions.get(k).map(String::as_str);
        key.namespace == "AWS/ElastiCache"
            && (dim("ReplicationGroupId") == Some(&r.name)
                || dim("CacheClusterId")
                    .is_some_and(|c| d.primaries.iter().chain(&d.replicas).any(|x| x == c)))
    }

    fn builtins(r: &Resource, d: &ElasticacheDetail, _now_ms: i64) -> Vec<Builtin> {
        if d.replicas.is_empty() {
            return Vec::new();
        }
        d.node_groups
            .iter()
            .map(|ng| {
                Builtin::confirm(
                    format!("ElastiCache › Test failover of {} shard {ng}", r.name),
                    format!(
                        "Fail the primary of {} shard {ng} over to a replica: connections to it drop",
                        r.name
                    ),
                    Mutation::Elasticache(ElasticacheMutation::TestFailover {
                        group: r.name.clone(),
                        node_group: ng.clone(),
                    }),
                )
            })
            .collect()
    }

    fn events(
        _o: &Resource,
        a: &ElasticacheDetail,
        n: &Resource,
        b: &ElasticacheDetail,
    ) -> Vec<SysEvent> {
        if a.primaries == b.primaries {
            return Vec::new();
        }
        let name = n.display_name();
        let (x, y) = (a.primaries.join(", "), b.primaries.join(", "));
        vec![SysEvent::new(
            &name,
            format!("primary {x}"),
            format!("primary {y}"),
            format!("REDIS {name}: primary {x} → {y}"),
        )]
    }
}

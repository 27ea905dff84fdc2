//! ElastiCache (Redis/Valkey) replication groups: one DescribeReplicationGroups per refresh
//! for all of them; a target that names a cache cluster (`sessions-001`) is mapped to its
//! group with DescribeCacheClusters.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Detail, ElasticacheDetail, Health, Resource, ResourceKind};
use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::types::ReplicationGroup;
use futures::future::BoxFuture;

async fn all_groups(c: &Client) -> AwsResult<Vec<ReplicationGroup>> {
    let mut out = Vec::new();
    let mut pages = c.describe_replication_groups().into_paginator().send();
    while let Some(p) = pages.next().await {
        out.extend(
            p.map_err(AwsError::from)?
                .replication_groups()
                .iter()
                .cloned(),
        );
    }
    Ok(out)
}

pub async fn list(c: &Client) -> AwsResult<Vec<String>> {
    Ok(all_groups(c)
        .await?
        .iter()
        .filter_map(|g| g.replication_group_id())
        .map(str::to_string)
        .collect())
}

pub fn detail(g: &ReplicationGroup) -> ElasticacheDetail {
    let mut d = ElasticacheDetail {
        status: g.status().unwrap_or("").to_string(),
        automatic_failover: g
            .automatic_failover()
            .map(|a| a.as_str().to_string())
            .unwrap_or_else(|| "disabled".into()),
        multi_az: g.multi_az().is_some_and(|m| m.as_str() == "enabled"),
        ..ElasticacheDetail::default()
    };
    for ng in g.node_groups() {
        d.node_groups
            .push(ng.node_group_id().unwrap_or("0001").to_string());
        for m in ng.node_group_members() {
            let id = m.cache_cluster_id().unwrap_or("?").to_string();
            match m.current_role() {
                Some("primary") => d.primaries.push(id),
                _ => d.replicas.push(id),
            }
        }
    }
    d
}

/// Health: available is fine; a shard without a primary, a failed creation or a deletion is
/// critical; any other state (modifying, snapshotting, a failover in progress) warns.
pub fn row(id: &str, d: ElasticacheDetail) -> Resource {
    let mut r = Resource::new(id, id, Detail::Elasticache(ElasticacheDetail::default()));
    let headless = !d.node_groups.is_empty() && d.primaries.len() < d.node_groups.len();
    r.health = match d.status.as_str() {
        "" => Health::Unknown,
        "create-failed" | "deleting" => Health::Crit,
        _ if headless => Health::Crit,
        "available" => Health::Ok,
        _ => Health::Warn,
    };
    let mut status = d.status.clone();
    match d.primaries.as_slice() {
        [] => status.push_str(" · no primary"),
        [p] => status.push_str(&format!(" · primary {p}")),
        ps => status.push_str(&format!(" · {} primaries", ps.len())),
    }
    let n = d.replicas.len();
    status.push_str(&format!(" · {n} replica{}", if n == 1 { "" } else { "s" }));
    status.push_str(&format!(" · failover {}", d.automatic_failover));
    if d.multi_az {
        status.push_str(" · Multi-AZ");
    }
    r.status = status;
    r.detail = Detail::Elasticache(d);
    r
}

pub fn error_row(id: &str, error: &str) -> Resource {
    super::kind::failed_row(id, id, Detail::Elasticache(Default::default()), error)
}

pub struct Elasticache;

impl Kind for Elasticache {
    fn apply<'a>(
        &'a self,
        c: &'a super::Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<futures::future::BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Elasticache(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }

    fn kind(&self) -> ResourceKind {
        ResourceKind::Elasticache
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.cache_groups.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list(&c.elasticache))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let c = cx.c;
        Box::pin(async move {
            if targets.is_empty() {
                return Vec::new();
            }
            let groups = match all_groups(&c.elasticache).await {
                Ok(g) => g,
                Err(e) => {
                    return super::kind::all_failed(targets, &e);
                }
            };
            let mut out: Described = Vec::new();
            let mut shown: Vec<String> = Vec::new();
            for t in targets {
                let mut id = t.clone();
                if !groups.iter().any(|g| g.replication_group_id() == Some(t)) {
                    // A cache cluster id: its group.
                    if let Ok(r) = c
                        .elasticache
                        .describe_cache_clusters()
                        .cache_cluster_id(t)
                        .send()
                        .await
                        && let Some(g) = r
                            .cache_clusters()
                            .first()
                            .and_then(|x| x.replication_group_id())
                    {
                        id = g.to_string();
                    }
                }
                let r = match groups
                    .iter()
                    .find(|g| g.replication_group_id() == Some(&id))
                {
                    _ if shown.contains(&id) => Ok(Vec::new()),
                    Some(g) => {
                        shown.push(id.clone());
                        Ok(vec![row(&id, detail(g))])
                    }
                    None => Err(AwsError::from(format!(
                        "{t}: ReplicationGroupNotFoundFault"
                    ))),
                };
                out.push((t.clone(), r));
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per primary node: engine CPU (70 / 90 %), memory used (80 / 95 %), evictions
    /// (100 / 1 000 a period) and connections.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Elasticache(d) = &r.detail else {
                continue;
            };
            for p in &d.primaries {
                let dims: &[(&str, &str)] = &[("CacheClusterId", p)];
                let ns = "AWS/ElastiCache";
                out.push(metric(
                    format!("{p} engine CPU"),
                    ns,
                    "EngineCPUUtilization",
                    dims,
                    "Average",
                    Some("%"),
                    above(70.0, 90.0),
                ));
                out.push(metric(
                    format!("{p} memory"),
                    ns,
                    "DatabaseMemoryUsagePercentage",
                    dims,
                    "Average",
                    Some("%"),
                    above(80.0, 95.0),
                ));
                out.push(metric(
                    format!("{p} evictions"),
                    ns,
                    "Evictions",
                    dims,
                    "Sum",
                    None,
                    above(100.0, 1000.0),
                ));
                out.push(metric(
                    format!("{p} connections"),
                    ns,
                    "CurrConnections",
                    dims,
                    "Maximum",
                    None,
                    Default::default(),
                ));
            }
        }
        out
    }
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::ElasticacheMutation,
) -> AwsResult<String> {
    use crate::sources::ElasticacheMutation;
    match m {
        ElasticacheMutation::TestFailover { group, node_group } => {
            let r = c
                .elasticache
                .test_failover()
                .replication_group_id(group)
                .node_group_id(node_group)
                .send()
                .await
                .map_err(AwsError::from)?;
            let status = r
                .replication_group()
                .and_then(|g| g.status())
                .unwrap_or("?");
            Ok(format!(
                "{group}: failover of shard {node_group} started ({status})"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_without_primary_is_critical() {
        let d = ElasticacheDetail {
            status: "available".into(),
            node_groups: vec!["0001".into()],
            primaries: vec!["sessions-001".into()],
            replicas: vec!["sessions-002".into()],
            automatic_failover: "enabled".into(),
            multi_az: true,
        };
        let r = row("sessions", d.clone());
        assert_eq!(r.health, Health::Ok);
        assert_eq!(
            r.status,
            "available · primary sessions-001 · 1 replica · failover enabled · Multi-AZ"
        );
        assert_eq!(Elasticache.metrics(&[r]).len(), 4);
        let failing = ElasticacheDetail {
            status: "modifying".into(),
            ..d.clone()
        };
        assert_eq!(row("sessions", failing).health, Health::Warn);
        let headless = ElasticacheDetail {
            primaries: vec![],
            replicas: vec!["a".into(), "b".into()],
            ..d
        };
        let r = row("sessions", headless);
        assert_eq!(r.health, Health::Crit);
        assert!(r.status.contains("no primary · 2 replicas"), "{}", r.status);
    }
}

//! RDS: DB instances and Aurora clusters. One DescribeDBInstances and one DescribeDBClusters
//! per refresh for every watched identifier together (identifier filters, 100 a call), the
//! members of a watched cluster added as rows of their own, and one
//! DescribePendingMaintenanceActions (its failure only leaves maintenance unknown).

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, below, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Detail, Health, RdsDetail, Resource, ResourceKind};
use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbInstance, Filter};
use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// Identifier filters take at most 100 values.
const FILTER_MAX: usize = 100;

/// States in which the database does not serve: critical.
const DOWN: &[&str] = &[
    "rebooting",
    "failing-over",
    "stopped",
    "failed",
    "storage-full",
    "restore-error",
    "insufficient-capacity",
    "deleting",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
];

/// Health from an instance's or cluster's status: available is fine, states in which it does
/// not serve are critical (incompatible-* included), every other transition warns.
pub fn status_health(status: &str) -> Health {
    match status {
        "available" => Health::Ok,
        "" => Health::Unknown,
        s if DOWN.contains(&s) || s.starts_with("incompatible-") => Health::Crit,
        _ => Health::Warn,
    }
}

/// An instance's row. `writer`: its role in its Aurora cluster, when it has one.
pub fn instance_row(i: &DbInstance, writer: Option<bool>, maintenance: &[String]) -> Resource {
    let id = i.db_instance_identifier().unwrap_or("?").to_string();
    let role = match (writer, i.read_replica_source_db_instance_identifier()) {
        (Some(true), _) => "writer".to_string(),
        (Some(false), _) => "reader".to_string(),
        (None, Some(src)) => format!("replica of {src}"),
        (None, None) if !i.read_replica_db_instance_identifiers().is_empty() => format!(
            "primary of {}",
            i.read_replica_db_instance_identifiers().join(", ")
        ),
        (None, None) => "standalone".to_string(),
    };
    let d = RdsDetail {
        status: i.db_instance_status().unwrap_or("").to_string(),
        engine: engine(i.engine(), i.engine_version()),
        role,
        cluster: i.db_cluster_identifier().map(str::to_string),
        multi_az: i.multi_az().unwrap_or(false),
        cluster_members: Vec::new(),
        pending_maintenance: maintenance.to_vec(),
        instance_class: i.db_instance_class().map(str::to_string),
        allocated_gib: i
            .allocated_storage()
            .filter(|g| *g > 0 && i.db_cluster_identifier().is_none())
            .map(i64::from),
    };
    row(&id, d)
}

fn engine(e: Option<&str>, v: Option<&str>) -> String {
    match (e, v) {
        (Some(e), Some(v)) => format!("{e} {v}"),
        (Some(e), None) => e.to_string(),
        _ => String::new(),
    }
}

/// An Aurora cluster's row: its status, its writer and readers.
pub fn cluster_row(c: &DbCluster, maintenance: &[String]) -> Resource {
    let id = c.db_cluster_identifier().unwrap_or("?").to_string();
    let mut members: Vec<(bool, String)> = c
        .db_cluster_members()
        .iter()
        .map(|m| {
            (
                m.is_cluster_writer().unwrap_or(false),
                m.db_instance_identifier().unwrap_or("?").to_string(),
            )
        })
        .collect();
    members.sort_by_key(|(w, id)| (!*w, id.clone()));
    let d = RdsDetail {
        status: c.status().unwrap_or("").to_string(),
        engine: engine(c.engine(), c.engine_version()),
        role: "cluster".into(),
        cluster: None,
        multi_az: c.multi_az().unwrap_or(false),
        cluster_members: members.into_iter().map(|(_, id)| id).collect(),
        pending_maintenance: maintenance.to_vec(),
        instance_class: None,
        allocated_gib: None,
    };
    let writer_known = c
        .db_cluster_members()
        .iter()
        .any(|m| m.is_cluster_writer() == Some(true));
    let mut r = row(&id, d);
    if !writer_known && r.health == Health::Ok {
        // A cluster without a writer takes no writes.
        r.health = Health::Crit;
        r.status.push_str(" · no writer");
    }
    r
}

/// A row from its detail. Health: the status (see [`status_health`]); pending maintenance
/// is told, not rated.
pub fn row(id: &str, d: RdsDetail) -> Resource {
    let mut r = Resource::new(id, id, Detail::Rds(RdsDetail::default()));
    let mut status = d.status.clone();
    if d.role == "cluster" {
        let n = d.cluster_members.len();
        match d.cluster_members.first() {
            Some(w) => status.push_str(&format!(
                " · writer {w} · {} reader{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            )),
            None => status.push_str(" · no instances"),
        }
    } else {
        status.push_str(&format!(" · {}", d.role));
    }
    if d.multi_az {
        status.push_str(" · Multi-AZ");
    }
    if !d.pending_maintenance.is_empty() {
        status.push_str(&format!(
            " · maintenance pending: {}",
            d.pending_maintenance.join(", ")
        ));
    }
    r.health = status_health(&d.status);
    r.status = status;
    r.detail = Detail::Rds(d);
    r
}

pub fn error_row(id: &str, error: &str) -> Resource {
    super::kind::failed_row(id, id, Detail::Rds(RdsDetail::default()), error)
}

async fn instances(c: &Client, ids: &[String]) -> AwsResult<Vec<DbInstance>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(FILTER_MAX) {
        let f = Filter::builder()
            .name("db-instance-id")
            .set_values(Some(chunk.to_vec()))
            .build();
        let mut pages = c.describe_db_instances().filters(f).into_paginator().send();
        while let Some(p) = pages.next().await {
            out.extend(p.map_err(AwsError::from)?.db_instances().iter().cloned());
        }
    }
    Ok(out)
}

async fn clusters(c: &Client, ids: &[String]) -> AwsResult<Vec<DbCluster>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(FILTER_MAX) {
        let f = Filter::builder()
            .name("db-cluster-id")
            .set_values(Some(chunk.to_vec()))
            .build();
        let mut pages = c.describe_db_clusters().filters(f).into_paginator().send();
        while let Some(p) = pages.next().await {
            out.extend(p.map_err(AwsError::from)?.db_clusters().iter().cloned());
        }
    }
    Ok(out)
}

/// Pending maintenance actions by resource identifier (instance or cluster id).
async fn maintenance(c: &Client) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let Ok(r) = c.describe_pending_maintenance_actions().send().await else {
        return out;
    };
    for p in r.pending_maintenance_actions() {
        let Some(arn) = p.resource_identifier() else {
            continue;
        };
        let id = arn.rsplit(':').next().unwrap_or(arn).to_string();
        for a in p.pending_maintenance_action_details() {
            if let Some(action) = a.action() {
                out.entry(id.clone()).or_default().push(action.to_string());
            }
        }
    }
    out
}

/// Every watched identifier's rows: instances and clusters in two batched calls, then the
/// members of watched clusters that were not asked for.
pub async fn fetch(
    c: &Client,
    targets: &[String],
    memo: &super::kind::Memo,
    now_ms: i64,
) -> AwsResult<Described> {
    let (mut insts, clus) = (instances(c, targets).await?, clusters(c, targets).await?);
    let members: Vec<String> = clus
        .iter()
        .flat_map(|cl| cl.db_cluster_members())
        .filter_map(|m| m.db_instance_identifier())
        .filter(|id| {
            !insts
                .iter()
                .any(|i| i.db_instance_identifier() == Some(*id))
        })
        .map(str::to_string)
        .collect();
    if !members.is_empty() {
        insts.extend(instances(c, &members).await?);
    }
    // Pending maintenance changes rarely: asked for every five minutes.
    let maint: BTreeMap<String, Vec<String>> =
        match memo.get::<String>("maintenance", super::kind::SLOW_MS, now_ms) {
            Some(m) => serde_json::from_str(&m).unwrap_or_default(),
            None => {
                let m = maintenance(c).await;
                memo.put(
                    "maintenance",
                    serde_json::to_string(&m).unwrap_or_default(),
                    now_ms,
                );
                m
            }
        };
    let none = Vec::new();
    let writer_of = |id: &str| -> Option<bool> {
        clus.iter()
            .flat_map(|cl| cl.db_cluster_members())
            .find(|m| m.db_instance_identifier() == Some(id))
            .map(|m| m.is_cluster_writer().unwrap_or(false))
    };
    let mut out = Vec::new();
    for t in targets {
        let mut rows = Vec::new();
        if let Some(cl) = clus.iter().find(|cl| cl.db_cluster_identifier() == Some(t)) {
            rows.push(cluster_row(cl, maint.get(t).unwrap_or(&none)));
            for m in cl.db_cluster_members() {
                let Some(id) = m.db_instance_identifier() else {
                    continue;
                };
                if targets.iter().any(|x| x == id) {
                    continue; // its own target
                }
                if let Some(i) = insts
                    .iter()
                    .find(|i| i.db_instance_identifier() == Some(id))
                {
                    rows.push(instance_row(
                        i,
                        writer_of(id),
                        maint.get(id).unwrap_or(&none),
                    ));
                }
            }
        }
        if let Some(i) = insts.iter().find(|i| i.db_instance_identifier() == Some(t)) {
            rows.push(instance_row(i, writer_of(t), maint.get(t).unwrap_or(&none)));
        }
        let r = if rows.is_empty() {
            Err(AwsError::from(format!(
                "{t}: DBInstanceNotFound: no DB instance or cluster with this identifier"
            )))
        } else {
            Ok(rows)
        };
        out.push((t.clone(), r));
    }
    Ok(out)
}

/// Every DB cluster and every instance that is not a cluster member (members show under
/// their cluster).
pub async fn list(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = c.describe_db_clusters().into_paginator().send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(AwsError::from)?;
        out.extend(
            p.db_clusters()
                .iter()
                .filter_map(|c| c.db_cluster_identifier())
                .map(str::to_string),
        );
    }
    let mut pages = c.describe_db_instances().into_paginator().send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(AwsError::from)?;
        out.extend(
            p.db_instances()
                .iter()
                .filter(|i| i.db_cluster_identifier().is_none())
                .filter_map(|i| i.db_instance_identifier())
                .map(str::to_string),
        );
    }
    Ok(out)
}

pub struct Rds;

impl Kind for Rds {
    fn apply<'a>(
        &'a self,
        c: &'a super::Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<futures::future::BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Rds(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }

    fn kind(&self) -> ResourceKind {
        ResourceKind::Rds
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.databases.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list(&c.rds))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let (c, now_ms, memo) = (cx.c, cx.now_ms, cx.memo);
        Box::pin(async move {
            if targets.is_empty() {
                return Vec::new();
            }
            match fetch(&c.rds, targets, memo, now_ms).await {
                Ok(d) => d,
                Err(e) => super::kind::all_failed(targets, &e),
            }
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per instance: CPU (80/95 %), connections (no default: the limit depends on the
    /// class and parameter group; a runbook's threshold applies), free storage (below 10 % /
    /// 5 % of the allocated size, when it has one), read and write latency (20 / 100 ms),
    /// and replica lag for replicas and readers (30 s / 5 min).
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Rds(d) = &r.detail else { continue };
            if d.role == "cluster" || d.status.is_empty() {
                continue;
            }
            let dims: &[(&str, &str)] = &[("DBInstanceIdentifier", &r.name)];
            let ns = "AWS/RDS";
            out.push(metric(
                format!("{} CPU", r.name),
                ns,
                "CPUUtilization",
                dims,
                "Average",
                Some("%"),
                above(80.0, 95.0),
            ));
            out.push(metric(
                format!("{} connections", r.name),
                ns,
                "DatabaseConnections",
                dims,
                "Maximum",
                None,
                Default::default(),
            ));
            if let Some(g) = d.allocated_gib {
                let bytes = g as f64 * 1024.0 * 1024.0 * 1024.0;
                out.push(metric(
                    format!("{} free storage", r.name),
                    ns,
                    "FreeStorageSpace",
                    dims,
                    "Minimum",
                    Some("B"),
                    below(bytes * 0.10, bytes * 0.05),
                ));
            }
            out.push(metric(
                format!("{} read latency", r.name),
                ns,
                "ReadLatency",
                dims,
                "Average",
                Some("s"),
                above(0.02, 0.1),
            ));
            out.push(metric(
                format!("{} write latency", r.name),
                ns,
                "WriteLatency",
                dims,
                "Average",
                Some("s"),
                above(0.02, 0.1),
            ));
            if d.role.starts_with("replica") || d.role == "reader" {
                let lag = if d.role == "reader" {
                    "AuroraReplicaLag"
                } else {
                    "ReplicaLag"
                };
                let (w, c) = if d.role == "reader" {
                    (100.0, 1000.0)
                } else {
                    (30.0, 300.0)
                };
                out.push(metric(
                    format!("{} replica lag", r.name),
                    ns,
                    lag,
                    dims,
                    "Maximum",
                    Some(if d.role == "reader" { "ms" } else { "s" }),
                    above(w, c),
                ));
            }
        }
        out
    }
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::RdsMutation,
) -> AwsResult<String> {
    use crate::sources::RdsMutation;
    match m {
        RdsMutation::RebootDb { instance, failover } => {
            let r = c
                .rds
                .reboot_db_instance()
                .db_instance_identifier(instance)
                .force_failover(*failover)
                .send()
                .await
                .map_err(AwsError::from)?;
            let status = r
                .db_instance()
                .and_then(|i| i.db_instance_status())
                .unwrap_or("?");
            Ok(format!(
                "{instance}: reboot{} started ({status})",
                if *failover { " with failover" } else { "" }
            ))
        }
        RdsMutation::FailoverDbCluster { cluster } => {
            let r = c
                .rds
                .failover_db_cluster()
                .db_cluster_identifier(cluster)
                .send()
                .await
                .map_err(AwsError::from)?;
            let writer = r
                .db_cluster()
                .and_then(|c| {
                    c.db_cluster_members()
                        .iter()
                        .find(|m| m.is_cluster_writer() == Some(true))
                })
                .and_then(|m| m.db_instance_identifier())
                .unwrap_or("?");
            Ok(format!("{cluster}: failover started (writer {writer})"))
        }
        RdsMutation::SnapshotDb {
            id,
            cluster,
            snapshot,
        } => {
            if *cluster {
                c.rds
                    .create_db_cluster_snapshot()
                    .db_cluster_identifier(id)
                    .db_cluster_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(AwsError::from)?;
            } else {
                c.rds
                    .create_db_snapshot()
                    .db_instance_identifier(id)
                    .db_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(AwsError::from)?;
            }
            Ok(format!("{id}: snapshot {snapshot} started"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(status: &str, role: &str) -> RdsDetail {
        RdsDetail {
            status: status.into(),
            engine: "postgres 16.3".into(),
            role: role.into(),
            allocated_gib: Some(100),
            ..RdsDetail::default()
        }
    }

    #[test]
    fn status_rates_health_and_says_role_and_maintenance() {
        assert_eq!(status_health("available"), Health::Ok);
        for s in [
            "rebooting",
            "failing-over",
            "storage-full",
            "incompatible-parameters",
            "failed",
        ] {
            assert_eq!(status_health(s), Health::Crit, "{s}");
        }
        for s in [
            "modifying",
            "backing-up",
            "maintenance",
            "configuring-enhanced-monitoring",
            "upgrading",
        ] {
            assert_eq!(status_health(s), Health::Warn, "{s}");
        }
        let mut d = detail("available", "replica of orders-db");
        d.multi_az = true;
        d.pending_maintenance = vec!["system-update".into()];
        let r = row("orders-db-ro", d);
        assert_eq!(r.kind, ResourceKind::Rds);
        assert_eq!(r.health, Health::Ok);
        assert_eq!(
            r.status,
            "available · replica of orders-db · Multi-AZ · maintenance pending: system-update"
        );
        let cluster = RdsDetail {
            status: "failing-over".into(),
            role: "cluster".into(),
            cluster_members: vec!["ledger-2".into(), "ledger-1".into()],
            ..RdsDetail::default()
        };
        let r = row("ledger", cluster);
        assert_eq!(r.health, Health::Crit);
        assert_eq!(r.status, "failing-over · writer ledger-2 · 1 reader");
    }

    #[test]
    fn metrics_follow_role_and_storage() {
        let rows = vec![
            row("orders-db", detail("available", "primary of orders-db-ro")),
            row("orders-db-ro", detail("available", "replica of orders-db")),
            row(
                "ledger",
                RdsDetail {
                    status: "available".into(),
                    role: "cluster".into(),
                    ..RdsDetail::default()
                },
            ),
        ];
        let m = Rds.metrics(&rows);
        let names: Vec<&str> = m.iter().map(|d| d.label.as_str()).collect();
        assert!(names.contains(&"orders-db CPU"));
        assert!(names.contains(&"orders-db-ro replica lag"));
        assert!(!names.contains(&"orders-db replica lag"));
        assert!(
            !names.iter().any(|n| n.starts_with("ledger")),
            "a cluster row has no instance metrics"
        );
        let free = m
            .iter()
            .find(|d| d.label == "orders-db free storage")
            .unwrap();
        assert_eq!(free.thresholds.direction, crate::model::Direction::Below);
        assert_eq!(
            free.thresholds.crit,
            Some(100.0 * 1024.0 * 1024.0 * 1024.0 * 0.05)
        );
        assert_eq!(
            m.iter()
                .filter(|d| d.key.dimensions["DBInstanceIdentifier"] == "orders-db")
                .count(),
            5
        );
    }
}

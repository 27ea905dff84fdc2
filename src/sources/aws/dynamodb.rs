//! DynamoDB tables: DescribeTable, DescribeContinuousBackups (point-in-time recovery) and
//! ListBackups (the latest on-demand backup) per table per refresh; DynamoDB has no batch
//! describe.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Detail, DynamodbDetail, Health, Resource, ResourceKind};
use aws_sdk_dynamodb::Client;
use futures::future::BoxFuture;

pub async fn list(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = c.list_tables().into_paginator().send();
    while let Some(p) = pages.next().await {
        out.extend(p.map_err(AwsError::from)?.table_names().iter().cloned());
    }
    Ok(out)
}

/// One table's row. Point-in-time recovery and the latest backup change rarely: asked for
/// every five minutes.
pub async fn fetch(
    c: &Client,
    table: &str,
    memo: &super::kind::Memo,
    now_ms: i64,
) -> AwsResult<Resource> {
    let t = c
        .describe_table()
        .table_name(table)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(table))?;
    let t = t
        .table()
        .ok_or_else(|| format!("{table}: no description"))?;
    let provisioned = t.provisioned_throughput();
    let billing = t
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .map(|b| b.as_str().to_string())
        .unwrap_or_else(|| "PROVISIONED".into());
    let cap = |v: Option<i64>| v.filter(|n| *n > 0 && billing != "PAY_PER_REQUEST");
    let slow = super::kind::SLOW_MS;
    let pitr = memo
        .or_ask::<String, _, AwsError>(&format!("pitr {table}"), slow, now_ms, async {
            let r = c
                .describe_continuous_backups()
                .table_name(table)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(r.continuous_backups_description()
                .and_then(|d| d.point_in_time_recovery_description())
                .and_then(|p| p.point_in_time_recovery_status())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default())
        })
        .await
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s == "ENABLED");
    let latest_backup_ms = memo
        .or_ask::<String, _, AwsError>(&format!("backup {table}"), slow, now_ms, async {
            let r = c
                .list_backups()
                .table_name(table)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(r.backup_summaries()
                .iter()
                .filter_map(|b| b.backup_creation_date_time())
                .map(|d| d.to_millis().unwrap_or(0))
                .max()
                .map(|t| t.to_string())
                .unwrap_or_default())
        })
        .await
        .ok()
        .and_then(|s| s.parse().ok());
    let d = DynamodbDetail {
        status: t
            .table_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        billing_mode: billing.clone(),
        item_count: t.item_count().unwrap_or(0),
        read_capacity: cap(provisioned.and_then(|p| p.read_capacity_units())),
        write_capacity: cap(provisioned.and_then(|p| p.write_capacity_units())),
        pitr,
        latest_backup_ms,
    };
    Ok(row(table, d, now_ms))
}

/// Health: ACTIVE is fine; being created or updated warns; being deleted, archived or
/// unreadable (its KMS key gone) is critical. Point-in-time recovery and backups are told,
/// not rated.
pub fn row(name: &str, d: DynamodbDetail, now_ms: i64) -> Resource {
    let mut r = Resource::new(name, name, Detail::Dynamodb(DynamodbDetail::default()));
    r.health = match d.status.as_str() {
        "ACTIVE" => Health::Ok,
        "CREATING" | "UPDATING" => Health::Warn,
        "" => Health::Unknown,
        _ => Health::Crit,
    };
    let mode = match (d.read_capacity, d.write_capacity) {
        (Some(rc), Some(wc)) => format!("provisioned {rc} RCU/{wc} WCU"),
        _ => "on-demand".to_string(),
    };
    let pitr = match d.pitr {
        Some(true) => "PITR on",
        Some(false) => "PITR off",
        None => "PITR ?",
    };
    let backup = match d.latest_backup_ms {
        Some(t) => format!("backup {} ago", crate::text::age((now_ms - t).max(0))),
        None => "no backup".into(),
    };
    r.status = format!(
        "{} · {} items · {mode} · {pitr} · {backup}",
        d.status, d.item_count
    );
    r.detail = Detail::Dynamodb(d);
    r
}

pub fn error_row(name: &str, error: &str) -> Resource {
    super::kind::failed_row(
        name,
        name,
        Detail::Dynamodb(DynamodbDetail::default()),
        error,
    )
}

pub struct Dynamodb;

impl Kind for Dynamodb {
    fn apply<'a>(
        &'a self,
        c: &'a super::Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<futures::future::BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Dynamodb(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }

    fn kind(&self) -> ResourceKind {
        ResourceKind::Dynamodb
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.tables.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list(&c.dynamodb))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let (c, now_ms, memo) = (cx.c, cx.now_ms, cx.memo);
        Box::pin(async move {
            let mut out = Vec::new();
            for t in targets {
                out.push((
                    t.clone(),
                    fetch(&c.dynamodb, t, memo, now_ms).await.map(|r| vec![r]),
                ));
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per table: consumed read and write capacity (per minute; against the provisioned
    /// capacity when there is one: 80 % warns, 100 % is critical), read and write throttle
    /// events (1 / 50), GetItem latency (20 / 100 ms) and PutItem system errors (1 / 10).
    /// ThrottledRequests, SystemErrors and SuccessfulRequestLatency are published per
    /// operation; the table-wide throttle events and one representative operation each keep
    /// it to six series a table.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Dynamodb(d) = &r.detail else {
                continue;
            };
            if d.status.is_empty() {
                continue;
            }
            let ns = "AWS/DynamoDB";
            let t: &[(&str, &str)] = &[("TableName", &r.name)];
            let per_minute = |cap: Option<i64>| {
                cap.map(|c| above(c as f64 * 60.0 * 0.8, c as f64 * 60.0))
                    .unwrap_or_default()
            };
            let mut consumed = |label: &str, m: &str, cap: Option<i64>| {
                let mut def = metric(
                    format!("{} {label}", r.name),
                    ns,
                    m,
                    t,
                    "Sum",
                    None,
                    per_minute(cap),
                );
                def.period = Some(60);
                out.push(def);
            };
            consumed(
                "read units/min",
                "ConsumedReadCapacityUnits",
                d.read_capacity,
            );
            consumed(
                "write units/min",
                "ConsumedWriteCapacityUnits",
                d.write_capacity,
            );
            out.push(metric(
                format!("{} read throttles", r.name),
                ns,
                "ReadThrottleEvents",
                t,
                "Sum",
                None,
                above(1.0, 50.0),
            ));
            out.push(metric(
                format!("{} write throttles", r.name),
                ns,
                "WriteThrottleEvents",
                t,
                "Sum",
                None,
                above(1.0, 50.0),
            ));
            out.push(metric(
                format!("{} GetItem latency", r.name),
                ns,
                "SuccessfulRequestLatency",
                &[("TableName", &r.name), ("Operation", "GetItem")],
                "Average",
                Some("ms"),
                above(20.0, 100.0),
            ));
            out.push(metric(
                format!("{} PutItem errors", r.name),
                ns,
                "SystemErrors",
                &[("TableName", &r.name), ("Operation", "PutItem")],
                "Sum",
                None,
                above(1.0, 10.0),
            ));
        }
        out
    }
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::DynamodbMutation,
) -> AwsResult<String> {
    use crate::sources::DynamodbMutation;
    match m {
        DynamodbMutation::BackupTable { table, backup } => {
            let r = c
                .dynamodb
                .create_backup()
                .table_name(table)
                .backup_name(backup)
                .send()
                .await
                .map_err(AwsError::from)?;
            let status = r
                .backup_details()
                .map(|b| b.backup_status().as_str().to_string())
                .unwrap_or_else(|| "?".into());
            Ok(format!("{table}: backup {backup} {status}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_tell_mode_recovery_and_backup_age() {
        let now = 1_700_000_000_000;
        let d = DynamodbDetail {
            status: "ACTIVE".into(),
            billing_mode: "PROVISIONED".into(),
            item_count: 1200,
            read_capacity: Some(100),
            write_capacity: Some(50),
            pitr: Some(false),
            latest_backup_ms: Some(now - 3 * 3_600_000),
        };
        let r = row("orders", d.clone(), now);
        assert_eq!(r.health, Health::Ok);
        assert_eq!(
            r.status,
            "ACTIVE · 1200 items · provisioned 100 RCU/50 WCU · PITR off · backup 3h ago"
        );
        let m = Dynamodb.metrics(&[r]);
        assert_eq!(m.len(), 6);
        assert_eq!(m[0].thresholds.crit, Some(6000.0), "100 RCU for a minute");
        assert_eq!(m[0].period, Some(60));
        let on_demand = DynamodbDetail {
            read_capacity: None,
            write_capacity: None,
            status: "UPDATING".into(),
            latest_backup_ms: None,
            pitr: Some(true),
            ..d
        };
        let r = row("orders", on_demand, now);
        assert_eq!(r.health, Health::Warn);
        assert!(
            r.status.contains("on-demand · PITR on · no backup"),
            "{}",
            r.status
        );
        assert!(Dynamodb.metrics(&[r])[0].thresholds.is_empty());
        let gone = DynamodbDetail {
            status: "INACCESSIBLE_ENCRYPTION_CREDENTIALS".into(),
            ..DynamodbDetail::default()
        };
        assert_eq!(row("x", gone, now).health, Health::Crit);
    }
}

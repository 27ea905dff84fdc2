//! CloudWatch metrics: one GetMetricData call per refresh for up to 500 series (more calls
//! only beyond that), period fitted to the window, start aligned to the period boundary.

use super::errors::describe;
use super::plan::{METRICS_PER_CALL, MetricDef, aligned_range, period_for};
use crate::model::{MetricSeries, Resource};
use crate::sources::Window;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};

pub fn query(i: usize, d: &MetricDef, period: i64) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(&d.key.namespace)
        .metric_name(&d.key.metric)
        .set_dimensions(Some(
            d.key
                .dimensions
                .iter()
                .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(d.period.unwrap_or(period) as i32)
                .stat(&d.key.stat)
                .build(),
        )
        .return_data(true)
        .set_account_id(d.key.account.clone())
        .build()
}

/// Fetches the window for every definition. Returns the series and the number of calls made.
pub async fn fetch(
    c: &Client,
    defs: &[MetricDef],
    window: Window,
    now_ms: i64,
) -> Result<(Vec<MetricSeries>, usize), String> {
    let period = period_for(window);
    let (start, end) = aligned_range(now_ms, window, period);
    let mut series: Vec<MetricSeries> = defs
        .iter()
        .map(|d| MetricSeries {
            context: None,
            label: d.label.clone(),
            key: d.key.clone(),
            unit: d.unit.clone(),
            thresholds: d.thresholds,
            points: Vec::new(),
        })
        .collect();
    let mut calls = 0;
    for (chunk_no, chunk) in defs.chunks(METRICS_PER_CALL).enumerate() {
        let base = chunk_no * METRICS_PER_CALL;
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(i, d)| query(base + i, d, period))
            .collect();
        let mut token: Option<String> = None;
        loop {
            calls += 1;
            let resp = c
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(DateTime::from_millis(start))
                .end_time(DateTime::from_millis(end))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| describe(&e))?;
            for r in resp.metric_data_results() {
                let Some(i) = r
                    .id()
                    .and_then(|id| id.strip_prefix('m'))
                    .and_then(|n| n.parse::<usize>().ok())
                else {
                    continue;
                };
                if let Some(s) = series.get_mut(i) {
                    for (t, v) in r.timestamps().iter().zip(r.values()) {
                        if let Ok(ms) = t.to_millis() {
                            s.points.push((ms, *v));
                        }
                    }
                }
            }
            token = resp.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    for s in &mut series {
        s.points.sort_by_key(|p| p.0);
        s.points.dedup_by_key(|p| p.0);
    }
    Ok((series, calls))
}

/// What a monitoring account sees of its linked source accounts (CloudWatch cross-account
/// observability): ListMetrics with IncludeLinkedAccounts for the metric each kind says
/// every one of its resources has (ECS services' CPU, Lambda functions' Errors), each
/// account's resources found in their dimensions, and for each the standard metrics the
/// context's own get, read with that account's AccountId and labelled with it. The context's
/// own account is left out (its discovery has it).
pub async fn linked(
    c: &Client,
    plan: &super::plan::Plan,
    own: Option<&str>,
) -> Result<Vec<MetricDef>, String> {
    use std::collections::BTreeMap;
    let mut out: BTreeMap<String, Vec<MetricDef>> = BTreeMap::new();
    for kind in super::registry::KINDS {
        let Some((ns, metric)) = kind.linked_metric() else {
            continue;
        };
        // Each linked account's rows of this kind, from the metric's dimensions.
        let mut found: BTreeMap<String, BTreeMap<String, Resource>> = BTreeMap::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let resp = c
                .list_metrics()
                .namespace(ns)
                .metric_name(metric)
                .include_linked_accounts(true)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let owners = resp.owning_accounts();
            for (i, m) in resp.metrics().iter().enumerate() {
                let Some(acct) = owners.get(i).filter(|a| Some(a.as_str()) != own) else {
                    continue;
                };
                let dim = |n: &str| {
                    m.dimensions()
                        .iter()
                        .find(|d| d.name() == Some(n))
                        .and_then(|d| d.value())
                        .map(str::to_string)
                };
                if let Some(r) = kind.of_dimensions(&dim) {
                    found
                        .entry(acct.clone())
                        .or_default()
                        .insert(r.id.clone(), r);
                }
            }
            token = resp.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        for (acct, rows) in found {
            let rows: Vec<Resource> = rows.into_values().collect();
            for mut d in plan.rated(kind.metrics(&rows)) {
                d.label = format!("{acct} {}", d.label);
                d.key.account = Some(acct.clone());
                out.entry(acct.clone()).or_default().push(d);
            }
        }
    }
    // Account by account, each kind's in registry order.
    Ok(out.into_values().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MetricKey, Thresholds};

    #[test]
    fn queries_carry_namespace_dimensions_stat_and_period() {
        let d = MetricDef {
            label: "api CPU".into(),
            key: MetricKey {
                namespace: "AWS/ECS".into(),
                metric: "CPUUtilization".into(),
                dimensions: [("ClusterName".to_string(), "prod".to_string())].into(),
                stat: "p99".into(),
                account: None,
            },
            unit: None,
            thresholds: Thresholds::default(),
            period: None,
        };
        let q = query(7, &d, 300);
        assert_eq!(q.id(), Some("m7"));
        let ms = q.metric_stat().unwrap();
        assert_eq!(ms.period(), Some(300));
        assert_eq!(ms.stat(), Some("p99"));
        let m = ms.metric().unwrap();
        assert_eq!(m.namespace(), Some("AWS/ECS"));
        assert_eq!(m.dimensions()[0].name(), Some("ClusterName"));
        let fixed = MetricDef {
            period: Some(60),
            ..d
        };
        assert_eq!(
            query(0, &fixed, 300).metric_stat().unwrap().period(),
            Some(60)
        );
    }
}

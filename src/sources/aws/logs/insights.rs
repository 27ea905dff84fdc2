//! Logs Insights queries: StartQuery, then GetQueryResults until the query ends.

use super::super::errors::describe;
use crate::model::LogEvent;
use aws_sdk_cloudwatchlogs::Client;
use std::sync::Arc;
use std::time::Duration;

/// Logs Insights: StartQuery, then GetQueryResults until the query ends (at most `limit`).
/// Each result row becomes a log line: of the group its `@log` names (`account:name`; shown
/// as [`super::label`] does, the own account's by name alone), else of group `insights`. Groups given
/// as ARNs (a monitoring account's linked groups) go as `logGroupIdentifiers`, which take
/// names and ARNs alike; a query takes at most 50.
pub async fn insights(
    c: &Client,
    groups: &[String],
    own_account: Option<&str>,
    query: &str,
    since_ms: i64,
    until_ms: i64,
    limit: Duration,
) -> Result<Vec<LogEvent>, String> {
    let groups: Vec<String> = groups.iter().take(50).cloned().collect();
    let ask = c.start_query();
    let ask = if groups.iter().any(|g| g.starts_with("arn:")) {
        ask.set_log_group_identifiers(Some(groups))
    } else {
        ask.set_log_group_names(Some(groups))
    };
    let started = ask
        .start_time(since_ms / 1000)
        .end_time(until_ms / 1000)
        .query_string(query)
        .send()
        .await
        .map_err(|e| format!("insights: {}", describe(&e)))?;
    let id = started.query_id().unwrap_or_default().to_string();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let r = c
            .get_query_results()
            .query_id(&id)
            .send()
            .await
            .map_err(|e| format!("insights: {}", describe(&e)))?;
        let status = r
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        match status.as_str() {
            "Complete" => {
                let insights: Arc<str> = Arc::from(crate::model::INSIGHTS_GROUP);
                return Ok(r
                    .results()
                    .iter()
                    .map(|row| {
                        let mut time_ms = until_ms;
                        let mut message = None;
                        let mut group = insights.clone();
                        let mut other = Vec::new();
                        for f in row {
                            match (f.field(), f.value()) {
                                (Some("@log"), Some(v)) => {
                                    group = Arc::from(log_field_label(v, own_account).as_str())
                                }
                                (Some("@timestamp"), Some(v)) => {
                                    time_ms = parse_insights_time(v).unwrap_or(until_ms)
                                }
                                (Some("@message"), Some(v)) => message = Some(v.to_string()),
                                (Some("@ptr"), _) => {}
                                (Some(k), Some(v)) => other.push(format!("{k}={v}")),
                                _ => {}
                            }
                        }
                        LogEvent {
                            time_ms,
                            group,
                            stream: None,
                            message: match message {
                                Some(m) if other.is_empty() => m,
                                Some(m) => format!("{m} {}", other.join(" ")),
                                None => other.join(" "),
                            },
                        }
                    })
                    .collect());
            }
            "Failed" | "Cancelled" | "Timeout" | "Unknown" => {
                return Err(format!("insights: query {status}"));
            }
            _ => {}
        }
        if tokio::time::Instant::now() > deadline {
            let _ = c.stop_query().query_id(&id).send().await;
            return Err(format!("insights: no result within {} s", limit.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Insights' `@log` (`123456789012:/ecs/api`) as the logs pane names groups: the own
/// account's by name, another's as `account name`.
fn log_field_label(v: &str, own_account: Option<&str>) -> String {
    match v.split_once(':') {
        Some((acct, name)) if acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()) => {
            if own_account == Some(acct) {
                name.to_string()
            } else {
                format!("{acct} {name}")
            }
        }
        _ => v.to_string(),
    }
}

/// `2026-11-22 06:00:00.123` (UTC), as Insights prints `@timestamp`.
fn parse_insights_time(s: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
        .or_else(|| s.parse::<i64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_timestamps() {
        assert_eq!(parse_insights_time("1970-01-01 00:00:01.500"), Some(1500));
        assert_eq!(parse_insights_time("nonsense"), None);
    }

    #[test]
    fn insights_log_field_names_the_group_as_the_logs_pane_does() {
        let own = Some("123456789012");
        assert_eq!(
            log_field_label("123456789012:/ecs/prod/api", own),
            "/ecs/prod/api"
        );
        assert_eq!(
            log_field_label("222222222222:/ecs/prod/api", own),
            "222222222222 /ecs/prod/api"
        );
        assert_eq!(
            log_field_label("222222222222:/ecs/prod/api", None),
            "222222222222 /ecs/prod/api"
        );
        // Not an account prefix (moto gives the bare name; a name may hold a colon).
        assert_eq!(log_field_label("/ecs/prod/api", own), "/ecs/prod/api");
        assert_eq!(log_field_label("/a:b", own), "/a:b");
    }
}

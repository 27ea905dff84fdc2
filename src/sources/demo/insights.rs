//! Logs Insights for the demo: a small subset of the query language run over the log lines
//! the simulated fleet produced, so `i` in the Logs pane works without an account.
//! Supported: `fields …` (ignored: rows show the message), `filter @message like /regex/` or
//! `like "text"`, `filter @logStream`/`@log like …`, `sort @timestamp asc|desc`, `limit N`.

use crate::model::LogEvent;
use regex::Regex;
use std::collections::VecDeque;
use std::sync::Arc;

/// Lines kept for queries.
pub const HISTORY: usize = 20_000;

pub fn run(
    history: &VecDeque<LogEvent>,
    query: &str,
    since_ms: i64,
    groups: &[String],
) -> Result<Vec<LogEvent>, String> {
    let mut filters: Vec<(String, Regex)> = Vec::new();
    let mut desc = true;
    let mut limit = 1000usize;
    for part in split_pipeline(query) {
        let (cmd, rest) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
        match cmd {
            "fields" | "display" => {}
            "filter" => {
                let (field, pat) = rest.split_once(" like ").ok_or_else(|| {
                    format!("demo Insights: use `filter FIELD like /regex/` (got `{part}`)")
                })?;
                let pat = pat.trim();
                let re = if let Some(r) = pat.strip_prefix('/').and_then(|p| p.strip_suffix('/')) {
                    Regex::new(r).map_err(|e| format!("demo Insights: bad regex: {e}"))?
                } else {
                    let lit = pat.trim_matches('"').trim_matches('\'');
                    Regex::new(&regex::escape(lit)).map_err(|e| e.to_string())?
                };
                filters.push((field.trim().to_string(), re));
            }
            "sort" => desc = !rest.contains("asc"),
            "limit" => {
                limit = rest
                    .trim()
                    .parse()
                    .map_err(|_| format!("demo Insights: `limit {rest}` is not a number"))?
            }
            other => {
                return Err(format!(
                    "demo Insights supports fields, filter … like, sort @timestamp, limit (not `{other}`)"
                ));
            }
        }
    }
    let matches = |e: &LogEvent| {
        filters.iter().all(|(field, re)| match field.as_str() {
            "@logStream" => e.stream.as_deref().is_some_and(|s| re.is_match(s)),
            "@log" => re.is_match(&e.group),
            _ => re.is_match(&e.message),
        })
    };
    let mut rows: Vec<LogEvent> = history
        .iter()
        .filter(|e| {
            e.time_ms >= since_ms
                && matches(e)
                && (groups.is_empty() || groups.iter().any(|g| **g == *e.group))
        })
        .cloned()
        .collect();
    rows.sort_by_key(|e| e.time_ms);
    if desc {
        rows.reverse();
    }
    rows.truncate(limit);
    let g: Arc<str> = Arc::from(crate::model::INSIGHTS_GROUP);
    Ok(rows
        .into_iter()
        .map(|e| LogEvent {
            message: format!(
                "{} {}",
                e.group.rsplit('/').next().unwrap_or(&e.group),
                e.message
            ),
            group: g.clone(),
            ..e
        })
        .collect())
}

/// Splits at `|` outside `/regex/` and quotes (a regex may contain `|`).
fn split_pipeline(q: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut in_re, mut quote, mut escaped) = (0, false, None, false);
    for (i, c) in q.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' | '\'' if !in_re => {
                quote = match quote {
                    Some(qc) if qc == c => None,
                    None => Some(c),
                    other => other,
                }
            }
            '/' if quote.is_none() => in_re = !in_re,
            '|' if !in_re && quote.is_none() => {
                out.push(q[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(q[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: i64, group: &str, m: &str) -> LogEvent {
        LogEvent {
            time_ms: t,
            group: Arc::from(group),
            stream: Some(Arc::from("s1")),
            message: m.into(),
        }
    }

    #[test]
    fn filter_sort_and_limit() {
        let h: VecDeque<LogEvent> = [
            ev(1, "/ecs/prod/api", "ERROR pool exhausted"),
            ev(2, "/ecs/prod/api", "GET /orders 200"),
            ev(3, "/aws/lambda/orders", "ERROR timeout"),
            ev(4, "/ecs/prod/api", "ERROR pool exhausted again"),
        ]
        .into();
        let r = run(
            &h,
            "fields @timestamp, @message | filter @message like /ERROR/ | limit 2",
            0,
            &[],
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].message, "api ERROR pool exhausted again");
        assert_eq!(r[1].message, "orders ERROR timeout");
        let r = run(
            &h,
            "filter @log like \"lambda\" | sort @timestamp asc",
            0,
            &[],
        )
        .unwrap();
        assert_eq!(r.len(), 1);
        let r = run(
            &h,
            "filter @message like /ERROR/ | sort @timestamp asc",
            2,
            &[],
        )
        .unwrap();
        assert_eq!(r[0].time_ms, 3, "since is honoured");
        assert!(
            run(&h, "stats count() by bin(5m)", 0, &[])
                .unwrap_err()
                .contains("supports")
        );
        assert!(
            run(&h, "filter @message like /(/", 0, &[])
                .unwrap_err()
                .contains("bad regex")
        );
    }
}

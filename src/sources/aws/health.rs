//! HTTP health checks: GET each URL with a timeout; status code, latency, and the JSON body's
//! `status` field when there is one.

use super::Clients;
use super::errors::{AwsError, AwsResult};
use super::kind::{Cx, Described, Kind};
use super::plan::Plan;
use crate::config::Watch;
use crate::config::live::WatchHealth;
use crate::model::{Health, MetricDef, Resource, ResourceKind};
use crate::runbook::targets::Targets;
use futures::future::BoxFuture;
use std::time::{Duration, Instant};

/// Slower than this is a warning even with a 2xx.
pub const SLOW_MS: u64 = 1000;
/// Bytes of a health body read at most.
const MAX_BODY: usize = 64 * 1024;

pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!(
            "opsdeck/",
            env!("CARGO_PKG_VERSION"),
            " health-check"
        ))
        .build()
        .expect("the HTTP client builds with static settings")
}

pub async fn check(client: &reqwest::Client, h: &WatchHealth) -> Resource {
    let started = Instant::now();
    let result = async {
        let mut resp = client.get(&h.url).send().await?;
        let code = resp.status().as_u16();
        // Bounded: health bodies are small; a huge or endless body is not read whole.
        let mut body = Vec::new();
        while body.len() < MAX_BODY {
            match resp.chunk().await {
                Ok(Some(c)) => body.extend_from_slice(&c),
                _ => break,
            }
        }
        body.truncate(MAX_BODY);
        Ok::<_, reqwest::Error>((code, body))
    }
    .await;
    let latency = started.elapsed().as_millis() as u64;
    match result {
        Ok((code, body)) => row(h, Some(code), Some(latency), &body, None),
        Err(e) => {
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "connection failed".to_string()
            } else {
                e.to_string()
            };
            row(h, None, None, &[], Some(why))
        }
    }
}

pub fn row(
    h: &WatchHealth,
    code: Option<u16>,
    latency_ms: Option<u64>,
    body: &[u8],
    error: Option<String>,
) -> Resource {
    let mut s = Resource::http(&h.name, &h.url);
    if let Some(d) = s.http_detail_mut() {
        d.status_code = code;
        d.latency_ms = latency_ms;
    }
    let body_status = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_string));
    let good_word = |w: &str| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "ok" | "pass" | "passing" | "up" | "healthy" | "green" | "available"
        )
    };
    s.health = match (code, &body_status) {
        (None, _) => Health::Crit,
        (Some(c), _) if !(200..300).contains(&c) => Health::Crit,
        (Some(_), Some(st))
            if st.eq_ignore_ascii_case("fail")
                || st.eq_ignore_ascii_case("down")
                || st.eq_ignore_ascii_case("unhealthy") =>
        {
            Health::Crit
        }
        (Some(_), Some(st)) if !good_word(st) => Health::Warn,
        _ if latency_ms.is_some_and(|l| l > SLOW_MS) => Health::Warn,
        _ => Health::Ok,
    };
    s.status = match (code, error) {
        (_, Some(e)) => e,
        (Some(c), _) => {
            let mut t = format!("{c}");
            if let Some(st) = body_status {
                t.push_str(&format!(" · {st}"));
            }
            if let Some(l) = latency_ms {
                t.push_str(&format!(" · {l} ms"));
            }
            t
        }
        (None, None) => "no response".into(),
    };
    s
}

/// How long a health check may take (connect and answer).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// HTTP health endpoints: named in `[[watch.health]]` or by the runbooks, never discovered;
/// all checked every refresh (a GET is cheap and it is what the team asked to watch). A
/// failing endpoint is a red row, not a failing feed.
pub struct Http;

impl Kind for Http {
    fn kind(&self) -> ResourceKind {
        ResourceKind::Http
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.health.iter().map(|h| h.name.clone()).collect()
    }

    /// Config first, else the URLs runbooks check (`curl …/health`), else none.
    fn plan(&self, p: &mut Plan, watch: &Watch, targets: &[Targets]) {
        p.health = super::plan::choose(
            &mut p.origin,
            "health",
            &watch.health,
            || {
                targets
                    .iter()
                    .flat_map(|t| t.health_urls.iter())
                    .filter(|h| !h.template)
                    .map(|h| WatchHealth {
                        name: super::plan::health_name(&h.name),
                        url: h.name.clone(),
                    })
                    .collect()
            },
            "none",
        )
        .unwrap_or_default();
    }

    fn planned(&self, p: &Plan) -> Option<Vec<String>> {
        Some(p.health.iter().map(|h| h.name.clone()).collect())
    }

    fn discover<'a>(&'a self, _c: &'a Clients) -> BoxFuture<'a, AwsResult<Vec<String>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn steady(&self, _configured: Duration) -> Duration {
        Duration::ZERO
    }

    fn refresh_ms(&self, r: &crate::config::Refresh) -> i64 {
        r.health_ms
    }

    fn describe<'a>(&'a self, cx: &'a Cx<'a>, targets: &'a [String]) -> BoxFuture<'a, Described> {
        Box::pin(async move {
            futures::future::join_all(targets.iter().map(|t| async move {
                let r = match cx.plan.health.iter().find(|h| h.name == *t) {
                    Some(h) => Ok(vec![check(&cx.c.http, h).await]),
                    None => Err(AwsError::from(format!("{t}: no such health check"))),
                };
                (t.clone(), r)
            }))
            .await
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        let mut r = Resource::http(target, "");
        r.status = error.to_string();
        r
    }

    fn metrics(&self, _rows: &[Resource]) -> Vec<MetricDef> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() -> WatchHealth {
        WatchHealth {
            name: "api".into(),
            url: "http://127.0.0.1:1/health".into(),
        }
    }

    #[test]
    fn health_from_code_body_and_latency() {
        assert_eq!(
            row(&h(), Some(200), Some(12), br#"{"status":"ok"}"#, None).health,
            Health::Ok
        );
        let degraded = row(&h(), Some(200), Some(12), br#"{"status":"degraded"}"#, None);
        assert_eq!(degraded.health, Health::Warn);
        assert_eq!(degraded.status, "200 · degraded · 12 ms");
        assert_eq!(
            row(&h(), Some(200), Some(12), br#"{"status":"fail"}"#, None).health,
            Health::Crit
        );
        assert_eq!(
            row(&h(), Some(503), Some(12), b"", None).health,
            Health::Crit
        );
        assert_eq!(
            row(&h(), Some(200), Some(1500), b"plain", None).health,
            Health::Warn
        );
        let down = row(&h(), None, None, b"", Some("connection failed".into()));
        assert_eq!(down.health, Health::Crit);
        assert_eq!(down.status, "connection failed");
    }

    #[tokio::test]
    async fn a_refused_connection_is_critical_not_an_error() {
        let s = check(&client(Duration::from_secs(2)), &h()).await;
        assert_eq!(s.health, Health::Crit);
        assert_eq!(
            s.http_detail().map(|d| d.url.as_str()),
            Some("http://127.0.0.1:1/health")
        );
    }
}

//! `opsdeck snapshot`: run the sources without a terminal until every feed has delivered once
//! (or a time limit passes), then print the cockpit as text or the data model as JSON.

use crate::app::{App, Msg};
use crate::config::{Keymap, Theme};
use crate::model::Health;
use crate::sources::{COMMAND_CHANNEL, DataSource, EVENT_CHANNEL};
use crate::ui;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

/// Log lines included in JSON output (the newest).
pub const JSON_LOG_LINES: usize = 1000;

pub async fn collect(
    source: Box<dyn DataSource>,
    config: crate::app::AppConfig,
    limit_secs: f64,
) -> App {
    let info = source.info();
    let mut app = App::new(&info, config, crate::clock::now_ms());
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL);
    let (_cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CHANNEL);
    let task = source.start(tx, cmd_rx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(limit_secs.max(0.0));
    let mut batch = Vec::new();
    while !app.feeds.all_delivered() {
        tokio::select! {
            n = rx.recv_many(&mut batch, 512) => {
                if n == 0 { break; }
                for ev in batch.drain(..) {
                    app.update(Msg::Source(ev));
                }
            }
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    task.abort();
    app.update(Msg::Tick {
        now_ms: crate::clock::now_ms().max(app.now_ms),
    });
    let names: Vec<(crate::sources::FeedId, String)> = app
        .feeds
        .feeds
        .keys()
        .map(|k| (*k, app.feed_name(*k)))
        .collect();
    for (id, name) in names {
        if let Some(st) = app.feeds.feeds.get_mut(&id)
            && st.last_ok_ms.is_none()
            && st.error.is_none()
        {
            st.error = Some(format!("{name}: no data within {limit_secs} s"));
        }
    }
    app
}

pub fn text(app: &App, theme: &Theme, keymap: &Keymap, width: u16, height: u16) -> String {
    let mut app = app.clone();
    app.size = (width, height);
    ui::buffer_text(&ui::render_buffer(&app, theme, keymap, width, height))
}

fn health(h: Health) -> Value {
    serde_json::to_value(h).unwrap_or(Value::Null)
}

/// A services-pane row as `services[]` has always had it (kind, name, cluster, status,
/// desired/running/pending, health, and the kind's fields flat), plus what the resource
/// model adds: `id`, `context` and the kind's `detail` object. Additive only.
fn service_json(r: &crate::model::Resource) -> serde_json::Result<Value> {
    let counts = r.counts;
    let mut v = json!({
        "kind": r.kind,
        "id": r.id,
        "name": r.name,
        "cluster": r.cluster(),
        "status": r.status,
        "desired": counts.map(|c| c.desired),
        "running": counts.map(|c| c.running),
        "pending": counts.map(|c| c.pending),
        "health": health(r.health),
        "detail": serde_json::to_value(&r.detail)?,
    });
    let o = v.as_object_mut().expect("an object literal");
    let mut put = |k: &str, x: Value| {
        if !x.is_null() {
            o.insert(k.into(), x);
        }
    };
    put("context", json!(r.context));
    put("version", json!(r.version()));
    r.snapshot_fields(&mut put);
    Ok(v)
}

pub fn json(app: &App) -> anyhow::Result<String> {
    let window_start = app.now_ms - app.metrics.window.millis();
    let services: Vec<Value> = app
        .services
        .rows()
        .iter()
        .map(service_json)
        .collect::<Result<_, _>>()?;
    let metrics: Vec<Value> = app
        .metrics
        .series
        .iter()
        .map(|s| {
            let mut v = json!({
                "label": s.label,
                "namespace": s.key.namespace,
                "metric": s.key.metric,
                "dimensions": s.key.dimensions,
                "stat": s.key.stat,
                "unit": s.unit,
                "values": s.window(window_start).iter().map(|p| p.1).collect::<Vec<_>>(),
                "last": s.last(),
                "health": health(s.health()),
                "thresholds": { "warn": s.thresholds.warn, "crit": s.thresholds.crit },
            });
            if let Some(c) = &s.context {
                v["context"] = json!(c);
            }
            if let Some(a) = &s.key.account {
                v["account"] = json!(a);
            }
            v
        })
        .collect();
    let alarms: Vec<Value> = app
        .alarms
        .alarms
        .iter()
        .map(|a| {
            let mut v = json!({ "name": a.name, "state": a.state, "reason": a.reason });
            if let Some(c) = &a.context {
                v["context"] = json!(c);
            }
            v
        })
        .collect();
    let lines = app.logs.lines();
    let logs: Vec<Value> = lines
        .iter()
        .skip(lines.len().saturating_sub(JSON_LOG_LINES))
        .map(|l| {
            json!({
                "time": chrono::DateTime::from_timestamp_millis(l.time_ms)
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                "group": &*l.group,
                "stream": l.stream.as_deref(),
                "level": l.level.map(|v| v.as_str()),
                "message": l.message,
            })
        })
        .collect();
    let mut errors: Vec<Value> = app
        .feeds
        .feeds
        .iter()
        .filter_map(|(id, st)| {
            st.error.as_ref().map(|e| {
                let mut v = json!({ "source": id.feed.name(), "message": e });
                if let Some(l) = app.context_tag(id.ctx) {
                    v["context"] = json!(l);
                }
                v
            })
        })
        .collect();
    errors.extend(
        app.load_errors
            .iter()
            .map(|e| json!({ "source": "runbooks", "message": e })),
    );
    let mut doc = json!({
        "source": app.source_label,
        "services": services,
        "metrics": metrics,
        "alarms": alarms,
        "logs": logs,
        "errors": errors,
        "notes": app.source_notes,
    });
    // With several contexts: what each item's `context` label stands for (additive).
    if !app.contexts.is_empty() {
        doc["contexts"] = app
            .contexts
            .iter()
            .map(|c| {
                json!({
                    "label": c.label,
                    "profile": c.profile,
                    "region": c.region,
                    "account": c.account,
                    "production": c.production,
                    "read_only": c.read_only,
                })
            })
            .collect();
    }
    Ok(serde_json::to_string_pretty(&doc)?)
}

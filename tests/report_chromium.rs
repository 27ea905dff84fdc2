//! The postmortem report in a real browser: a journal and a recording of an incident (the
//! API's CPU crossing its thresholds, an alarm firing, the operator scaling, recovery) go
//! through `opsdeck journal export --format html --recording`, then headless Chromium
//! renders the page: its DOM must have the charts, the action markers and the timeline rows,
//! and its screenshot must not be blank.

mod common;

use opsdeck::journal::{Context, Kind};
use opsdeck::model::{Direction, MetricKey, MetricSeries, Thresholds};
use opsdeck::sources::recording::Recorder;
use opsdeck::sources::{Feed, Payload, SourceEvent, SourceInfo};
use std::path::{Path, PathBuf};
use std::process::Command;

const T0: i64 = 1_796_245_200_000; // 2026-12-02T21:00:00Z

fn chromium() -> PathBuf {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] {
            let p = Path::new(dir).join(c);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "Chromium is not installed: run `bash tests/run.sh` (installs Debian's chromium) or `apt-get install chromium`"
    );
}

fn key(metric: &str) -> MetricKey {
    MetricKey {
        namespace: "AWS/ECS".into(),
        metric: metric.into(),
        dimensions: [("ServiceName".to_string(), "api".to_string())].into(),
        stat: "Average".into(),
        account: None,
    }
}

/// A journal and a recording of the same 20 minutes.
fn incident(dir: &Path) -> (PathBuf, PathBuf) {
    let journal = dir.join("journal.jsonl");
    let recording = dir.join("incident.opsrec");
    let at = |min: i64| chrono::DateTime::from_timestamp_millis(T0 + min * 60_000).unwrap();
    let ctx = Context {
        user: "alice".into(),
        host: "bastion".into(),
        profile: Some("prod".into()),
        region: Some("eu-west-1".into()),
        account: Some("123456789012".into()),
    };
    let mut j = opsdeck::journal::Journal::open(&journal).unwrap();
    let mut fired = ctx.entry(Kind::Event, "alarm prod-api-cpu OK → ALARM", at(12));
    fired.resource = Some("prod-api-cpu".into());
    fired.before = Some("OK".into());
    fired.after = Some("ALARM".into());
    j.append(fired).unwrap();
    let mut scaled = ctx.entry(
        Kind::Confirmed,
        "ECS UpdateService cluster=prod service=api desiredCount=8",
        at(14),
    );
    scaled.risk = Some("write".into());
    j.append(scaled).unwrap();
    j.append(ctx.entry(Kind::Note, "db team paged <b>now</b>", at(15)))
        .unwrap();
    let mut ok = ctx.entry(Kind::Event, "alarm prod-api-cpu ALARM → OK", at(20));
    ok.resource = Some("prod-api-cpu".into());
    ok.before = Some("ALARM".into());
    ok.after = Some("OK".into());
    j.append(ok).unwrap();

    let info = SourceInfo {
        label: "prod · eu-west-1".into(),
        feeds: vec![(Feed::Metrics, 60_000)],
    };
    let mut r = Recorder::create(&recording, &info, &[], T0).unwrap();
    let series = |label: &str, metric: &str, v: &dyn Fn(i64) -> f64| MetricSeries {
        context: None,
        label: label.into(),
        key: key(metric),
        unit: Some("Percent".into()),
        thresholds: Thresholds {
            warn: Some(70.0),
            crit: Some(85.0),
            direction: Direction::Above,
        },
        points: (0..=25).map(|m| (T0 + m * 60_000, v(m))).collect(),
    };
    let cpu = |m: i64| {
        if (11..16).contains(&m) {
            93.0
        } else {
            35.0 + m as f64
        }
    };
    let mem = |m: i64| if (13..18).contains(&m) { 78.0 } else { 50.0 };
    let flat = |_: i64| 20.0;
    r.event(
        T0,
        &SourceEvent {
            ctx: 0,
            feed: Feed::Metrics,
            at_ms: T0,
            payload: Payload::MetricSeries(vec![
                series("api CPU", "CPUUtilization", &cpu),
                series("api memory", "MemoryUtilization", &mem),
                series("api disk", "DiskUtilization", &flat),
            ]),
        },
        &|s| s.to_string(),
    );
    r.event(
        T0 + 25 * 60_000,
        &SourceEvent {
            ctx: 0,
            feed: Feed::Metrics,
            at_ms: T0 + 25 * 60_000,
            payload: Payload::MetricPoints(vec![(
                key("CPUUtilization"),
                vec![(T0 + 26 * 60_000, 30.0)],
            )]),
        },
        &|s| s.to_string(),
    );
    r.finish();
    (journal, recording)
}

fn chrome(args: &[&str], profile: &Path) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

#[test]
fn the_html_report_renders_in_chromium_with_its_charts_markers_and_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let (journal, recording) = incident(dir.path());
    let out = Command::new(common::bin())
        .args(["journal", "export", "--format", "html", "--journal"])
        .arg(&journal)
        .arg("--recording")
        .arg(&recording)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "self-contained"
    );
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());

    let dom = chrome(&["--dump-dom", &url], &dir.path().join("profile-dom"));
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    // The two metrics that crossed a threshold are charted, the flat one is not.
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 2, "{dom}");
    assert!(dom.contains("api CPU") && dom.contains("api memory"));
    assert!(
        !dom.contains("api disk"),
        "a metric that stayed ok is left out"
    );
    // Threshold lines, and a marker per action (the scale and the note) on each chart.
    assert!(dom.contains("class=\"threshold crit\""));
    assert_eq!(dom.matches("<line class=\"action\"").count(), 4, "{dom}");
    // The alarm's health strip and the timeline's four rows, events and actions apart.
    assert_eq!(dom.matches("<svg class=\"strip\"").count(), 1);
    assert_eq!(dom.matches("<tr class=\"event\"").count(), 2);
    assert_eq!(dom.matches("<tr class=\"action\"").count(), 2);
    assert!(dom.contains("desiredCount=8"));
    assert!(dom.contains("alice@bastion") && dom.contains("123456789012"));
    // The note's markup is text, not markup.
    assert!(
        dom.contains("db team paged &lt;b&gt;now&lt;/b&gt;"),
        "escaped note"
    );

    let png = dir.path().join("report.png");
    let shot = chrome(
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,1600",
            &url,
        ],
        &dir.path().join("profile-shot"),
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let inked = pixels
        .iter()
        .filter(|p| p[..3].iter().any(|c| *c < 200))
        .count();
    let red = pixels
        .iter()
        .filter(|p| p[0] > 150 && p[1] < 90 && p[2] < 90)
        .count();
    assert!(
        inked * 100 > pixels.len(),
        "the screenshot is blank: {inked} dark pixels of {}",
        pixels.len()
    );
    assert!(
        red > 100,
        "the crit line and strip are drawn in red: {red} red pixels"
    );
}

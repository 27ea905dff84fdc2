//! Recordings and replay: the size of a one-hour recording of the demo incident, the time to
//! read it, and the time of a jump anywhere in it (the condensed state handed over and the
//! cockpit's update with it, what a keypress costs in `opsdeck replay`).
//!
//! The hour is made by stepping the demo fleet in simulated time (its generator, its
//! deliveries every second, its 200 log lines a second; the operator scales prod/api 8
//! at minute 2), written through the same `Recorder` the cockpit uses, with the cockpit's
//! journal entries. `cargo bench --bench replay` makes a full hour; under `cargo test` it makes
//! five minutes, so the suite checks that the benchmark runs.

use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::app::{App, AppConfig, Effect, Msg};
use opsdeck::sources::demo::{DemoSource, fleet::Fleet};
use opsdeck::sources::recording::{Recorder, Recording};
use opsdeck::sources::replay::state_at;
use opsdeck::sources::{DataSource, EcsMutation, Mutation, ReplayClock};
use std::hint::black_box;
use std::time::Instant;

const T0: i64 = 1_800_000_000_000;

fn seconds() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        3600
    } else {
        300
    }
}

/// Records `secs` of the demo incident; returns the file and its size.
fn record(dir: &std::path::Path, secs: u64) -> std::path::PathBuf {
    // OPSDECK_BENCH_RECORDING keeps it (for the report's figures).
    let path = std::env::var_os("OPSDECK_BENCH_RECORDING")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.join("hour.opsrec"));
    let _ = std::fs::remove_file(&path);
    let src = DemoSource::new(42, T0);
    let mut rec = Recorder::create(&path, &src.info(), &[], T0).unwrap();
    let mut app = App::new(
        &src.info(),
        AppConfig {
            log_capacity: 50_000,
            demo: true,
            ..Default::default()
        },
        T0,
    );
    let mut fleet = Fleet::new(42, T0);
    let deliver = |rec: &mut Recorder, app: &mut App, evs: Vec<opsdeck::sources::SourceEvent>| {
        for ev in evs {
            let t = ev.at_ms;
            rec.event(t, &ev, &|s| s.to_string());
            for fx in app.update(Msg::Source(ev)) {
                if let Effect::Journal(e) = fx {
                    rec.journal(t, &e);
                }
            }
        }
    };
    deliver(
        &mut rec,
        &mut app,
        DemoSource::initial_events(&mut fleet, 300.0),
    );
    for step in 1..=secs * 4 {
        if step == 120 * 4 {
            fleet
                .apply(&Mutation::Ecs(EcsMutation::ScaleService {
                    cluster: "prod".into(),
                    service: "api".into(),
                    desired: 8,
                }))
                .unwrap();
        }
        deliver(
            &mut rec,
            &mut app,
            DemoSource::step_events(&mut fleet, step),
        );
        if step % 4 == 0 {
            // The recorder flushes once a second and closes a frame once a minute on the
            // wall clock; here a simulated second passes in microseconds, so make it do the
            // same on simulated time.
            if (step / 4) % 60 == 0 {
                rec.next_frame();
            } else {
                rec.flush();
            }
        }
    }
    rec.finish();
    path
}

fn seek(rec: &Recording, at: i64) -> App {
    let mut app = App::new(
        &rec.info(),
        AppConfig {
            log_capacity: 50_000,
            read_only: true,
            replay: true,
            ..Default::default()
        },
        rec.start_ms(),
    );
    let clock = ReplayClock {
        at_ms: at,
        start_ms: rec.start_ms(),
        end_ms: rec.end_ms(),
        speed: 1.0,
        paused: true,
    };
    for ev in state_at(rec, at, 50_000, clock) {
        app.update(Msg::Source(ev));
    }
    app
}

fn replay(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let secs = seconds();
    let started = Instant::now();
    let path = record(dir.path(), secs);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "recording: {secs} s of the demo incident = {:.2} MB ({:.2} MB per hour), written in {:.1} s",
        size as f64 / 1e6,
        size as f64 / 1e6 * 3600.0 / secs as f64,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let rec = opsdeck::sources::recording::load(&path).unwrap();
    println!(
        "load: {} deliveries, {} journal entries in {:.2} s",
        rec.events.len(),
        rec.journal.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
    let (start, end) = (rec.start_ms(), rec.end_ms());
    let mut g = c.benchmark_group("replay_seek");
    g.sample_size(20);
    for (name, at) in [
        ("start", start + 5_000),
        ("middle", start + (end - start) / 2),
        ("end", end),
    ] {
        // The screen after the jump has the fleet in it.
        let app = seek(&rec, at);
        assert!(app.services.all().count() >= 20, "{name}");
        assert_eq!(app.now_ms, at);
        g.bench_function(name, |b| b.iter(|| black_box(seek(&rec, black_box(at)))));
    }
    g.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);

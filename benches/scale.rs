//! Criterion benchmarks at the scale of a large multi-account on-call (`--demo --scale 10`):
//! 10 contexts, 2 000 rows, 500 metric series, 5 000 log lines a second. A frame at 200x50,
//! and the cockpit's work for one second of everything the ten contexts deliver (what the
//! steady CPU is made of: that second's cost in ms is the share of one core, in tenths of
//! a percent).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use opsdeck::app::{App, AppConfig, Msg};
use opsdeck::config::{Keymap, Theme};
use opsdeck::sources::demo::scale::ScaledFleet;
use opsdeck::sources::{Feed, SourceEvent, SourceInfo};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const T0: i64 = 1_800_000_000_000;
const CONTEXTS: u16 = 10;

/// The cockpit after a minute of the scaled fleet, and the fleet to go on with.
fn scaled_app() -> (App, ScaledFleet) {
    let config = AppConfig {
        log_capacity: 50_000,
        contexts: (0..CONTEXTS)
            .map(opsdeck::app::ContextView::scaled_demo)
            .collect(),
        ..Default::default()
    };
    let info = SourceInfo {
        label: "scale".into(),
        feeds: opsdeck::sources::demo::FEEDS.to_vec(),
    };
    let mut app = App::new(&info, config, T0);
    let mut fleet = ScaledFleet::new(42, T0, CONTEXTS);
    app.update_batch(fleet.initial_events(10.0).into_iter().map(Msg::Source));
    for _ in 0..240 {
        app.update_batch(fleet.step_events().into_iter().map(Msg::Source));
    }
    app.update(Msg::Tick {
        now_ms: fleet.now_ms(),
    });
    app.update(Msg::Resize {
        width: 200,
        height: 50,
    });
    assert_eq!(app.services.total(), 2_000);
    assert_eq!(app.metrics.series.len(), 500);
    (app, fleet)
}

/// One second of the ten contexts' deliveries, as the event loop receives them.
fn one_second(fleet: &mut ScaledFleet) -> Vec<Vec<SourceEvent>> {
    (0..4).map(|_| fleet.step_events()).collect()
}

fn render(c: &mut Criterion) {
    let theme = Theme::load("default", None, false).unwrap();
    let keymap = Keymap::load("default", None).unwrap();
    let (mut app, mut fleet) = scaled_app();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut g = c.benchmark_group("scale_10_contexts");
    g.bench_function("frame_200x50", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::render(f, black_box(&app), &theme, &keymap))
                .unwrap();
        })
    });
    // A frame after each quarter second of data, so every pane has something new to draw.
    g.bench_function("quarter_second_then_frame_200x50", |b| {
        // Fresh data each time (simulated outside the measurement): replayed batches would
        // be older than the lines already shown, and each line would be placed back among
        // them (the logs pane keeps time order), which no live source does.
        b.iter_batched(
            || fleet.step_events(),
            |batch| {
                app.update_batch(batch.into_iter().map(Msg::Source));
                term.draw(|f| opsdeck::ui::render(f, black_box(&app), &theme, &keymap))
                    .unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn ingest(c: &mut Criterion) {
    let (app, mut fleet) = scaled_app();
    let second = one_second(&mut fleet);
    let lines: usize = second
        .iter()
        .flatten()
        .filter(|e| e.feed == Feed::Logs)
        .map(|e| match &e.payload {
            opsdeck::sources::Payload::Logs(l) => l.len(),
            _ => 0,
        })
        .sum();
    assert!(lines >= 4_900, "{lines} lines in a second");
    let mut g = c.benchmark_group("scale_10_contexts");
    g.bench_function("ingest_one_second", |b| {
        b.iter_batched(
            || (app.clone(), second.clone()),
            |(mut app, second)| {
                for batch in second {
                    app.update_batch(batch.into_iter().map(Msg::Source));
                }
                black_box(app.services.rows().len())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// What the simulated fleet itself costs per second (the demo's share of its process's CPU,
/// which a real AWS source does not have).
fn simulate(c: &mut Criterion) {
    let mut fleet = ScaledFleet::new(42, T0, CONTEXTS);
    fleet.initial_events(10.0);
    let mut g = c.benchmark_group("scale_10_contexts");
    g.bench_function("simulate_one_second", |b| {
        b.iter(|| black_box(one_second(&mut fleet)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = render, ingest, simulate
}
criterion_main!(benches);

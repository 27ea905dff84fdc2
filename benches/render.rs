//! Criterion benchmarks for the hot paths: a full-frame render at 200x50 with a full log
//! buffer, and log ingest (sanitise, redact, level, JSON compaction, search match) with a
//! search active.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opsdeck::app::logs::{LogsState, Search};
use opsdeck::app::{Action, App, Msg};
use opsdeck::config::{Keymap, Theme};
use opsdeck::model::LogEvent;
use opsdeck::sources::demo::{DemoSource, fleet::Fleet};
use opsdeck::sources::{DataSource, Payload, SourceEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const T0: i64 = 1_800_000_000_000;

/// The demo cockpit mid-incident with its 50 000-line buffer full.
fn full_app() -> App {
    let src = DemoSource::new(42, T0);
    let config = opsdeck::app::AppConfig {
        log_capacity: 50_000,
        ..Default::default()
    };
    let mut app = App::new(&src.info(), config, T0);
    let mut fleet = Fleet::new(42, T0);
    for ev in DemoSource::initial_events(&mut fleet, 2_400.0) {
        app.update(Msg::Source(ev));
    }
    for step in 1..=600 {
        for ev in DemoSource::step_events(&mut fleet, step) {
            app.update(Msg::Source(ev));
        }
    }
    app.update(Msg::Tick {
        now_ms: fleet.now_ms(),
    });
    app.update(Msg::Resize {
        width: 200,
        height: 50,
    });
    assert_eq!(app.logs.len(), 50_000, "buffer is full");
    app
}

/// Realistic lines from the demo generator (JSON, plain, Lambda), recycled.
fn corpus(n: usize) -> Vec<LogEvent> {
    let mut fleet = Fleet::new(7, T0);
    let mut out = Vec::with_capacity(n);
    let mut step = 0;
    while out.len() < n {
        step += 1;
        for ev in DemoSource::step_events(&mut fleet, step) {
            if let Payload::Logs(l) = ev.payload {
                out.extend(l);
            }
        }
    }
    out.truncate(n);
    out
}

fn render(c: &mut Criterion) {
    let theme = Theme::load("default", None, false).unwrap();
    let keymap = Keymap::load("default", None).unwrap();
    let mut app = full_app();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let lines = corpus(64);
    let mut g = c.benchmark_group("render_200x50_full_buffer");
    // Each frame follows new lines, so every frame redraws the log pane for real.
    g.bench_function("follow", |b| {
        let mut i = 0;
        b.iter(|| {
            i += 1;
            app.update(Msg::Source(SourceEvent {
                ctx: 0,
                feed: opsdeck::sources::Feed::Logs,
                at_ms: T0,
                payload: Payload::Logs(vec![lines[i % 64].clone()]),
            }));
            term.draw(|f| opsdeck::ui::render(f, black_box(&app), &theme, &keymap))
                .unwrap();
        })
    });
    let mut searching = app.clone();
    searching.update(Msg::Action(Action::FocusLogs));
    searching.logs.set_search(Search::new("pool|timed out"));
    searching.update(Msg::Action(Action::ToggleFilter));
    searching.update(Msg::Action(Action::ToggleWrap));
    g.bench_function("search_filter_wrap", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::render(f, black_box(&searching), &theme, &keymap))
                .unwrap();
        })
    });
    g.finish();
}

fn ingest(c: &mut Criterion) {
    let lines = corpus(10_000);
    let mut g = c.benchmark_group("log_ingest");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("10k_lines_search_active", |b| {
        b.iter_batched(
            || {
                let mut st = LogsState::new(50_000);
                st.set_search(Search::new("pool exhausted|timed out"));
                (st, lines.clone())
            },
            |(mut st, batch)| {
                st.ingest(batch);
                black_box(st.total_matches)
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("10k_lines_into_full_buffer", |b| {
        let mut st = LogsState::new(50_000);
        st.set_search(Search::new("pool exhausted|timed out"));
        for _ in 0..5 {
            st.ingest(lines.clone());
        }
        b.iter_batched(
            || lines.clone(),
            |batch| st.ingest(batch),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = render, ingest
}
criterion_main!(benches);

//! Every pane and overlay rendered through ratatui's TestBackend at 80x24 and 160x48, compared
//! with insta snapshots; plus per-cell style checks where colour carries meaning.
//!
//! States are built from the demo fleet at a fixed start time, so times are deterministic and
//! need no masking.

mod common;

use common::{demo_app, keymap, theme};
use opsdeck::app::{Action, App, Msg, Pane};
use opsdeck::sources::{Payload, SourceEvent};
use opsdeck::ui::{buffer_text, render_buffer};
use ratatui::buffer::Buffer;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn render(app: &App, w: u16, h: u16) -> Buffer {
    render_buffer(app, &theme(), &keymap(), w, h)
}

fn snap(name: &str, app: &App, w: u16, h: u16) {
    let text = buffer_text(&render(app, w, h));
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
}

use common::act;

#[test]
fn cockpit_quiet_and_during_the_incident() {
    for (w, h) in SIZES {
        snap("cockpit_quiet", &demo_app(5, w, h), w, h);
        snap("cockpit_incident", &demo_app(150, w, h), w, h);
    }
}

#[test]
fn each_pane_zoomed() {
    for (w, h) in SIZES {
        for (pane, focus) in [
            ("services", Action::FocusServices),
            ("metrics", Action::FocusMetrics),
            ("alarms", Action::FocusAlarms),
            ("logs", Action::FocusLogs),
        ] {
            let mut app = demo_app(150, w, h);
            act(&mut app, &[focus, Action::Zoom]);
            snap(&format!("zoom_{pane}"), &app, w, h);
        }
    }
}

#[test]
fn help_overlay() {
    for (w, h) in SIZES {
        let mut app = demo_app(5, w, h);
        act(&mut app, &[Action::Help]);
        snap("help", &app, w, h);
    }
}

#[test]
fn log_search_prompt_matches_and_filter() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        act(&mut app, &[Action::FocusLogs, Action::Search]);
        for c in "pool".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        snap("logs_search_prompt", &app, w, h);
        common::press(&mut app, "enter");
        act(
            &mut app,
            &[Action::NextMatch, Action::ToggleFilter, Action::ToggleWrap],
        );
        snap("logs_filtered_wrapped_paused", &app, w, h);
    }
}

#[test]
fn services_filter_sort_and_metric_window() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        act(&mut app, &[Action::Search]);
        for c in "prod".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        common::press(&mut app, "enter");
        act(
            &mut app,
            &[
                Action::Sort,
                Action::FocusMetrics,
                Action::NextWindow,
                Action::NextWindow,
            ],
        );
        snap("services_filtered_metrics_3h", &app, w, h);
    }
}

#[test]
fn feed_errors_and_stale_data_show_in_their_panes() {
    for (w, h) in SIZES {
        let mut app = demo_app(20, w, h);
        let now = app.now_ms;
        app.update(Msg::Source(SourceEvent {
            ctx: 0,
            feed: opsdeck::sources::Feed::Metrics,
            at_ms: now,
            payload: Payload::Error(
                "GetMetricData: ThrottlingException: Rate exceeded (retrying in 4s)".into(),
            ),
        }));
        // Everything else goes quiet for a minute: stale badges.
        app.update(Msg::Tick {
            now_ms: now + 60_000,
        });
        snap("errors_and_stale", &app, w, h);
    }
}

#[test]
fn too_small_terminal_says_so() {
    let app = demo_app(5, 30, 8);
    let text = buffer_text(&render(&app, 30, 8));
    assert!(text.contains("opsdeck needs at least 40x10"), "{text}");
}

#[test]
fn renders_at_every_size_without_panicking() {
    let base = demo_app(150, 80, 24);
    for w in (1..=250).step_by(7) {
        for h in (1..=70).step_by(5) {
            for zoom in [false, true] {
                let mut app = base.clone();
                app.update(Msg::Resize {
                    width: w,
                    height: h,
                });
                if zoom {
                    act(&mut app, &[Action::FocusLogs, Action::Zoom, Action::Help]);
                }
                render(&app, w, h);
            }
        }
    }
}

// Style assertions (colour carries meaning) live beside each view, in `src/ui/*.rs`.

#[test]
fn hostile_text_from_any_source_never_reaches_the_terminal() {
    use opsdeck::model::{Alarm, LogEvent, Resource};
    let evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\x1b[10;10Hmoved\u{9b}31m\u{202e}rtl\x07\x08 password=hunter2";
    let mut app = demo_app(5, 160, 48);
    let now = app.now_ms;
    let mut svc = Resource::ecs(evil, evil);
    svc.status = evil.into();
    svc.ecs_detail_mut().unwrap().last_event = Some(evil.into());
    for (feed, payload) in [
        (opsdeck::sources::Feed::ECS, Payload::Services(vec![svc])),
        (
            opsdeck::sources::Feed::Alarms,
            Payload::Alarms(vec![Alarm {
                context: None,
                name: evil.into(),
                state: "ALARM".into(),
                reason: Some(evil.into()),
                updated_ms: None,
            }]),
        ),
        (
            opsdeck::sources::Feed::Logs,
            Payload::Logs(vec![
                LogEvent {
                    time_ms: now,
                    group: evil.into(),
                    stream: None,
                    message: evil.into(),
                },
                LogEvent {
                    time_ms: now,
                    group: "/g".into(),
                    stream: None,
                    message: format!("{{\"msg\":\"\\u001b]2;t\\u0007x {}\"}}", "y"),
                },
            ]),
        ),
        (opsdeck::sources::Feed::Metrics, Payload::Error(evil.into())),
    ] {
        app.update(Msg::Source(SourceEvent {
            ctx: 0,
            feed,
            at_ms: now,
            payload,
        }));
    }
    for zoom in [
        None,
        Some(Action::FocusServices),
        Some(Action::FocusAlarms),
        Some(Action::FocusLogs),
    ] {
        let mut a = app.clone();
        if let Some(f) = zoom {
            act(&mut a, &[f, Action::Zoom]);
        }
        let buf = render(&a, 160, 48);
        for cell in buf.content() {
            for c in cell.symbol().chars() {
                let u = c as u32;
                assert!(
                    u >= 0x20 && !(0x7f..=0x9f).contains(&u) && !(0x202a..=0x202e).contains(&u),
                    "control char {u:#x} on screen"
                );
            }
        }
        let text = buffer_text(&buf);
        assert!(!text.contains("hunter2"), "secret on screen:\n{text}");
        assert!(!text.contains("pwned"), "OSC payload on screen");
    }
}

#[test]
fn mouse_hit_testing_matches_what_is_drawn() {
    use opsdeck::app::layout::compute;
    use ratatui::layout::Rect;
    for (w, h) in SIZES {
        let app = demo_app(5, w, h);
        let areas = compute(Rect::new(0, 0, w, h), &app);
        let buf = render(&app, w, h);
        for pane in Pane::ORDER {
            let r = areas.get(pane).unwrap();
            // The pane's title is drawn inside its own rectangle…
            let (x, y) = find(&buf, pane.title());
            assert!(
                r.contains(ratatui::layout::Position::new(x, y)),
                "{pane:?} title outside its area"
            );
            // …and a click in the middle of it finds it.
            assert_eq!(
                areas.pane_at(r.x + r.width / 2, r.y + r.height / 2),
                Some(pane)
            );
        }
        assert_eq!(areas.pane_at(0, h - 1), None, "status bar is no pane");
    }
}

use common::{find, open_palette_on};

#[test]
fn palette_form_and_confirm_overlays() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        open_palette_on(&mut app, "api", "");
        snap("palette", &app, w, h);
        for c in "scale".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        common::press(&mut app, "enter");
        snap("form_scale", &app, w, h);
        common::press(&mut app, "ctrl-u");
        common::press(&mut app, "0");
        common::press(&mut app, "enter");
        common::press(&mut app, "a");
        snap("confirm_destructive", &app, w, h);

        let mut app = demo_app(150, w, h);
        open_palette_on(&mut app, "api", "force");
        common::press(&mut app, "enter");
        snap("confirm_write", &app, w, h);

        let mut app = demo_app(150, w, h);
        app.read_only = true;
        app.read_only_label = "READ-ONLY (kernel + AWS)".into();
        open_palette_on(&mut app, "api", "force");
        common::press(&mut app, "enter");
        snap("confirm_read_only", &app, w, h);
    }
}

#[test]
fn journal_overlay() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        act(&mut app, &[Action::Journal]);
        snap("journal_empty", &app, w, h);
        act(&mut app, &[Action::Close]);
        open_palette_on(&mut app, "api", "force");
        common::press(&mut app, "enter");
        common::press(&mut app, "esc");
        act(&mut app, &[Action::Note]);
        for c in "paged by prod-api-5xx-high".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        common::press(&mut app, "enter");
        act(&mut app, &[Action::Journal]);
        snap("journal_entries", &app, w, h);
    }
}

#[test]
fn insights_overlay() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        act(&mut app, &[Action::FocusLogs, Action::Insights]);
        for c in "-3h fields @timestamp, @message | limit 20".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        common::press(&mut app, "enter");
        snap("insights_running", &app, w, h);
        let rows = (0..30)
            .map(|i| opsdeck::model::LogEvent {
                time_ms: app.now_ms - i * 61_000,
                group: std::sync::Arc::from("insights"),
                stream: None,
                message: format!("ERROR pool exhausted request={i}"),
            })
            .collect();
        app.update(Msg::Source(opsdeck::sources::SourceEvent {
            ctx: 0,
            feed: opsdeck::sources::Feed::Insights,
            at_ms: app.now_ms,
            payload: opsdeck::sources::Payload::Insights {
                query: "fields @timestamp, @message | limit 20".into(),
                result: Ok(rows),
            },
        }));
        snap("insights_rows", &app, w, h);
    }
}

fn with_demo_runbook(app: &mut App) {
    let (runbook, _) = opsdeck::runbook::parse::parse(opsdeck::sources::demo::DEMO_RUNBOOK);
    app.add_runbook(opsdeck::app::LoadedRunbook {
        path: "demo-runbook.md".into(),
        runbook,
    });
    app.demo = true;
}

#[test]
fn procedure_view_step_form_and_run_pane() {
    for (w, h) in SIZES {
        let mut app = demo_app(150, w, h);
        with_demo_runbook(&mut app);
        act(&mut app, &[Action::Palette]);
        for c in "5xx".chars() {
            common::type_text(&mut app, &c.to_string());
        }
        common::press(&mut app, "enter");
        common::press(&mut app, "down");
        snap("procedure_view", &app, w, h);
        // Rows: 1, 1.1, 1.2, 2, 3 (Scale the API).
        for _ in 0..3 {
            common::press(&mut app, "down");
        }
        common::press(&mut app, "enter");
        common::press(&mut app, "8");
        snap("step_form", &app, w, h);
        common::press(&mut app, "enter");
        snap("confirm_step", &app, w, h);
        common::press(&mut app, "y");
        common::press(&mut app, "esc");
        snap("run_pane_demo", &app, w, h);
    }
}

#[test]
fn run_pane_lists_several_runs_with_their_status() {
    use opsdeck::app::procedure::RunView;
    use opsdeck::exec::{RunStatus, Stream};
    let mut app = demo_app(150, 160, 48);
    for (i, (title, status)) in [
        ("Check API health", Some(RunStatus::Exited(0))),
        ("Tail API errors", None),
        ("Scale the API", Some(RunStatus::Exited(254))),
    ]
    .into_iter()
    .enumerate()
    {
        app.session.runs.push(RunView {
            id: i as u64 + 1,
            title: title.into(),
            step_id: format!("api#{i}"),
            step: i,
            lines: [(Stream::Stdout, format!("output of {title}"))].into(),
            status,
            started_ms: app.now_ms - 12_000,
            elapsed_ms: Some(1_500),
            expect: None,
            dry_run: false,
            changes: Vec::new(),
            after: None,
            ctx: 0,
        });
    }
    app.session.run_shown = Some(1);
    let text = opsdeck::ui::buffer_text(&render(&app, 160, 48));
    assert!(text.contains("output of Tail API errors"), "{text}");
    let list: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("Check API health") || l.contains("Scale the API") || l.contains("▶")
        })
        .collect();
    assert!(
        list.iter()
            .any(|l| l.contains("▶ Tail API errors") && l.contains("12s")),
        "{list:?}"
    );
    assert!(
        list.iter()
            .any(|l| l.contains("Scale the API") && l.contains("exit 254")),
        "{list:?}"
    );
    assert!(
        list.iter()
            .any(|l| l.contains("Check API health") && l.contains("exit 0")),
        "{list:?}"
    );
    snap("run_list", &app, 160, 48);
}

/// Act and watch: the procedure view docks beside the live panes on a wide screen, under
/// them on a tall one, and takes a small one under a one-line live status; the run pane
/// stays with it. `z` puts it over the whole screen.
#[test]
fn procedure_docks_beside_the_live_panes_with_its_run() {
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut app = demo_app(150, w, h);
        with_demo_runbook(&mut app);
        act(&mut app, &[Action::Palette]);
        common::type_text(&mut app, "5xx");
        common::press(&mut app, "enter");
        for _ in 0..4 {
            common::press(&mut app, "down");
        }
        common::press(&mut app, "enter");
        common::press(&mut app, "8");
        common::press(&mut app, "enter");
        common::press(&mut app, "y");
        let text = buffer_text(&render(&app, w, h));
        assert!(text.contains("Incident Response"), "{text}");
        if w >= 120 {
            assert!(
                text.contains("Services") && text.contains("Metrics"),
                "panes in sight:\n{text}"
            );
        } else {
            assert!(text.contains("in ALARM"), "the live status strip:\n{text}");
        }
        snap("procedure_docked", &app, w, h);
        common::press(&mut app, "z");
        let full = buffer_text(&render(&app, w, h));
        assert!(
            !full.contains("Metrics 15m"),
            "full screen hides the panes:\n{full}"
        );
    }
}

/// `opsdeck replay` paused mid-incident: the state a jump hands over (each feed's last full
/// delivery, the newest lines, the timeline), the REPLAY clock in the status bar and the replay
/// keys in its hints.
#[test]
fn replay_paused_mid_incident() {
    use opsdeck::sources::demo::{DemoSource, fleet::Fleet};
    use opsdeck::sources::{DataSource, ReplayClock};
    let src = DemoSource::new(42, common::T0);
    let mut fleet = Fleet::new(42, common::T0);
    let mut events: Vec<(i64, SourceEvent)> = DemoSource::initial_events(&mut fleet, 120.0)
        .into_iter()
        .map(|e| (e.at_ms, e))
        .collect();
    for step in 1..=150 * 4 {
        for ev in DemoSource::step_events(&mut fleet, step) {
            events.push((ev.at_ms, ev));
        }
    }
    let rec = opsdeck::sources::recording::Recording {
        header: opsdeck::sources::recording::Header {
            version: 1,
            opsdeck: "test".into(),
            started_ms: common::T0,
            label: src.info().label,
            feeds: src.info().feeds,
            contexts: Vec::new(),
        },
        events,
        journal: Vec::new(),
        warnings: Vec::new(),
    };
    let at = common::T0 + 120_000;
    for (w, h) in SIZES {
        let mut app = App::new(
            &rec.info(),
            opsdeck::app::AppConfig {
                log_capacity: 50_000,
                read_only: true,
                replay: true,
                ..Default::default()
            },
            common::T0,
        );
        app.update(Msg::Resize {
            width: w,
            height: h,
        });
        let clock = ReplayClock {
            at_ms: at,
            start_ms: rec.start_ms(),
            end_ms: rec.end_ms(),
            speed: 10.0,
            paused: true,
        };
        for ev in opsdeck::sources::replay::state_at(&rec, at, 50_000, clock) {
            app.update(Msg::Source(ev));
        }
        assert_eq!(app.now_ms, at);
        snap("replay_paused", &app, w, h);
    }
}

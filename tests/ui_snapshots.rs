//! Every pane and overlay rendered through ratatui's TestBackend at 80x24 and 160x48, compared
//! with insta snapshots; plus per-cell style checks where colour carries meaning.
//!
//! States are built from the demo fleet at a fixed start time, so times are deterministic and
//! need no masking.

mod common;

use common::{demo_app, keymap, theme};
use opsdeck::app::{Action, App, InputKey, Msg, Pane};
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

fn act(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(Msg::Action(*a));
    }
}

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
            app.update(Msg::Input(InputKey::Char(c)));
        }
        snap("logs_search_prompt", &app, w, h);
        app.update(Msg::Input(InputKey::Enter));
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
            app.update(Msg::Input(InputKey::Char(c)));
        }
        app.update(Msg::Input(InputKey::Enter));
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
            feed: "metrics",
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

// Style assertions: colour carries meaning here, so check the cells themselves.

fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let text = buffer_text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..byte]);
            return (x as u16, y as u16);
        }
    }
    panic!("`{needle}` not on screen:\n{text}");
}

#[test]
fn crit_service_symbol_uses_the_danger_role() {
    let app = demo_app(150, 160, 48);
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "✗ ECS  prod/api");
    assert_eq!(buf[(x, y)].style().fg, theme().danger().fg);
    let (x, y) = find(&buf, "✓ ECS  internal/auth");
    assert_eq!(buf[(x, y)].style().fg, theme().ok().fg);
}

#[test]
fn alarm_count_stands_out_in_the_title() {
    let app = demo_app(150, 160, 48);
    assert!(app.alarms.in_alarm() >= 2);
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "in ALARM");
    let style = buf[(x, y)].style();
    assert_eq!(style.fg, theme().danger().fg);
    assert!(
        style
            .add_modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    // ALARM rows come first.
    assert_eq!(app.alarms.alarms[0].state, "ALARM");
}

#[test]
fn error_level_and_search_matches_are_coloured() {
    let mut app = demo_app(150, 160, 48);
    act(&mut app, &[Action::FocusLogs, Action::Search]);
    for c in "pool exhausted".chars() {
        app.update(Msg::Input(InputKey::Char(c)));
    }
    app.update(Msg::Input(InputKey::Enter));
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "ERROR db connection refused (pool exhausted)");
    assert_eq!(
        buf[(x, y)].style().fg,
        theme().level(Some(opsdeck::model::Level::Error)).fg
    );
    let (x, y) = find(&buf, "(pool exhausted)");
    assert_eq!(buf[(x + 1, y)].style().bg, theme().highlight().bg);
    assert_ne!(
        buf[(x, y)].style().bg,
        theme().highlight().bg,
        "only the match is highlighted"
    );
}

#[test]
fn focused_pane_border_differs() {
    let mut app = demo_app(5, 160, 48);
    act(&mut app, &[Action::FocusMetrics]);
    assert_eq!(app.focus, Pane::Metrics);
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "Metrics");
    // The corner left of the title belongs to the focused block.
    assert_eq!(buf[(x - 2, y)].symbol(), "┏");
    assert_eq!(buf[(x - 2, y)].style().fg, theme().border(true).fg);
    let (x, y) = find(&buf, "Services");
    assert_eq!(buf[(x - 2, y)].symbol(), "┌");
}

//! Deterministic cockpit states for tests and benchmarks: the demo fleet stepped without a
//! runtime, a terminal or the clock; keys resolved by the built-in keymap as the event loop
//! resolves them; cells found on a rendered screen. Used by the unit tests beside each view
//! and by the integration tests.
#![doc(hidden)]

use crate::app::{App, AppConfig, Effect, Msg};
use crate::config::{Keymap, Theme};
use crate::sources::DataSource;
use crate::sources::demo::{DemoSource, fleet::Fleet};
use ratatui::buffer::Buffer;

/// A fixed start time: 2027-01-15T08:00:00Z.
pub const T0: i64 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 8 * 3_600_000;

/// A cockpit configuration with `log_capacity` lines and everything else default.
pub fn config(log_capacity: usize) -> AppConfig {
    AppConfig {
        log_capacity,
        ..AppConfig::default()
    }
}

/// The demo cockpit after `seconds` of simulated time (seed 42), sized `w`x`h`.
pub fn demo_app(seconds: u64, w: u16, h: u16) -> App {
    let src = DemoSource::new(42, T0);
    let mut app = App::new(&src.info(), config(50_000), T0);
    let mut fleet = Fleet::new(42, T0);
    for ev in DemoSource::initial_events(&mut fleet, 120.0) {
        app.update(Msg::Source(ev));
    }
    for step in 1..=seconds * 4 {
        for ev in DemoSource::step_events(&mut fleet, step) {
            app.update(Msg::Source(ev));
        }
    }
    app.update(Msg::Tick {
        now_ms: fleet.now_ms(),
    });
    app.update(Msg::Resize {
        width: w,
        height: h,
    });
    app
}

pub fn theme() -> Theme {
    Theme::load("default", None, false).expect("built-in theme loads")
}

pub fn keymap() -> Keymap {
    Keymap::load("default", None).expect("built-in keymap loads")
}

/// A key as the event loop sees it: resolved by the default keymap in the active mode.
/// Sends each action in turn.
pub fn act(app: &mut App, actions: &[crate::action::Action]) {
    for a in actions {
        app.update(Msg::Action(*a));
    }
}

pub fn press(app: &mut App, key: &str) -> Vec<Effect> {
    let combo = crate::config::keys::KeyCombo::parse(key).expect("a key name");
    match app.key(&keymap(), combo) {
        Some(msg) => app.update(msg),
        None => Vec::new(),
    }
}

/// Types `text` key by key, as a user would.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let key = if c == ' ' {
            "space".to_string()
        } else {
            c.to_string()
        };
        press(app, &key);
    }
}

pub fn render(app: &App, w: u16, h: u16) -> Buffer {
    crate::ui::render_buffer(app, &theme(), &keymap(), w, h)
}

/// Where `needle` first shows on the screen (column, row).
pub fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let text = crate::ui::buffer_text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..byte]);
            return (x as u16, y as u16);
        }
    }
    panic!("`{needle}` not on screen:\n{text}");
}

/// Selects `service` in the Services pane, opens the palette and types `query`.
pub fn open_palette_on(app: &mut App, service: &str, query: &str) {
    use crate::action::Action;
    for a in [Action::FocusServices, Action::Top] {
        app.update(Msg::Action(a));
    }
    for _ in 0..20 {
        if app
            .services
            .selected_row()
            .is_some_and(|s| s.name == service)
        {
            break;
        }
        app.update(Msg::Action(Action::Down));
    }
    app.update(Msg::Action(Action::Palette));
    type_text(app, query);
}

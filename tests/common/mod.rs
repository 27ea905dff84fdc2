//! Shared helpers for integration tests: deterministic cockpit states built from the demo
//! fleet without a runtime, a terminal or the clock.
#![allow(dead_code)]

use opsdeck::app::{App, AppConfig, Msg};
use opsdeck::config::{Keymap, Theme};
use opsdeck::sources::DataSource;
use opsdeck::sources::demo::{DemoSource, fleet::Fleet};

/// A fixed start time: 2027-01-15T08:00:00Z.
pub const T0: i64 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 8 * 3_600_000;

/// The demo cockpit after `seconds` of simulated time (seed 42), sized `w`x`h`.
pub fn demo_app(seconds: u64, w: u16, h: u16) -> App {
    let src = DemoSource::new(42, T0);
    let mut app = App::new(&src.info(), config(50_000), T0);
    let mut fleet = Fleet::new(42, T0);
    for ev in DemoSource::initial_events(&mut fleet, 120.0) {
        app.update(Msg::Source(ev));
    }
    let steps = seconds * 4;
    for step in 1..=steps {
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

pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"))
}

/// A cockpit configuration with `log_capacity` lines and everything else default.
pub fn config(log_capacity: usize) -> AppConfig {
    AppConfig {
        log_capacity,
        ..AppConfig::default()
    }
}

/// A key as the event loop sees it: resolved by the default keymap in the active mode.
pub fn press(app: &mut App, key: &str) -> Vec<opsdeck::app::Effect> {
    let combo = opsdeck::config::keys::KeyCombo::parse(key).expect("a key name");
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

//! Shared helpers for integration tests: deterministic cockpit states built from the demo
//! fleet without a runtime, a terminal or the clock.
#![allow(dead_code)]

use opsdeck::app::{App, Msg};
use opsdeck::config::{Keymap, Theme};
use opsdeck::sources::DataSource;
use opsdeck::sources::demo::{DemoSource, fleet::Fleet};

/// A fixed start time: 2027-01-15T08:00:00Z.
pub const T0: i64 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 8 * 3_600_000;

/// The demo cockpit after `seconds` of simulated time (seed 42), sized `w`x`h`.
pub fn demo_app(seconds: u64, w: u16, h: u16) -> App {
    let src = DemoSource::new(42, T0);
    let mut app = App::new(&src.info(), 50_000, T0);
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

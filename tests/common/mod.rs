//! Shared helpers for integration tests: deterministic cockpit states built from the demo
//! fleet without a runtime, a terminal or the clock.
#![allow(dead_code, unused_imports)]

pub use opsdeck::testing::{
    T0, act, config, demo_app, find, keymap, open_palette_on, press, theme, type_text,
};

pub fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"))
}

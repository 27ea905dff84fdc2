//! opsdeck: a keyboard-driven terminal cockpit for live operations.
//!
//! The crate is a library so that benches and integration tests can drive the same code the
//! binary runs; `main.rs` only parses the command line and dispatches.

pub mod action;
pub mod app;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod cockpit;
pub mod config;
pub mod duration;
pub mod event_loop;
pub mod exec;
pub mod file;
pub mod headless;
pub mod journal;
pub mod logging;
pub mod model;
pub mod out;
pub mod redact;
pub mod report;
pub mod runbook;
pub mod sandbox;
pub mod sanitize;
pub mod settings;
pub mod snapshot;
pub mod sources;
pub mod state;
pub mod sys;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;
pub mod tui;
pub mod ui;

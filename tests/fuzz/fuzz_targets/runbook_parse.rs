//! Any text as a runbook: parse, lint, targets, and render every step must neither panic nor
//! hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsdeck::runbook::{lint, parse, render, targets};
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = parse::parse_full(text);
    let _ = lint::lint(&parsed);
    let _ = targets::extract(&parsed);
    for p in &parsed.runbook.procedures {
        for s in &p.steps {
            for c in &s.commands {
                let _ = render::render(&c.text, &s.placeholders, &BTreeMap::new());
            }
        }
    }
});

//! `opsdeck runbook show`: the parsed tree as readable text or stable JSON.

use super::model::Runbook;
use std::fmt::Write;

pub fn text(rb: &Runbook, file: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({file}): {} procedures",
        rb.title.as_deref().unwrap_or("(untitled)"),
        rb.procedures.len()
    );
    for p in &rb.procedures {
        let risk = p.steps.iter().filter(|s| s.runnable).map(|s| s.risk).max();
        let _ = writeln!(
            out,
            "\n{}  [{}]  line {}  id {}",
            p.path.join(" › "),
            risk.map_or("reference".to_string(), |r| r.to_string()),
            p.line,
            p.id
        );
        for c in &p.checklist {
            let _ = writeln!(out, "  [{}] {}", if c.checked { "x" } else { " " }, c.text);
        }
        for (i, s) in p.steps.iter().enumerate() {
            let phase = s.phase_prefix();
            let kind = if s.runnable {
                s.risk.to_string()
            } else {
                "reference-only".into()
            };
            let _ = writeln!(
                out,
                "  {}. {phase}{}  [{kind}]  {}  line {}",
                i + 1,
                s.title,
                s.lang.as_deref().unwrap_or("(no language)"),
                s.line
            );
            if let Some(d) = &s.description {
                let _ = writeln!(out, "     {d}");
            }
            for c in &s.commands {
                let title = c
                    .title
                    .as_ref()
                    .map(|t| format!("# {t}\n       "))
                    .unwrap_or_default();
                let text = c.text.replace('\n', "\n         ");
                let _ = writeln!(out, "     [{}] {title}$ {text}", c.risk);
            }
            for ph in &s.placeholders {
                let _ = writeln!(
                    out,
                    "     placeholder {} ({}){}{}",
                    ph.name,
                    ph.syntax,
                    ph.default
                        .as_ref()
                        .map(|d| format!(" default {d}"))
                        .unwrap_or_default(),
                    if ph.secret { " secret" } else { "" }
                );
            }
            if let Some(e) = &s.expect {
                let _ = writeln!(out, "     expect: {}", e.replace('\n', "\n             "));
            }
        }
    }
    out
}

pub fn json(rb: &Runbook) -> serde_json::Result<String> {
    serde_json::to_string_pretty(rb)
}

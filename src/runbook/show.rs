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
            if let Some(c) = &s.choice {
                let _ = writeln!(out, "     a choice: {}", c.why);
            }
            if let Some(why) = &s.alternatives {
                let numbers: Vec<&str> = s.parts.iter().map(|x| x.number()).collect();
                let _ = writeln!(
                    out,
                    "     never runs as a whole ({why}); run one of {}",
                    numbers.join(", ")
                );
            }
            if s.parts.is_empty() {
                commands(&mut out, &s.commands, "     ", false);
            }
            for part in &s.parts {
                let kind = if part.runnable {
                    part.risk.to_string()
                } else {
                    "reference-only".into()
                };
                let _ = writeln!(
                    out,
                    "     {} {}  [{kind}]  line {}",
                    part.number(),
                    part.title,
                    part.line
                );
                commands(&mut out, &part.commands, "         ", true);
                for ph in &part.placeholders {
                    let _ = writeln!(out, "         placeholder {}", ph.name);
                }
            }
            for ph in &s.placeholders {
                let _ = writeln!(
                    out,
                    "     placeholder {} ({}){}{}",
                    ph.name,
                    if ph.secret {
                        crate::redact::MASK
                    } else {
                        ph.syntax.as_str()
                    },
                    ph.default
                        .as_ref()
                        .map(|d| format!(
                            " default {}",
                            if ph.secret { crate::redact::MASK } else { d }
                        ))
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

/// Commands with their risk and title; carried context marked.
/// A sub-step's first title is its own name, so it is not repeated.
fn commands(out: &mut String, cs: &[super::model::Command], pad: &str, part: bool) {
    let first_own = cs.iter().position(|c| !c.context);
    for (i, c) in cs.iter().enumerate() {
        let title = match &c.title {
            Some(t) if !(c.context || part && Some(i) == first_own) => {
                format!("# {t}\n{pad}  ")
            }
            _ => String::new(),
        };
        // Shown like the cockpit shows it: secrets in the runbook's own text masked.
        let text = crate::redact::redact(&c.text).replace('\n', &format!("\n{pad}    "));
        let carried = if c.context { "  (carried)" } else { "" };
        let _ = writeln!(out, "{pad}[{}] {title}$ {text}{carried}", c.risk);
    }
}

pub fn json(rb: &Runbook) -> serde_json::Result<String> {
    serde_json::to_string_pretty(rb)
}

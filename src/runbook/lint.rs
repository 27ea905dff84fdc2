//! `opsdeck runbook lint`: findings with `file:line`, errors and warnings.

use super::model::Risk;
use super::parse::Parsed;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

pub fn lint(parsed: &Parsed) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |line, severity, message: String| {
        out.push(Finding {
            line,
            severity,
            message,
        })
    };
    for n in &parsed.notes {
        let sev = if n.message.starts_with("unclosed code fence") {
            Severity::Error
        } else {
            Severity::Warning
        };
        push(n.line, sev, n.message.clone());
    }
    let procs = &parsed.runbook.procedures;
    for (i, p) in procs.iter().enumerate() {
        if let Some(first) = procs[..i].iter().find(|o| o.path == p.path) {
            push(
                p.line,
                Severity::Error,
                format!(
                    "duplicate procedure path `{}` (also at line {}): its id becomes `{}`",
                    p.path.join(" › "),
                    first.line,
                    p.id
                ),
            );
        }
        if !p.steps.iter().any(|s| s.runnable) && p.checklist.is_empty() {
            push(
                p.line,
                Severity::Warning,
                format!(
                    "procedure `{}` has no runnable step (only reference blocks)",
                    p.title
                ),
            );
        }
        for s in &p.steps {
            for c in &s.commands {
                if c.risk == Risk::Unknown {
                    let first = c.text.lines().next().unwrap_or("");
                    push(
                        c.line,
                        Severity::Warning,
                        format!(
                            "command of unknown risk: `{first}` (add {{risk=…}} to the fence if you know it)"
                        ),
                    );
                }
            }
            let has_read = s.commands.iter().any(|c| c.risk == Risk::Read);
            let has_destructive = s.commands.iter().any(|c| c.risk == Risk::Destructive);
            if has_read && has_destructive {
                push(
                    s.line,
                    Severity::Warning,
                    format!(
                        "step `{}` mixes read and destructive commands: split it so reading never needs a destructive confirmation",
                        s.title
                    ),
                );
            }
            for ph in &s.placeholders {
                if ph.hint.is_none() && ph.default.is_none() {
                    push(
                        s.line,
                        Severity::Warning,
                        format!(
                            "placeholder `{}` has no hint of what to enter (say it in the text or give a default)",
                            ph.syntax
                        ),
                    );
                }
            }
        }
    }
    out.sort_by_key(|f| f.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::parse::parse_full;

    #[test]
    fn findings() {
        let src = "# R\n## A\n```bash\n./x.sh\n```\n## A\n```sql\nSELECT 1;\n```\n## B\n```bash\naws ecs describe-services --cluster c\naws ecs delete-service --cluster c --service $SVC\n```\n## C\n```bash\necho open\n";
        let f = lint(&parse_full(src));
        let got: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    f.line,
                    f.severity,
                    f.message.split(':').next().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (4, Severity::Warning, "command of unknown risk".into()),
                (6, Severity::Error, "duplicate procedure path `A` (also at line 2)".into()),
                (6, Severity::Warning, "procedure `A` has no runnable step (only reference blocks)".into()),
                (11, Severity::Warning, "step `B` mixes read and destructive commands".into()),
                (11, Severity::Warning, "placeholder `$SVC` has no hint of what to enter (say it in the text or give a default)".into()),
                (16, Severity::Error, "unclosed code fence `````".into()),
            ]
        );
    }
}

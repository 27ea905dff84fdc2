//! `opsdeck runbook lint`: findings with `file:line`, errors and warnings.

use super::model::Parsed;
use super::model::Risk;
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
            risk_and_commands(s, &mut push);
            attributes(s, &mut push);
            shape(p, s, &mut push);
            prose_placeholders(s, &mut push);
        }
    }
    out.sort_by_key(|f| f.line);
    // After an unclosed fence the rest of the file is one block: what is found in it is
    // noise from that one mistake. Its error is the finding.
    if let Some(at) = parsed
        .notes
        .iter()
        .find(|n| n.message.starts_with("unclosed code fence"))
        .map(|n| n.line)
    {
        out.retain(|f| {
            f.line < at || (f.line == at && f.message.starts_with("unclosed code fence"))
        });
    }
    out
}

/// Where a check says what it found: line, severity, message.
type Push<'a> = dyn FnMut(usize, Severity, String) + 'a;

/// A fence risk below the commands', commands of unknown risk, placeholders run as code.
fn risk_and_commands(s: &super::model::Step, push: &mut Push) {
    let classified = s
        .commands
        .iter()
        .map(|c| c.risk)
        .max()
        .unwrap_or(Risk::Read);
    if let Some(r) = s.attributes.risk
        && r < classified
    {
        push(
            s.line,
            Severity::Error,
            format!(
                "{{risk={r}}} is below what the commands are ({classified}): a fence attribute can raise risk, never lower it, so it is ignored"
            ),
        );
    }
    for c in &s.commands {
        if c.risk == Risk::Unknown {
            let first = c.text.lines().next().unwrap_or("");
            push(
                c.line,
                Severity::Warning,
                format!(
                    "command of unknown risk: `{first}` (opsdeck cannot tell what it changes: it is confirmed like a write and refused under --read-only)"
                ),
            );
        }
        if !s.placeholders.is_empty() && runs_text_as_code(&c.text, &s.placeholders) {
            push(
                    c.line,
                    Severity::Error,
                    "a placeholder inside `eval`, `bash -c` or `sh -c` turns a typed value into code: pass it as an argument or a variable instead".to_string(),
                );
        }
    }
}

/// `{timeout}`, `{watch}`, `{verify}` and `{expect}` that cannot do what they say.
fn attributes(s: &super::model::Step, push: &mut Push) {
    if let Some(t) = &s.attributes.timeout
        && let Err(e) = crate::duration::parse_ms(t).and_then(|ms| {
            if ms > 0 {
                Ok(ms)
            } else {
                Err(crate::duration::DurationError::Empty)
            }
        })
    {
        push(
            s.line,
            Severity::Error,
            format!(
                "{{timeout={t}}} is not a duration ({e}): write {}; the step would run with the default timeout",
                crate::duration::HINT
            ),
        );
    }
    if let Some(every) = &s.attributes.watch {
        if !crate::duration::parse_ms(every).is_ok_and(|ms| ms > 0) {
            push(
                s.line,
                Severity::Error,
                format!(
                    "{{watch={every}}} is not an interval: write {}",
                    crate::duration::HINT
                ),
            );
        } else if !s.runnable || s.risk != Risk::Read {
            let what = if s.runnable {
                s.risk.to_string()
            } else {
                "not runnable".to_string()
            };
            push(
                s.line,
                Severity::Error,
                format!(
                    "{{watch={every}}} on step `{}`, which is {what}: only read steps are watched, so it never will be",
                    s.title
                ),
            );
        }
    }
    if let Some(v) = &s.attributes.verify {
        let risk = crate::runbook::risk::classify(v);
        if risk != Risk::Read {
            push(
                s.line,
                Severity::Error,
                format!(
                    "{{verify=\"{v}\"}} is {risk}: a verification must be a read command (it is retried until it exits 0), so it will not run"
                ),
            );
        }
    }
    if let Some(e) = &s.attributes.expect
        && let Err(err) = regex::Regex::new(e)
    {
        push(
            s.line,
            Severity::Error,
            format!(
                "{{expect=\"{e}\"}} is not a regex ({}); the step's output could never be checked",
                err.to_string().lines().last().unwrap_or("invalid")
            ),
        );
    }
}

/// Choices, alternatives and steps that mix reading with destroying.
fn shape(p: &super::model::Procedure, s: &super::model::Step, push: &mut Push) {
    // Once a group: at its first step.
    if let Some(c) = &s.choice
        && !p
            .steps
            .iter()
            .take_while(|o| !std::ptr::eq(*o, s))
            .any(|o| o.choice.as_ref().is_some_and(|oc| oc.group == c.group))
    {
        push(
            s.line,
            Severity::Warning,
            format!(
                "{}: a whole-procedure run and run all stop here (give each choice its own heading to make it a procedure of its own)",
                c.why
            ),
        );
    }
    if let Some(why) = &s.alternatives {
        let numbers: Vec<&str> = s.parts.iter().map(|x| x.number()).collect();
        push(
            s.line,
            Severity::Warning,
            format!(
                "step `{}` never runs as a whole, nor in run all ({why}); run one of {} (or give each its own block)",
                s.title,
                numbers.join(", ")
            ),
        );
    }
    // Sub-steps already keep reading apart from destroying; only a unit that mixes
    // them needs splitting.
    let mixes = |cs: &[super::model::Command]| {
        let own = || cs.iter().filter(|c| !c.context);
        own().any(|c| c.risk == Risk::Read) && own().any(|c| c.risk == Risk::Destructive)
    };
    let mixed = if s.parts.is_empty() {
        mixes(&s.commands)
    } else {
        s.parts.iter().any(|p| mixes(&p.commands))
    };
    if mixed {
        push(
            s.line,
            Severity::Warning,
            format!(
                "step `{}` mixes read and destructive commands: split it so reading never needs a destructive confirmation",
                s.title
            ),
        );
    }
}

/// Placeholders written as prose, look-alikes that run as written, and placeholders with no
/// hint of what to enter.
fn prose_placeholders(s: &super::model::Step, push: &mut Push) {
    if s.runnable {
        // Prose placeholders: asked for, but better written as `<name>`; look-alikes
        // that fit no shape run as written, so the author should say.
        let first_line = s.line + 1;
        for lit in super::prose::find(&s.code) {
            let asked = s
                .placeholders
                .iter()
                .find(|p| p.literals.contains(&lit.text))
                .map_or(lit.name.clone(), |p| p.name.clone());
            push(
                first_line + lit.line,
                Severity::Warning,
                format!(
                    "`{}` reads as a placeholder ({}): opsdeck asks for `{asked}` before the step runs; write `<{asked}>` to say so",
                    lit.text,
                    lit.shape.describe()
                ),
            );
        }
        for (line, word, why) in super::prose::ambiguous(&s.code) {
            push(
                first_line + line,
                Severity::Warning,
                format!(
                    "`{word}` {why} and may be a placeholder, but it runs as written: write `<name>` if it is one"
                ),
            );
        }
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

/// `eval …`, `bash -c '…'`, `sh -c "…"` whose text uses a placeholder.
fn runs_text_as_code(text: &str, placeholders: &[super::model::Placeholder]) -> bool {
    super::targets::simple_commands(text).iter().any(|w| {
        let Some(i) = w.iter().position(|x| {
            let b = x.rsplit('/').next().unwrap_or(x);
            matches!(b, "eval" | "bash" | "sh" | "zsh" | "dash")
        }) else {
            return false;
        };
        let eval = w[i].ends_with("eval");
        if !eval && !w[i + 1..].iter().any(|x| x == "-c") {
            return false;
        }
        w[i + 1..].iter().any(|x| {
            placeholders.iter().any(|p| {
                x.contains(&p.syntax)
                    || x.contains(&format!("${}", p.name))
                    || x.contains(&format!("${{{}", p.name))
                    || x.contains(&format!("<{}>", p.name))
                    || x.contains(&format!("{{{{{}}}}}", p.name))
            })
        })
    })
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

    #[test]
    fn verify_must_read_and_expect_must_be_a_regex() {
        let src = "# R\n## A\n```bash {verify=\"aws ecs describe-services --cluster prod --services api\" expect=\"desiredCount.: 8\"}\naws ecs update-service --cluster prod --service api --desired-count 8\n```\n\n```bash {verify=\"aws ecs delete-service --service api\"}\naws ecs update-service --cluster prod --service api --desired-count 8\n```\n\n```bash {expect=\"([unclosed\"}\nuptime\n```\n";
        let findings = lint(&parse_full(src));
        let errors: Vec<(usize, String)> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.line, f.message.clone()))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0]
                .1
                .contains("is destructive: a verification must be a read command")
        );
        assert_eq!(errors[0].0, 7);
        assert!(errors[1].1.contains("is not a regex"));
    }

    #[test]
    fn watch_attributes_only_on_read_steps() {
        let src = "# R\n## A\n```bash {watch=30s}\nkubectl get pods\n```\n\n```bash {watch=30s}\nkubectl delete pod x\n```\n\n```bash {watch=soon}\nuptime\n```\n";
        let f = lint(&parse_full(src));
        let errors: Vec<(usize, &str)> = f
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| (x.line, x.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, 7);
        assert!(errors[0].1.contains("which is destructive"), "{errors:?}");
        assert_eq!(errors[1].0, 11);
        assert!(
            errors[1].1.contains("{watch=soon} is not an interval"),
            "{errors:?}"
        );
    }

    #[test]
    fn timeouts_use_the_duration_grammar() {
        let src = "# R\n## A\n```bash {timeout=500ms}\nuptime\n```\n\n```bash {timeout=5y}\nuptime\n```\n";
        let f = lint(&parse_full(src));
        let errors: Vec<(usize, &str)> = f
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| (x.line, x.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, 7);
        assert!(errors[0].1.contains("is not a duration"), "{errors:?}");
    }

    #[test]
    fn lowering_risk_and_values_run_as_code_are_errors() {
        let src = "# R\n## A\n```bash {risk=read}\naws ecs delete-service --cluster c --service s\n```\n## B\n```bash\neval \"echo $TARGET\"\nbash -c \"ls <dir>\"\n```\n## C\n```bash {risk=destructive}\nls\n```\n";
        let f = lint(&parse_full(src));
        let errors: Vec<_> = f
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| {
                (
                    f.line,
                    f.message.split(':').next().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (3, "{risk=read} is below what the commands are (destructive)".to_string()),
                (8, "a placeholder inside `eval`, `bash -c` or `sh -c` turns a typed value into code".to_string()),
                (9, "a placeholder inside `eval`, `bash -c` or `sh -c` turns a typed value into code".to_string()),
            ]
        );
    }
}

//! `opsdeck runbook show|lint|targets`: what opsdeck reads in a runbook.

use crate::cli::Format;
use anyhow::Result;

pub fn run_runbook(cmd: &crate::cli::RunbookCommand) -> Result<i32> {
    use crate::runbook;
    match cmd {
        crate::cli::RunbookCommand::Show { file, format } => {
            let (rb, _notes) = runbook::load(file)?;
            let out = match format {
                Format::Text => {
                    crate::sanitize::lines(&runbook::show::text(&rb, &file.display().to_string()))
                }
                Format::Json => runbook::show::json(&rb)? + "\n",
            };
            crate::out::print(&out)?;
            Ok(0)
        }
        crate::cli::RunbookCommand::Lint { files } => {
            let (mut errors, mut warnings) = (0, 0);
            for f in files {
                // Every file is checked: one that cannot be read is an error of its own.
                let parsed = match runbook::load_full(f) {
                    Ok(p) => p,
                    Err(e) => {
                        errors += 1;
                        let line = e.line.unwrap_or(1);
                        crate::out::println(&format!(
                            "{}:{line}: error: {}",
                            f.display(),
                            crate::sanitize::sanitize(&e.message)
                        ))?;
                        continue;
                    }
                };
                for finding in runbook::lint::lint(&parsed) {
                    match finding.severity {
                        runbook::lint::Severity::Error => errors += 1,
                        runbook::lint::Severity::Warning => warnings += 1,
                    }
                    crate::out::println(&format!(
                        "{}:{}: {}: {}",
                        f.display(),
                        finding.line,
                        finding.severity,
                        crate::sanitize::sanitize(&finding.message)
                    ))?;
                }
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "{}, {} in {}",
                plural(errors, "error"),
                plural(warnings, "warning"),
                plural(files.len(), "file")
            );
            Ok(if errors > 0 { 1 } else { 0 })
        }
        crate::cli::RunbookCommand::Targets { files, format } => {
            let mut all = Vec::new();
            for f in files {
                let parsed = runbook::load_full(f)?;
                all.push((f.display().to_string(), runbook::targets::extract(&parsed)));
            }
            match format {
                Format::Text => {
                    for (f, t) in &all {
                        crate::out::println(&crate::sanitize::lines(&format!(
                            "{f}\n{}",
                            runbook::targets::text(t)
                        )))?;
                    }
                }
                Format::Json => {
                    let files: Vec<_> = all
                        .iter()
                        .map(|(f, t)| serde_json::json!({ "file": f, "targets": t }))
                        .collect();
                    crate::out::println(&serde_json::to_string_pretty(
                        &serde_json::json!({ "files": files }),
                    )?)?;
                }
            }
            Ok(0)
        }
    }
}

//! `opsdeck run`: a runbook procedure without the TUI, under the same rules as the cockpit:
//! read runs; write and unknown need `--yes`; destructive also needs `--confirm` with the
//! target's name; `--read-only` refuses anything but read. When a rule is not met nothing
//! runs and the exit code is 3. Everything is journaled.

use crate::exec::{self, RunEvent, RunSpec, Stream};
use crate::journal::{self, Context, Journal, Kind};
use crate::runbook::{self, Procedure, Risk, Runbook, Step, render, targets};
use anyhow::{Context as _, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub const EXIT_REFUSED: i32 = 3;

#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub file: PathBuf,
    pub procedure: String,
    pub step: Option<usize>,
    pub set: Vec<(String, String)>,
    pub dry_run: bool,
    pub yes: bool,
    pub confirm: Option<String>,
    pub read_only: bool,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub journal: PathBuf,
    pub timeout: Duration,
}

/// By id, exact title, or a unique case-insensitive substring of the path.
pub fn find_procedure<'a>(rb: &'a Runbook, query: &str) -> Result<&'a Procedure> {
    if let Some(p) = rb
        .procedures
        .iter()
        .find(|p| p.id == query || p.title == query)
    {
        return Ok(p);
    }
    let q = query.to_lowercase();
    let hits: Vec<&Procedure> = rb
        .procedures
        .iter()
        .filter(|p| p.path.join(" › ").to_lowercase().contains(&q) || p.id.contains(&q))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(anyhow!(
            "no procedure matches `{query}`; procedures:\n  {}",
            rb.procedures
                .iter()
                .map(|p| format!("{}  ({})", p.path.join(" › "), p.id))
                .collect::<Vec<_>>()
                .join("\n  ")
        )),
        many => Err(anyhow!(
            "`{query}` matches {} procedures; be more specific or use an id:\n  {}",
            many.len(),
            many.iter()
                .map(|p| format!("{}  ({})", p.path.join(" › "), p.id))
                .collect::<Vec<_>>()
                .join("\n  ")
        )),
    }
}

/// What a destructive step acts on, for the typed confirmation: the service, function or
/// cluster it names (placeholders filled in), else the procedure title.
pub fn confirm_target(
    step: &Step,
    procedure: &Procedure,
    values: &BTreeMap<String, String>,
) -> String {
    let t = targets::of_step(step, &procedure.id);
    let name = t
        .ecs_services
        .first()
        .map(|s| s.name.clone())
        .or_else(|| t.lambda_functions.first().map(|f| f.name.clone()))
        .or_else(|| t.ecs_clusters.first().map(|c| c.name.clone()))
        .or_else(|| t.dynamodb_tables.first().map(|c| c.name.clone()))
        .or_else(|| t.rds_instances.first().map(|c| c.name.clone()));
    match name {
        Some(n) => fill(&n, step, values),
        None => procedure.title.clone(),
    }
}

/// Display-only substitution of placeholders in a name (never used as shell text).
fn fill(name: &str, step: &Step, values: &BTreeMap<String, String>) -> String {
    let mut out = name.to_string();
    for p in &step.placeholders {
        if let Some(v) = values.get(&p.name).or(p.default.as_ref()) {
            for form in [
                format!("${{{}}}", p.name),
                format!("${}", p.name),
                format!("<{}>", p.name),
            ] {
                out = out.replace(&form, v);
            }
        }
    }
    out
}

fn step_script(step: &Step) -> String {
    step.commands
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn run(args: RunArgs) -> Result<i32> {
    let (rb, _) = runbook::load(&args.file)?;
    let proc_ = find_procedure(&rb, &args.procedure)?;
    let values: BTreeMap<String, String> = args.set.iter().cloned().collect();
    let steps: Vec<&Step> = match args.step {
        Some(n) => {
            let s = proc_.steps.get(n.wrapping_sub(1)).ok_or_else(|| {
                anyhow!(
                    "procedure `{}` has {} steps; --step {n} is not one of them",
                    proc_.title,
                    proc_.steps.len()
                )
            })?;
            if !s.runnable {
                bail!(
                    "step {n} (`{}`) is reference-only ({}): it is shown, never run",
                    s.title,
                    s.lang.as_deref().unwrap_or("no language")
                );
            }
            vec![s]
        }
        None => proc_.steps.iter().filter(|s| s.runnable).collect(),
    };
    if steps.is_empty() {
        bail!("procedure `{}` has no runnable step", proc_.title);
    }
    let ctx = Context::from_env(args.profile.clone(), args.region.clone(), None);
    let mut journal = Journal::open(&args.journal)
        .with_context(|| format!("cannot open the journal {}", args.journal.display()))?;
    for s in &steps {
        for p in s.placeholders.iter().filter(|p| p.secret) {
            if let Some(v) = values.get(&p.name) {
                journal.add_secret(v);
            }
        }
    }
    let stamp = |kind: Kind, what: String, step: Option<&Step>| {
        let mut e = ctx.entry(kind, what, chrono::Utc::now());
        e.runbook = Some(args.file.display().to_string());
        e.procedure = Some(proc_.id.clone());
        e.step = step.map(|s| s.id.clone());
        e.risk = step.map(|s| s.risk.to_string());
        e
    };
    journal.append(stamp(
        Kind::Action,
        format!(
            "run `{}`{}",
            proc_.path.join(" › "),
            if args.dry_run { " (dry run)" } else { "" }
        ),
        None,
    ))?;

    // Render everything first: a missing value stops the run before anything happens.
    let mut rendered = Vec::new();
    for s in &steps {
        let r = render::render(&step_script(s), &s.placeholders, &values);
        if !r.missing.is_empty() {
            bail!(
                "step `{}` needs a value for: {} (use --set NAME=VALUE)",
                s.title,
                r.missing.join(", ")
            );
        }
        rendered.push(r);
    }

    if args.dry_run {
        for (s, r) in steps.iter().zip(&rendered) {
            println!("# step {} · {} · {}", s.id, s.title, s.risk);
            for (k, v) in &r.env {
                let secret = s
                    .placeholders
                    .iter()
                    .any(|p| p.secret && render::env_name(p) == *k);
                println!(
                    "# {k}={}",
                    if secret {
                        runbook_mask()
                    } else {
                        shell_display(v)
                    }
                );
            }
            println!("set -euo pipefail\n{}\n", r.script);
            journal.append(stamp(Kind::DryRun, r.script.clone(), Some(s)))?;
        }
        return Ok(0);
    }

    // The rules, checked for every step before any runs.
    for s in &steps {
        let refuse = |msg: String| -> Result<i32> { Err(anyhow!(msg)) };
        let verdict: Result<i32> = if args.read_only && s.risk != Risk::Read {
            refuse(format!(
                "read-only: step `{}` is {}; nothing ran",
                s.title, s.risk
            ))
        } else if s.risk != Risk::Read && !args.yes {
            refuse(format!(
                "step `{}` is {}: pass --yes to run it; nothing ran",
                s.title, s.risk
            ))
        } else if s.risk == Risk::Destructive {
            let target = confirm_target(s, proc_, &values);
            if args.confirm.as_deref() != Some(target.as_str()) {
                refuse(format!(
                    "step `{}` is destructive: pass --confirm {} (the target's name) with --yes; nothing ran",
                    s.title, target
                ))
            } else {
                Ok(0)
            }
        } else {
            Ok(0)
        };
        if let Err(e) = verdict {
            let kind = if args.read_only {
                Kind::Blocked
            } else {
                Kind::Refused
            };
            journal.append(stamp(kind, e.to_string(), Some(s)))?;
            eprintln!("opsdeck: {e}");
            return Ok(EXIT_REFUSED);
        }
    }
    if args.yes {
        journal.append(stamp(
            Kind::Confirmed,
            format!(
                "--yes{}",
                args.confirm
                    .as_ref()
                    .map(|c| format!(" --confirm {c}"))
                    .unwrap_or_default()
            ),
            None,
        ))?;
    }

    // The same variables the cockpit exports (AwsContext::env); the region also from the
    // environment, so the aws CLI v1 (AWS_DEFAULT_REGION only) and the SDKs agree.
    let aws_env = crate::sources::aws::AwsContext {
        profile: args.profile.clone().unwrap_or_default(),
        profile_explicit: args.profile.is_some(),
        region: args.region.clone().or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        }),
        account: None,
        endpoint_url: args.endpoint_url.clone(),
    }
    .env();
    for (i, (s, r)) in steps.iter().zip(rendered).enumerate() {
        eprintln!(
            "── step {}/{} · {} · {}",
            i + 1,
            steps.len(),
            s.title,
            s.risk
        );
        journal.append(stamp(Kind::Start, r.script.clone(), Some(s)))?;
        let mut env = aws_env.clone();
        env.extend(r.env);
        let spec = RunSpec {
            id: i as u64,
            script: r.script.clone(),
            env,
            timeout: Some(args.timeout),
            grace: Duration::from_secs(3),
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let mut handle = exec::spawn(spec, tx);
        let mut output = String::new();
        let mut status = None;
        let mut elapsed = Duration::ZERO;
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(RunEvent::Output { stream, line, .. }) => {
                        let line = journal.scrub(&line);
                        match stream {
                            Stream::Stdout => println!("{line}"),
                            Stream::Stderr => eprintln!("{line}"),
                        }
                        if output.len() < journal::MAX_OUTPUT * 2 {
                            output.push_str(&line);
                            output.push('\n');
                        }
                    }
                    Some(RunEvent::Truncated { dropped, .. }) => eprintln!("… {dropped} more lines not shown"),
                    Some(RunEvent::Finished { status: st, elapsed: el, .. }) => {
                        status = Some(st);
                        elapsed = el;
                    }
                    Some(RunEvent::Started { .. }) => {}
                    None => break,
                },
                _ = tokio::signal::ctrl_c() => handle.cancel(),
            }
        }
        let status = status.unwrap_or(exec::RunStatus::Cancelled);
        let mut e = stamp(Kind::End, r.script, Some(s));
        e.status = Some(status.label());
        e.exit_code = Some(status.code());
        e.duration_ms = Some(elapsed.as_millis() as u64);
        e.output = Some(output);
        journal.append(e)?;
        eprintln!("── {} in {:.1}s", status.label(), elapsed.as_secs_f64());
        if !status.success() {
            return Ok(status.code());
        }
    }
    Ok(0)
}

fn runbook_mask() -> String {
    crate::redact::MASK.to_string()
}

fn shell_display(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

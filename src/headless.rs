//! `opsdeck run`: a runbook procedure without the TUI, through the same step pipeline as the
//! cockpit (`exec::prepare`): read runs; write and unknown need `--yes`; destructive also
//! needs `--confirm` with the target's name; read-only refuses anything but read. When a
//! rule is not met nothing runs and the exit code is 3. Everything is journaled. SIGINT,
//! SIGTERM and SIGHUP cancel the running step (its whole process group), journal its end as
//! cancelled with the signal, and exit 128 + the signal.

use crate::exec::{
    self, CancelReason, Gate, Policy, Prepared, RoleSource, RunEvent, RunSpec, Signal, Stream,
};
use crate::journal::{self, Context, Journal, Kind};
use crate::runbook::{self, Procedure, Runbook, Step};
use crate::sanitize::sanitize;
use anyhow::{Context as _, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub const EXIT_REFUSED: i32 = 3;

#[derive(Clone, Default)]
pub struct RunArgs {
    pub file: PathBuf,
    pub procedure: String,
    /// Step N, or sub-step N.M.
    pub step: Option<(usize, Option<usize>)>,
    pub set: Vec<(String, String)>,
    pub dry_run: bool,
    pub yes: bool,
    pub confirm: Option<String>,
    pub policy: Policy,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub journal: PathBuf,
    /// Overrides every step's own timeout when given.
    pub timeout: Option<Duration>,
    /// The box's read-only credentials (read-only mode: the read-only role, else minted).
    pub role: Option<RoleSource>,
    /// The context it acts in, when opsdeck.toml has several (`--context LABEL`).
    pub context: Option<String>,
    /// `[sandbox]`: the box's settings.
    pub sandbox: crate::sandbox::Settings,
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
    let list = |ps: &[&Procedure]| {
        ps.iter()
            .map(|p| sanitize(&format!("{}  ({})", p.path.join(" › "), p.id)).into_owned())
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(anyhow!(
            "no procedure matches `{}`; procedures:\n  {}",
            sanitize(query),
            list(&rb.procedures.iter().collect::<Vec<_>>())
        )),
        many => Err(anyhow!(
            "`{}` matches {} procedures; be more specific or use an id:\n  {}",
            sanitize(query),
            many.len(),
            list(many)
        )),
    }
}

/// The signals that end `opsdeck run`, each as a stream.
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    async fn recv(&mut self) -> Signal {
        tokio::select! {
            _ = self.int.recv() => Signal::Int,
            _ = self.term.recv() => Signal::Term,
            _ = self.hup.recv() => Signal::Hup,
        }
    }
}

/// The journal of one `opsdeck run`, stamping every entry with the runbook and procedure.
struct Log {
    journal: Journal,
    ctx: Context,
    context: Option<String>,
    runbook: String,
    procedure: String,
}

impl Log {
    fn entry(&self, kind: Kind, what: String, p: Option<&Prepared>) -> journal::Entry {
        let mut e = self.ctx.entry(kind, what, chrono::Utc::now());
        e.context = self.context.clone();
        e.runbook = Some(self.runbook.clone());
        e.procedure = Some(self.procedure.clone());
        e.step = p.map(|s| s.step_id.clone());
        e.risk = p.map(|s| s.risk.to_string());
        e
    }

    fn append(&mut self, kind: Kind, what: String, p: Option<&Prepared>) -> Result<()> {
        let e = self.entry(kind, what, p);
        Ok(self.journal.append(e)?)
    }
}

pub async fn run(args: RunArgs) -> Result<i32> {
    // Signals are ours from the start: none may end opsdeck while a step runs.
    let mut signals = Signals::new()?;
    let (rb, _) = runbook::load(&args.file)?;
    let proc_ = find_procedure(&rb, &args.procedure)?;
    let prepared = prepare_all(&args, proc_)?;
    let mut log = Log {
        journal: Journal::open(&args.journal)
            .with_context(|| format!("cannot open the journal {}", args.journal.display()))?,
        ctx: Context::from_env(args.profile.clone(), args.region.clone(), None),
        context: args.context.clone(),
        runbook: args.file.display().to_string(),
        procedure: proc_.id.clone(),
    };
    for v in prepared.iter().flat_map(|p| &p.secrets) {
        log.journal.add_secret(v);
    }
    let dry = if args.dry_run { " (dry run)" } else { "" };
    log.append(
        Kind::Action,
        format!("run `{}`{dry}", proc_.path.join(" › ")),
        None,
    )?;
    if args.dry_run {
        return dry_run(&prepared, &mut log);
    }
    if let Some(code) = check_gates(&args, &prepared, &mut log)? {
        return Ok(code);
    }
    let total = prepared.len();
    for (i, p) in prepared.into_iter().enumerate() {
        eprintln!(
            "── step {}/{} · {} · {}",
            i + 1,
            total,
            sanitize(&p.title),
            p.risk
        );
        let (status, signal) = execute(&args, i, &p, &mut log, &mut signals).await?;
        if let Some(sig) = signal {
            return Ok(sig.exit_code());
        }
        if !status.success() {
            return Ok(status.code());
        }
    }
    Ok(0)
}

/// The steps asked for, through the one pipeline. A missing value or a reference-only block
/// asked for by number is an error before anything happens.
fn prepare_all(args: &RunArgs, proc_: &Procedure) -> Result<Vec<Prepared>> {
    let values: BTreeMap<String, String> = args.set.iter().cloned().collect();
    let steps: Vec<&Step> = match args.step {
        Some((n, part)) => {
            let s = proc_.steps.get(n.wrapping_sub(1)).ok_or_else(|| {
                anyhow!(
                    "procedure `{}` has {} steps; --step {n} is not one of them",
                    sanitize(&proc_.title),
                    proc_.steps.len()
                )
            })?;
            match part {
                None => vec![s],
                Some(m) => vec![s.parts.get(m - 1).ok_or_else(|| {
                    anyhow!(
                        "step {n} of `{}` has {} sub-steps; --step {n}.{m} is not one of them",
                        sanitize(&proc_.title),
                        s.parts.len()
                    )
                })?],
            }
        }
        // Every runnable unit in order: a block's sub-steps one by one; a block of
        // alternatives as itself, which the gate refuses before anything runs.
        None => proc_
            .steps
            .iter()
            .filter(|s| s.runnable)
            .flat_map(|s| match s.choice {
                Some(_) => vec![s],
                None => s.units().unwrap_or_else(|| vec![s]),
            })
            .collect(),
    };
    if steps.is_empty() {
        bail!(
            "procedure `{}` has no runnable step",
            sanitize(&proc_.title)
        );
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
        ..Default::default()
    }
    .env();
    let path = args.file.display().to_string();
    let mut prepared: Vec<Prepared> = steps
        .iter()
        .map(|s| exec::prepare(&path, proc_, s, &values, &aws_env, &args.policy))
        .collect();
    // A whole-procedure run stops at choices: which one is the operator's call (`--step N`).
    if args.step.is_none() {
        for (p, s) in prepared.iter_mut().zip(&steps) {
            if let (Some(c), false) = (&s.choice, matches!(p.gate, Gate::Refused(_))) {
                p.gate = Gate::Refused(format!(
                    "{}; a whole-procedure run never picks one: run it with --step N",
                    c.why
                ));
            }
        }
    }
    for p in &prepared {
        if !p.missing.is_empty() {
            bail!(
                "step `{}` needs a value for: {} (use --set NAME=VALUE)",
                sanitize(&p.title),
                p.missing.join(", ")
            );
        }
        if let Gate::Refused(why) = &p.gate
            && why.contains("reference-only")
        {
            bail!("{}", sanitize(why));
        }
    }
    Ok(prepared)
}

/// Text meant to be read and copied: sanitised, values quoted, secrets masked.
fn dry_run(prepared: &[Prepared], log: &mut Log) -> Result<i32> {
    for p in prepared {
        crate::out::println(&format!(
            "# step {} · {} · {}",
            p.step_id,
            sanitize(&p.title),
            p.risk
        ))?;
        if let Gate::Refused(why) = &p.gate {
            // What would not run is not printed as something to copy and run.
            crate::out::println(&format!("# refused: {}\n", sanitize(why)))?;
            log.append(Kind::DryRun, format!("refused: {why}"), Some(p))?;
            continue;
        }
        for line in p.vars_display() {
            crate::out::println(&format!("# {}", sanitize(&line)))?;
        }
        crate::out::println(&format!(
            "set -euo pipefail\n{}\n",
            crate::sanitize::lines(&p.script_display())
        ))?;
        log.append(Kind::DryRun, p.describe(), Some(p))?;
    }
    Ok(0)
}

/// The rules, checked for every step before any runs: `Some(3)` when one refuses.
fn check_gates(args: &RunArgs, prepared: &[Prepared], log: &mut Log) -> Result<Option<i32>> {
    for p in prepared {
        let verdict: Result<(), String> = match &p.gate {
            Gate::Refused(why) => Err(format!("{why}; nothing ran")),
            Gate::Run => Ok(()),
            Gate::Confirm if args.yes => Ok(()),
            Gate::Confirm => Err(format!(
                "step `{}` is {}: pass --yes to run it; nothing ran",
                p.title, p.risk
            )),
            Gate::ConfirmTyped if args.yes && p.typed_ok(args.confirm.as_deref().unwrap_or("")) => {
                Ok(())
            }
            Gate::ConfirmTyped => Err(format!(
                "step `{}` is destructive: pass --confirm {} (the target's name) with --yes; nothing ran",
                p.title, p.target
            )),
        };
        if let Err(e) = verdict {
            let kind = if args.policy.read_only {
                Kind::Blocked
            } else {
                Kind::Refused
            };
            let e = log.journal.scrub(&e);
            log.append(kind, e.clone(), Some(p))?;
            eprintln!("opsdeck: {}", sanitize(&e));
            return Ok(Some(EXIT_REFUSED));
        }
    }
    if args.yes {
        let confirm = args
            .confirm
            .as_ref()
            .map(|c| format!(" --confirm {c}"))
            .unwrap_or_default();
        log.append(Kind::Confirmed, format!("--yes{confirm}"), None)?;
    }
    Ok(None)
}

/// One step: started, its output printed and kept, its end journaled. A signal cancels it.
async fn execute(
    args: &RunArgs,
    i: usize,
    p: &Prepared,
    log: &mut Log,
    signals: &mut Signals,
) -> Result<(exec::RunStatus, Option<Signal>)> {
    log.append(Kind::Start, p.describe(), Some(p))?;
    if let (Some(arn), None) = (&p.read_only_role, &args.role) {
        bail!("the read-only role {arn} is not available");
    }
    let role = args.role.clone();
    let spec = RunSpec {
        id: i as u64,
        script: p.script.clone(),
        env: p.env.clone(),
        env_remove: Vec::new(),
        timeout: args.timeout.or(p.timeout),
        grace: Duration::from_secs(3),
        secrets: p.secrets.clone(),
        boxed: p.boxed,
        sandbox: args.sandbox.clone(),
        hide_output: p.hide_output.clone(),
    };
    let interactive = p.interactive && {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal()
    };
    let started = std::time::Instant::now();
    let mut output = String::new();
    let (status, signal) = if interactive {
        run_interactive(spec, role).await
    } else {
        stream(spec, role, log, signals, &mut output).await
    };
    let elapsed = started.elapsed();
    let mut e = log.entry(Kind::End, p.describe(), Some(p));
    e.status = Some(status.journal_status());
    e.reason = status.cancel_reason();
    e.exit_code = Some(status.code());
    e.duration_ms = Some(elapsed.as_millis() as u64);
    e.output = Some(output);
    log.journal.append(e)?;
    eprintln!("── {} in {:.1}s", status.label(), elapsed.as_secs_f64());
    Ok((status, signal))
}

/// Runs a step in the background, printing its (masked) output as it comes; a signal to
/// opsdeck cancels it with that signal as the reason.
async fn stream(
    spec: RunSpec,
    role: Option<RoleSource>,
    log: &Log,
    signals: &mut Signals,
    output: &mut String,
) -> (exec::RunStatus, Option<Signal>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let mut handle = exec::runner::spawn_as(spec, role, tx);
    let mut status = None;
    let mut signal = None;
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(RunEvent::Output { stream, line, .. }) => {
                    let line = log.journal.scrub(&line);
                    match stream {
                        // A reader that went away does not stop the step; the journal keeps it.
                        Stream::Stdout => { let _ = crate::out::println(&line); }
                        Stream::Stderr => eprintln!("{line}"),
                    }
                    if output.len() < journal::MAX_OUTPUT * 2 {
                        output.push_str(&line);
                        output.push('\n');
                    }
                }
                Some(RunEvent::Truncated { dropped, .. }) => eprintln!("… {dropped} more lines not shown"),
                Some(RunEvent::Finished { status: st, .. }) => status = Some(st),
                Some(RunEvent::Started { .. }) => {}
                None => break,
            },
            sig = signals.recv(), if signal.is_none() => {
                signal = Some(sig);
                handle.cancel(CancelReason::Signal(sig));
            }
        }
    }
    (
        status.unwrap_or(exec::RunStatus::Cancelled(CancelReason::Operator)),
        signal,
    )
}

/// An interactive step on this terminal (when standard input is one).
async fn run_interactive(
    mut spec: RunSpec,
    role: Option<RoleSource>,
) -> (exec::RunStatus, Option<Signal>) {
    if let Err(e) = spec.box_credentials(role.as_ref()).await {
        return (exec::RunStatus::FailedToStart(e), None);
    }
    let status = tokio::task::block_in_place(|| {
        let watch = exec::runner::SignalWatch::start();
        exec::runner::run_interactive(&spec, &|| watch.signal())
    });
    let signal = match &status {
        exec::RunStatus::Cancelled(CancelReason::Signal(s)) => Some(*s),
        _ => None,
    };
    (status, signal)
}

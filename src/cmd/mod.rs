//! Every subcommand, one module each, and the dispatcher [`run`] (the cockpit itself is
//! `crate::cockpit`). Here too: shell completions and the man page from the clap
//! definitions, and `config init`/`config check`.

pub mod doctor;
pub mod journal;
pub mod replay;
pub mod run;
pub mod runbook;
pub mod sandbox;
pub mod snapshot;

use crate::cli::{Cli, Common, ConfigCommand};
use crate::config::{Config, Dirs};
use crate::duration::human;
use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use std::path::Path;

/// Runs what the command line asks: a subcommand, or the cockpit.
pub fn run(cli: Cli) -> Result<i32> {
    if let Some(crate::cli::Command::Sandbox(args)) = &cli.command {
        return sandbox::run(&cli.common, args);
    }
    if let Some(crate::cli::Command::Runbook(cmd)) = &cli.command {
        return runbook::run_runbook(cmd);
    }
    if let Some(crate::cli::Command::Run(args)) = &cli.command {
        return run::run_headless(&cli.common, args);
    }
    if let Some(crate::cli::Command::Journal(cmd)) = &cli.command {
        return journal::run_journal(&cli.common, cmd);
    }
    match &cli.command {
        Some(crate::cli::Command::Completions { shell }) => {
            return completions(*shell);
        }
        Some(crate::cli::Command::Man) => return man(),
        Some(crate::cli::Command::Config(c)) => return config(&cli.common, c),
        Some(crate::cli::Command::Doctor(a)) => {
            return crate::cockpit::runtime()?.block_on(doctor::run(&cli.common, a));
        }
        _ => {}
    }
    let s = crate::cockpit::setup(&cli.common)?;
    match cli.command {
        Some(crate::cli::Command::Snapshot(args)) if args.replay.is_some() => {
            snapshot::run_snapshot_replay(&s, &args)
        }
        Some(crate::cli::Command::Snapshot(args)) => snapshot::run_snapshot(&cli.common, &s, &args),
        Some(crate::cli::Command::Replay(args)) => {
            replay::run_replay(&s, &args, cli.exit_after_frames)
        }
        Some(
            crate::cli::Command::Runbook(_)
            | crate::cli::Command::Run(_)
            | crate::cli::Command::Journal(_)
            | crate::cli::Command::Completions { .. }
            | crate::cli::Command::Man
            | crate::cli::Command::Config(_)
            | crate::cli::Command::Sandbox(_)
            | crate::cli::Command::Doctor(_),
        ) => {
            unreachable!("handled above")
        }
        None => {
            let path = crate::cockpit::journal_path(&cli.common);
            let journal = crate::journal::Journal::open(&path)
                .with_context(|| format!("cannot open the journal {}", path.display()))?;
            crate::cockpit::run_cockpit(
                &cli.common,
                &s,
                crate::event_loop::Options {
                    values_file: s.dirs.state.as_ref().map(|d| d.join("values.json")),
                    journal: Some(journal),
                    exit_after_frames: cli.exit_after_frames,
                    panic_after_frames: cli.panic_after_frames,
                    roles: Vec::new(),
                    recorder: None,
                    sandbox: s.config.sandbox.clone(),
                },
            )
        }
    }
}

/// `opsdeck completions SHELL`: the script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "opsdeck", &mut buf);
    crate::out::print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

/// `opsdeck man`: the man page (roff) on standard output.
pub fn man() -> Result<i32> {
    let page = clap_mangen::Man::new(Cli::command());
    let mut buf = Vec::new();
    page.render(&mut buf)
        .context("cannot render the man page")?;
    crate::out::print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

pub fn config(common: &Common, c: &ConfigCommand) -> Result<i32> {
    match c {
        ConfigCommand::Init { path } => init(path.as_deref()),
        ConfigCommand::Check { file, .. } => check(common, file.as_deref()),
    }
}

/// A commented opsdeck.toml: every section, every key with its default (commented out, so
/// the file changes nothing until a line is uncommented), and where the README explains it.
pub const TEMPLATE: &str = include_str!("opsdeck.toml.template");

fn init(path: Option<&Path>) -> Result<i32> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => Dirs::from_env()
            .config
            .map(|d| d.join("opsdeck.toml"))
            .context("no config directory: set XDG_CONFIG_HOME or HOME, or pass --path")?,
    };
    if path.exists() {
        bail!(
            "{} already exists; opsdeck never overwrites it (move it away, or use --path for another file)",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // create_new: a file that appears meanwhile is still never overwritten.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(TEMPLATE.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {}: every setting is commented out with its default; uncomment what you need",
        path.display()
    );
    Ok(0)
}

/// Validates a file (errors name file:line and exit 2 through `main`) and prints the
/// settings opsdeck would run with: the file's, then the flags and the environment on top.
fn check(common: &Common, file: Option<&Path>) -> Result<i32> {
    let dirs = Dirs::from_env();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let chosen = file.or(common.config.as_deref());
    let config = Config::discover(chosen, &cwd, dirs.config.as_deref())?;
    crate::out::print(&effective(common, &config))?;
    Ok(0)
}

/// The effective settings, one per line, saying where each comes from and what it overrode
/// (the resolver's precedence: flag > environment > opsdeck.toml > AWS profile > default).
pub fn effective(common: &Common, config: &Config) -> String {
    // Long on purpose: one line per setting, in the order the file lists them.
    let set = crate::settings::resolve(common, config);
    let aws = set.aws(config);
    let mut o = String::new();
    // Values can come from the environment: shown without their escapes.
    let mut line =
        |k: &str, v: String| o.push_str(&format!("{k:<22}{}\n", crate::sanitize::sanitize(&v)));
    line(
        "precedence",
        "flag > environment > opsdeck.toml > AWS profile > default".into(),
    );
    line(
        "file",
        config
            .path
            .as_ref()
            .map_or("none (defaults)".into(), |p| p.display().to_string()),
    );
    line("theme", set.theme.describe_plain());
    line("keymap", set.keymap.describe_plain());
    line("read_only", set.read_only.describe_plain());
    line(
        "read_only_role",
        set.read_only_role
            .describe("none: read-only is enforced by classification only"),
    );
    line("confirm_read", config.confirm_read.to_string());
    line(
        "runbooks",
        config
            .runbooks
            .iter()
            .chain(common.runbooks.iter())
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    line("logs.buffer_lines", set.log_buffer.describe_plain());
    line("ui.mouse", set.mouse.describe_plain());
    line(
        "aws.profile",
        set.profile
            .describe("default (nothing names one: the SDK reads the `default` profile)"),
    );
    line(
        "aws.region",
        set.region
            .describe("none (the SDK's chain: instance metadata, else a call fails)"),
    );
    line(
        "aws.endpoint_url",
        set.endpoint_url.describe("AWS's own endpoints"),
    );
    line(
        "aws.retries",
        format!(
            "{} mode, {} attempts",
            if aws.adaptive_retries == Some(true) {
                "adaptive"
            } else {
                "standard"
            },
            aws.max_attempts.unwrap_or(3)
        ),
    );
    let r = &config.refresh;
    line(
        "refresh",
        format!(
            "ecs {} · lambda {} · metrics {} · alarms {} · health {} · sqs {} · resources {} · steady {} · logs {}",
            human(r.ecs_ms),
            human(r.lambda_ms),
            human(r.metrics_ms),
            human(r.alarms_ms),
            human(r.health_ms),
            human(r.sqs_ms),
            human(r.resources_ms),
            human(r.steady_ms),
            human(r.logs_ms)
        ),
    );
    line(
        "logs",
        format!(
            "{} requests/s, {} backfill",
            r.logs_rate,
            human(r.logs_backfill_ms)
        ),
    );
    let w = &config.watch;
    let listed = |n: usize| {
        if n == 0 {
            "runbook targets, then discovery".to_string()
        } else {
            format!("{n} named")
        }
    };
    line(
        "watch.services",
        listed(w.clusters.len() + w.services.len()),
    );
    line("watch.functions", listed(w.functions.len()));
    line("watch.metrics", listed(w.metrics.len()));
    line("watch.log_groups", listed(w.log_groups.len()));
    line("watch.alarms", listed(w.alarm_prefixes.len()));
    line("watch.health", listed(w.health.len()));
    line(
        "watch.commands",
        match w.commands.len() {
            0 => "none".to_string(),
            n => format!(
                "{n}: {}",
                w.commands
                    .iter()
                    .map(|c| format!("{} every {}", c.name, human(c.interval_ms)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let p = Path::new("opsdeck.toml");
        let parsed = Config::parse(p, TEMPLATE).expect("the template is valid");
        let defaults = Config {
            path: parsed.path.clone(),
            ..Config::default()
        };
        assert_eq!(parsed, defaults);
        // Uncommenting the examples gives a valid file too.
        let uncommented: String = TEMPLATE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with("[["))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        Config::parse(p, &uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    }
}

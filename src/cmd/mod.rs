//! The first-hour commands: shell completions and the man page from the clap definitions,
//! `config init`/`config check`, and `doctor` (in its own module).

pub mod doctor;
pub mod sandbox;

use crate::cli::{Cli, Common, ConfigCommand};
use crate::config::{Config, Dirs};
use crate::duration::human;
use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use std::path::Path;

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
        ConfigCommand::Check { file } => check(common, file.as_deref()),
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

/// The effective settings, one per line, saying where each comes from.
pub fn effective(common: &Common, config: &Config) -> String {
    // Long on purpose: one line per setting, in the order the file lists them.
    let aws = crate::settings::aws_options(common, config);
    let policy = crate::settings::policy(common, config, false);
    let source = |flag: bool, file: bool| {
        if flag {
            "flag"
        } else if file {
            "file"
        } else {
            "default"
        }
    };
    let env_or = |var: &str, v: Option<&String>, flag: bool, file: bool| match v {
        Some(v) => format!("{v} ({})", source(flag, file)),
        None => match std::env::var(var).ok().filter(|x| !x.is_empty()) {
            Some(e) => format!("{e} ({var})"),
            None => "(the SDK's default chain)".to_string(),
        },
    };
    let mut o = String::new();
    // Values can come from the environment: shown without their escapes.
    let mut line =
        |k: &str, v: String| o.push_str(&format!("{k:<22}{}\n", crate::sanitize::sanitize(&v)));
    line(
        "file",
        config
            .path
            .as_ref()
            .map_or("none (defaults)".into(), |p| p.display().to_string()),
    );
    line(
        "theme",
        common
            .theme
            .clone()
            .or(config.theme.clone())
            .unwrap_or_else(|| "default".into()),
    );
    line(
        "keymap",
        common
            .keymap
            .clone()
            .or(config.keymap.clone())
            .unwrap_or_else(|| "default".into()),
    );
    line(
        "read_only",
        format!(
            "{} ({})",
            policy.read_only,
            source(common.read_only, config.read_only)
        ),
    );
    line(
        "read_only_role",
        aws.read_only_role
            .clone()
            .unwrap_or_else(|| "none: read-only is enforced by classification only".into()),
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
    line(
        "logs.buffer_lines",
        common
            .log_buffer
            .unwrap_or(config.log_buffer_lines)
            .to_string(),
    );
    line("ui.mouse", (config.mouse && !common.no_mouse).to_string());
    line(
        "aws.profile",
        env_or(
            "AWS_PROFILE",
            aws.profile.as_ref(),
            common.profile.is_some(),
            config.aws.profile.is_some(),
        ),
    );
    line(
        "aws.region",
        env_or(
            "AWS_REGION",
            aws.region.as_ref(),
            common.region.is_some(),
            config.aws.region.is_some(),
        ),
    );
    line(
        "aws.endpoint_url",
        env_or(
            "AWS_ENDPOINT_URL",
            aws.endpoint_url.as_ref(),
            common.endpoint_url.is_some(),
            config.aws.endpoint_url.is_some(),
        ),
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
            "ecs {} · lambda {} · metrics {} · alarms {} · health {} · sqs {} · resources {} · logs {}",
            human(r.ecs_ms),
            human(r.lambda_ms),
            human(r.metrics_ms),
            human(r.alarms_ms),
            human(r.health_ms),
            human(r.sqs_ms),
            human(r.resources_ms),
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

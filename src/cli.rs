//! Command-line definitions. The cockpit and `snapshot` share the same options so a snapshot
//! shows exactly what the cockpit would.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "Keyboard-driven terminal cockpit for live operations on AWS"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,

    /// Quit after drawing this many frames (for startup measurements).
    #[arg(long, hide = true)]
    pub exit_after_frames: Option<u64>,

    /// Panic after drawing this many frames (tests that the terminal is restored on a panic).
    #[arg(long, hide = true)]
    pub panic_after_frames: Option<u64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Run on the embedded simulated fleet (no AWS account needed).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Seed of the demo fleet, for a reproducible run.
    #[arg(long, global = true, default_value_t = 42)]
    pub seed: u64,

    /// Seconds of log history the demo delivers at start.
    #[arg(long, global = true, hide = true, default_value_t = 300.0)]
    pub demo_backfill: f64,

    /// Open the demo this many seconds into its scripted incident (it starts at 40 s and
    /// peaks at 100 s).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 0.0)]
    pub demo_at: f64,

    /// The demo fleet as N AWS contexts (1 to 50), each filled to 200 rows, 50 metrics and
    /// 500 log lines a second: `--scale 10` is a large multi-account on-call.
    #[arg(long, global = true, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=50))]
    pub scale: u16,

    /// Configuration file (default: ./opsdeck.toml, then $XDG_CONFIG_HOME/opsdeck/opsdeck.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Theme: a built-in name (default, light, high-contrast), a name in the config dir's themes/, or a path.
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,

    /// Keymap: a built-in name (default, vim), a name in the config dir's keymaps/, or a path.
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,

    /// Log lines kept in memory, 100 to 5000000 (overrides logs.buffer_lines).
    #[arg(long, global = true, value_name = "LINES", value_parser = parse_log_buffer)]
    pub log_buffer: Option<usize>,

    /// Do not capture the mouse (lets the terminal select text natively).
    #[arg(long, global = true)]
    pub no_mouse: bool,

    /// A runbook whose procedures the palette offers (repeatable; adds to `runbooks` in opsdeck.toml).
    #[arg(long = "runbook", global = true, value_name = "FILE")]
    pub runbooks: Vec<PathBuf>,

    /// Nothing that changes state can run: actions and steps other than read are refused.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// In read-only mode, every AWS call and every step uses credentials from assuming this
    /// role (a ReadOnlyAccess-style role), so AWS enforces read-only too ([aws] read_only_role).
    #[arg(long, global = true, value_name = "ARN", value_parser = parse_role_arn)]
    pub read_only_role: Option<String>,

    /// AWS profile (default: AWS_PROFILE, then [aws] profile in opsdeck.toml, then `default`).
    /// A comma list watches each (times each --region).
    #[arg(long, global = true, value_name = "PROFILE[,PROFILE…]")]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION, then [aws] region, then the profile's region). A comma
    /// list watches each.
    #[arg(long, global = true, value_name = "REGION[,REGION…]")]
    pub region: Option<String>,

    /// Watch this context too: LABEL=PROFILE@REGION (repeatable; replaces [[contexts]]).
    #[arg(long = "context", global = true, value_name = "LABEL=PROFILE@REGION", value_parser = crate::config::contexts::parse_flag)]
    pub contexts: Vec<crate::config::contexts::ContextSpec>,

    /// Send every AWS call to this endpoint (a local fake, a VPC endpoint). AWS_ENDPOINT_URL
    /// and AWS_ENDPOINT_URL_<SERVICE> work too.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// The incident journal (JSONL; default: $XDG_DATA_HOME/opsdeck/journal.jsonl).
    #[arg(long, global = true, value_name = "FILE")]
    pub journal: Option<PathBuf>,

    /// Record the session (every delivery and journal entry, redacted) to this new file, for
    /// `opsdeck replay` and the report's charts (`record = true` in opsdeck.toml records to
    /// the state dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sources without a terminal, then print the cockpit as text or its data as JSON.
    Snapshot(SnapshotArgs),
    /// Inspect runbooks: the parsed procedures, steps, commands, placeholders and risks.
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// Run a runbook procedure without the TUI, under the same confirmation rules.
    Run(RunCli),
    /// The incident journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `opsdeck man > opsdeck.1`.
    Man,
    /// Write a commented opsdeck.toml, or check one and show the effective settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check the AWS setup: context, credentials, and one cheap read per feed.
    Doctor(DoctorArgs),
    /// Play a recording in the cockpit: space pauses, ←/→ jump 10 s, [/] speed, g/G start/end;
    /// nothing acts.
    Replay(ReplayArgs),
    /// Run a command in the read-only box (the one read-only steps, watches and verifications
    /// run in): no writes outside a scratch $TMPDIR, no listeners, TCP only to 443 and
    /// [sandbox] connect_ports, no signals out, no capabilities, read-only AWS credentials
    /// only, nothing left running. The command's exit status is passed through.
    Sandbox(SandboxArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// A TCP port the command may connect to, besides 443 and the AWS endpoint's
    /// (repeatable; adds to [sandbox] connect_ports).
    #[arg(long = "connect-port", value_name = "PORT")]
    pub connect_ports: Vec<u16>,
    /// Run even where the kernel cannot box (no Landlock): AWS credentials alone then keep
    /// it read-only ([sandbox] allow_unenforced).
    #[arg(long)]
    pub allow_unenforced: bool,
    /// A credential file or directory the command may read after all (repeatable; adds to
    /// [sandbox] readable): a read-only kubeconfig, say.
    #[arg(long = "readable", value_name = "PATH")]
    pub readable: Vec<std::path::PathBuf>,
    /// An inherited variable with a secret-looking name to keep (repeatable; adds to
    /// [sandbox] pass_env). Others (`*TOKEN*`, `*PASSWORD*`, `*SECRET*`…) are removed.
    #[arg(long = "pass-env", value_name = "NAME")]
    pub pass_env: Vec<String>,
    /// Started by opsdeck's step launcher: the environment already holds the box's
    /// credentials.
    #[arg(long, hide = true)]
    pub launched: bool,
    /// Supervise only (a confirmed write step): no box.
    #[arg(long, hide = true)]
    pub no_box: bool,
    #[arg(long, hide = true)]
    pub interactive: bool,
    #[arg(long, hide = true)]
    pub life_fd: Option<i32>,
    #[arg(long, hide = true)]
    pub report_fd: Option<i32>,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// A recording (`--record FILE`, or `recordings/` in the state dir).
    pub file: PathBuf,
    /// Playback speed (0.5 to 500).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Where to start: an offset (90s, 10m, 1h5m), a time of day (21:04:10 UTC) or RFC 3339.
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Start paused.
    #[arg(long)]
    pub paused: bool,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_start_matches(['x', '×'])
        .parse()
        .map_err(|_| format!("`{s}` is not a speed (0.5 to 500)"))?;
    if (0.5..=500.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("speed {v} is out of range: 0.5 to 500"))
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented opsdeck.toml with every section and its defaults (never overwrites).
    Init {
        /// Where to write it (default: $XDG_CONFIG_HOME/opsdeck/opsdeck.toml).
        #[arg(long, value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Validate a configuration file and print the effective settings after flags and the
    /// environment (default: the file opsdeck would use).
    Check {
        /// The file to check (default: --config, ./opsdeck.toml, then the XDG one).
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_log_buffer(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (100..=5_000_000).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a line count from 100 to 5000000")),
    }
}

fn parse_role_arn(s: &str) -> Result<String, String> {
    if crate::config::is_role_arn(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        ))
    }
}

/// How long to wait for slow sources, in seconds: a duration from 0 to 1h.
fn parse_after(s: &str) -> Result<f64, String> {
    match crate::duration::parse_ms(s) {
        Ok(ms) if ms <= 3_600_000 => Ok(ms as f64 / 1000.0),
        Ok(_) => Err(format!(
            "`{s}` is not a duration from 0 to 1h: it is longer"
        )),
        Err(e) => Err(format!(
            "`{s}` is not a duration from 0 to 1h: {e}; write {}",
            crate::duration::HINT
        )),
    }
}

/// `2` or `2.1`.
fn parse_step(s: &str) -> Result<(usize, Option<usize>), String> {
    let bad = || format!("`{s}` is not a step number: use N or N.M (2, 2.1)");
    let (n, m) = match s.split_once('.') {
        Some((n, m)) => (n, Some(m)),
        None => (s, None),
    };
    let n: usize = n.parse().map_err(|_| bad())?;
    let m = m
        .map(|m| m.parse::<usize>().map_err(|_| bad()))
        .transpose()?;
    if n == 0 || m == Some(0) {
        return Err(bad());
    }
    Ok((n, m))
}

fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

#[derive(Debug, Clone, Args)]
pub struct RunCli {
    pub file: PathBuf,
    /// Procedure id, exact title, or a unique case-insensitive part of its path.
    pub procedure: String,
    /// Run only step N (1-based), or sub-step N.M (a command the block titles on its own).
    #[arg(long, value_name = "N[.M]", value_parser = parse_step)]
    pub step: Option<(usize, Option<usize>)>,
    /// A placeholder value (repeatable). Values reach commands as environment variables only.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Print the fully rendered script instead of running it.
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm write and unknown steps.
    #[arg(long)]
    pub yes: bool,
    /// Confirm destructive steps by naming their target.
    #[arg(long, value_name = "TEXT")]
    pub confirm: Option<String>,
    /// Refuse anything that is not read-only.
    #[arg(long)]
    pub read_only: bool,
    /// With --read-only: run every step in the box whatever the classifier rates it (tests the
    /// box alone; refused where Landlock does not hold).
    #[arg(long, hide = true, requires = "read_only")]
    pub box_unrated: bool,
    /// Per-step timeout for every step: 500ms, 90s, 5m, 1h (a bare number is seconds; at most
    /// 7d). Default: the step's `{timeout=…}`, else 10 minutes; none for `--follow`/`watch`.
    #[arg(long, value_name = "DURATION",
          value_parser = crate::duration::clap_within(std::time::Duration::from_secs(7 * 86_400)))]
    pub timeout: Option<std::time::Duration>,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Print a postmortem timeline.
    Export {
        /// RFC 3339 time, or an age such as 2h, 30m, 1d.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
        format: ExportFormat,
        /// A recording of the incident: the report's charts come from its metrics.
        #[arg(long, value_name = "FILE")]
        recording: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Markdown,
    /// One self-contained page (SVG charts, no external assets).
    Html,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Print the parsed tree of a runbook.
    Show {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check runbooks; findings as file:line. Exit 1 when there are errors.
    Lint {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The resources, metrics, thresholds and health URLs the runbooks name.
    Targets {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    /// Columns, 20 to 1000.
    #[arg(long, default_value_t = 160, value_parser = clap::value_parser!(u16).range(20..=1000))]
    pub width: u16,
    /// Rows, 5 to 1000.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u16).range(5..=1000))]
    pub height: u16,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Give up waiting for slow sources after this long (20, 2.5s, 1m; a bare number is
    /// seconds).
    #[arg(long, value_name = "DURATION", default_value = "20", value_parser = parse_after)]
    pub after: f64,
    /// Print the cockpit as it was in this recording (with --at) instead of live.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// With --replay: when (an offset such as 90s or 10m, a time of day 21:04:10 UTC, or RFC
    /// 3339; default: the end).
    #[arg(long, value_name = "T", requires = "replay")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

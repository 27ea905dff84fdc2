//! Command-line definitions. The cockpit and `snapshot` share the same options so a snapshot
//! shows exactly what the cockpit would.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "Keyboard-driven terminal cockpit for live operations on AWS",
    after_help = "Each subcommand takes only the options it uses: `opsdeck SUBCOMMAND --help` lists them."
)]
pub struct Cli {
    /// The cockpit's options (they may also come before a subcommand that takes them).
    #[command(flatten)]
    pub cockpit: CockpitOpts,

    /// Every option, merged from the cockpit's and the subcommand's by [`Cli::parse_args`].
    #[arg(skip)]
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

/// Every option a run can be given, whichever subcommand took it (the code reads this one
/// struct; the command line offers each option only where it applies).
#[derive(Debug, Clone)]
pub struct Common {
    pub demo: bool,
    pub seed: u64,
    pub demo_backfill: f64,
    pub demo_at: f64,
    pub scale: u16,
    pub config: Option<PathBuf>,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub log_buffer: Option<usize>,
    pub no_mouse: bool,
    pub runbooks: Vec<PathBuf>,
    pub read_only: bool,
    pub read_only_role: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub contexts: Vec<crate::config::contexts::ContextSpec>,
    pub endpoint_url: Option<String>,
    pub journal: Option<PathBuf>,
    pub record: Option<PathBuf>,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            demo: false,
            seed: 42,
            demo_backfill: 300.0,
            demo_at: 0.0,
            scale: 1,
            config: None,
            theme: None,
            keymap: None,
            log_buffer: None,
            no_mouse: false,
            runbooks: Vec::new(),
            read_only: false,
            read_only_role: None,
            profile: None,
            region: None,
            contexts: Vec::new(),
            endpoint_url: None,
            journal: None,
            record: None,
        }
    }
}

/// A group of options: what it puts into [`Common`] and which of its flags were given.
trait Opts {
    fn apply(&self, c: &mut Common);
    fn given(&self) -> Vec<&'static str>;
}

/// `--config`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigOpt {
    /// Configuration file (default: ./opsdeck.toml, then $XDG_CONFIG_HOME/opsdeck/opsdeck.toml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

impl Opts for ConfigOpt {
    fn apply(&self, c: &mut Common) {
        if self.config.is_some() {
            c.config.clone_from(&self.config);
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--config", self.config.is_some())])
    }
}

/// The embedded demo fleet.
#[derive(Debug, Clone, Default, Args)]
pub struct DemoOpts {
    /// Run on the embedded simulated fleet (no AWS account needed).
    #[arg(long)]
    pub demo: bool,
    /// Seed of the demo fleet, for a reproducible run (default 42).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Seconds of log history the demo delivers at start.
    #[arg(long, hide = true)]
    pub demo_backfill: Option<f64>,
    /// Open the demo this many seconds into its scripted incident (it starts at 40 s and
    /// peaks at 100 s).
    #[arg(long, value_name = "SECONDS")]
    pub demo_at: Option<f64>,
    /// The demo fleet as N AWS contexts (1 to 50), each filled to 200 rows, 50 metrics and
    /// 500 log lines a second: `--scale 10` is a large multi-account on-call.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=50))]
    pub scale: Option<u16>,
}

impl Opts for DemoOpts {
    fn apply(&self, c: &mut Common) {
        c.demo |= self.demo;
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.demo_backfill {
            c.demo_backfill = v;
        }
        if let Some(v) = self.demo_at {
            c.demo_at = v;
        }
        if let Some(v) = self.scale {
            c.scale = v;
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[
            ("--demo", self.demo),
            ("--seed", self.seed.is_some()),
            ("--demo-backfill", self.demo_backfill.is_some()),
            ("--demo-at", self.demo_at.is_some()),
            ("--scale", self.scale.is_some()),
        ])
    }
}

/// How the cockpit looks and what it keeps.
#[derive(Debug, Clone, Default, Args)]
pub struct ViewOpts {
    /// Theme: a built-in name (default, light, high-contrast), a name in the config dir's themes/, or a path.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Keymap: a built-in name (default, vim), a name in the config dir's keymaps/, or a path.
    #[arg(long, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// Log lines kept in memory, 100 to 5000000 (overrides logs.buffer_lines).
    #[arg(long, value_name = "LINES", value_parser = parse_log_buffer)]
    pub log_buffer: Option<usize>,
}

impl Opts for ViewOpts {
    fn apply(&self, c: &mut Common) {
        if self.theme.is_some() {
            c.theme.clone_from(&self.theme);
        }
        if self.keymap.is_some() {
            c.keymap.clone_from(&self.keymap);
        }
        if self.log_buffer.is_some() {
            c.log_buffer = self.log_buffer;
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[
            ("--theme", self.theme.is_some()),
            ("--keymap", self.keymap.is_some()),
            ("--log-buffer", self.log_buffer.is_some()),
        ])
    }
}

/// The terminal.
#[derive(Debug, Clone, Default, Args)]
pub struct TermOpts {
    /// Do not capture the mouse (lets the terminal select text natively).
    #[arg(long)]
    pub no_mouse: bool,
}

impl Opts for TermOpts {
    fn apply(&self, c: &mut Common) {
        c.no_mouse |= self.no_mouse;
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--no-mouse", self.no_mouse)])
    }
}

/// Where AWS is and as whom.
#[derive(Debug, Clone, Default, Args)]
pub struct AwsOpts {
    /// AWS profile (default: AWS_PROFILE, then [aws] profile in opsdeck.toml, then `default`).
    /// A comma list watches each (times each --region).
    #[arg(long, value_name = "PROFILE[,PROFILE…]")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, then [aws] region, then the profile's region). A comma
    /// list watches each.
    #[arg(long, value_name = "REGION[,REGION…]")]
    pub region: Option<String>,
    /// A context: LABEL=PROFILE@REGION (repeatable; replaces [[contexts]]). `run` and
    /// `sandbox` act in the one named by its LABEL.
    #[arg(long = "context", value_name = "LABEL=PROFILE@REGION", value_parser = crate::config::contexts::parse_flag)]
    pub contexts: Vec<crate::config::contexts::ContextSpec>,
    /// Send every AWS call to this endpoint (a local fake, a VPC endpoint). AWS_ENDPOINT_URL
    /// and AWS_ENDPOINT_URL_<SERVICE> work too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// In read-only mode, every AWS call and every step uses credentials from assuming this
    /// role (a ReadOnlyAccess-style role), so AWS enforces read-only too ([aws] read_only_role).
    #[arg(long, value_name = "ARN", value_parser = parse_role_arn)]
    pub read_only_role: Option<String>,
}

impl Opts for AwsOpts {
    fn apply(&self, c: &mut Common) {
        if self.profile.is_some() {
            c.profile.clone_from(&self.profile);
        }
        if self.region.is_some() {
            c.region.clone_from(&self.region);
        }
        c.contexts.extend(self.contexts.iter().cloned());
        if self.endpoint_url.is_some() {
            c.endpoint_url.clone_from(&self.endpoint_url);
        }
        if self.read_only_role.is_some() {
            c.read_only_role.clone_from(&self.read_only_role);
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[
            ("--profile", self.profile.is_some()),
            ("--region", self.region.is_some()),
            ("--context", !self.contexts.is_empty()),
            ("--endpoint-url", self.endpoint_url.is_some()),
            ("--read-only-role", self.read_only_role.is_some()),
        ])
    }
}

/// `--runbook`.
#[derive(Debug, Clone, Default, Args)]
pub struct RunbookOpts {
    /// A runbook whose procedures the palette offers (repeatable; adds to `runbooks` in opsdeck.toml).
    #[arg(long = "runbook", value_name = "FILE")]
    pub runbooks: Vec<PathBuf>,
}

impl Opts for RunbookOpts {
    fn apply(&self, c: &mut Common) {
        c.runbooks.extend(self.runbooks.iter().cloned());
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--runbook", !self.runbooks.is_empty())])
    }
}

/// `--read-only` (k9s and taws spell it `--readonly`: accepted too).
#[derive(Debug, Clone, Default, Args)]
pub struct ModeOpts {
    /// Nothing that changes state can run: actions and steps other than read are refused.
    #[arg(long, visible_alias = "readonly")]
    pub read_only: bool,
}

impl Opts for ModeOpts {
    fn apply(&self, c: &mut Common) {
        c.read_only |= self.read_only;
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--read-only", self.read_only)])
    }
}

/// `--journal`.
#[derive(Debug, Clone, Default, Args)]
pub struct JournalOpt {
    /// The incident journal (JSONL; default: $XDG_DATA_HOME/opsdeck/journal.jsonl).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

impl Opts for JournalOpt {
    fn apply(&self, c: &mut Common) {
        if self.journal.is_some() {
            c.journal.clone_from(&self.journal);
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--journal", self.journal.is_some())])
    }
}

/// `--record`.
#[derive(Debug, Clone, Default, Args)]
pub struct RecordOpt {
    /// Record the session (every delivery and journal entry, redacted) to this new file, for
    /// `opsdeck replay` and the report's charts (`record = true` in opsdeck.toml records to
    /// the state dir).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl Opts for RecordOpt {
    fn apply(&self, c: &mut Common) {
        if self.record.is_some() {
            c.record.clone_from(&self.record);
        }
    }
    fn given(&self) -> Vec<&'static str> {
        given(&[("--record", self.record.is_some())])
    }
}

fn given(flags: &[(&'static str, bool)]) -> Vec<&'static str> {
    flags
        .iter()
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect()
}

/// The cockpit's options (`opsdeck [OPTIONS]` with no subcommand).
#[derive(Debug, Clone, Default, Args)]
pub struct CockpitOpts {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub demo: DemoOpts,
    #[command(flatten)]
    pub view: ViewOpts,
    #[command(flatten)]
    pub term: TermOpts,
    #[command(flatten)]
    pub runbooks: RunbookOpts,
    #[command(flatten)]
    pub mode: ModeOpts,
    #[command(flatten)]
    pub aws: AwsOpts,
    #[command(flatten)]
    pub journal: JournalOpt,
    #[command(flatten)]
    pub record: RecordOpt,
}

impl CockpitOpts {
    fn groups(&self) -> [(&'static str, &dyn Opts); 9] {
        [
            ("config", &self.config),
            ("demo", &self.demo),
            ("view", &self.view),
            ("term", &self.term),
            ("runbooks", &self.runbooks),
            ("mode", &self.mode),
            ("aws", &self.aws),
            ("journal", &self.journal),
            ("record", &self.record),
        ]
    }
}

impl Cli {
    /// Parses the command line and merges the cockpit's options with the subcommand's into
    /// [`Cli::common`]. An option given before a subcommand that does not take it is an
    /// error (exit 2), not silently ignored — but for `--config` and `--journal`, which a
    /// wrapper may give every invocation.
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let mut common = Common::default();
        let taken: Vec<(&'static str, &dyn Opts)> = match &cli.command {
            None => Vec::new(),
            Some(c) => c.groups(),
        };
        let names: Vec<&str> = taken.iter().map(|(n, _)| *n).collect();
        for (name, group) in cli.cockpit.groups() {
            // `--config` and `--journal` name files, and often come from a wrapper or an
            // alias (`alias opsdeck='opsdeck --journal ~/incident.jsonl'`): accepted before
            // any subcommand. Any other option there is a mistake worth saying.
            let file_location = matches!(name, "config" | "journal");
            if cli.command.is_some()
                && !names.contains(&name)
                && !file_location
                && let Some(flag) = group.given().first()
            {
                let sub = cli.command.as_ref().map_or("", |c| c.name());
                return Err(Cli::command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "`{flag}` does not apply to `opsdeck {sub}` (see `opsdeck {sub} --help` for what does)"
                    ),
                ));
            }
            group.apply(&mut common);
        }
        for (_, group) in taken {
            group.apply(&mut common);
        }
        cli.common = common;
        Ok(cli)
    }

    /// [`Cli::parse_args`] on the process's arguments; usage errors exit 2 with clap's message.
    pub fn parse_env() -> Cli {
        Cli::parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }
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
        /// The shell to complete for.
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

impl Command {
    /// The subcommand's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Snapshot(_) => "snapshot",
            Command::Runbook(_) => "runbook",
            Command::Run(_) => "run",
            Command::Journal(_) => "journal",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
            Command::Config(_) => "config",
            Command::Doctor(_) => "doctor",
            Command::Replay(_) => "replay",
            Command::Sandbox(_) => "sandbox",
        }
    }

    /// The option groups this subcommand takes (named as in [`CockpitOpts::groups`]).
    fn groups(&self) -> Vec<(&'static str, &dyn Opts)> {
        match self {
            Command::Snapshot(a) => vec![
                ("config", &a.config),
                ("demo", &a.demo),
                ("view", &a.view),
                ("runbooks", &a.runbooks),
                ("mode", &a.mode),
                ("aws", &a.aws),
            ],
            Command::Run(a) => vec![
                ("config", &a.config),
                ("mode", &a.mode),
                ("aws", &a.aws),
                ("journal", &a.journal),
            ],
            Command::Journal(JournalCommand::Export { journal, .. }) => {
                vec![("journal", journal)]
            }
            Command::Config(ConfigCommand::Check { opts, .. }) => vec![
                ("config", &opts.config),
                ("view", &opts.view),
                ("term", &opts.term),
                ("runbooks", &opts.runbooks),
                ("mode", &opts.mode),
                ("aws", &opts.aws),
            ],
            Command::Doctor(a) => vec![("config", &a.config), ("mode", &a.mode), ("aws", &a.aws)],
            Command::Replay(a) => vec![("config", &a.config), ("view", &a.view), ("term", &a.term)],
            Command::Sandbox(a) => vec![("config", &a.config), ("aws", &a.aws)],
            Command::Runbook(_)
            | Command::Completions { .. }
            | Command::Man
            | Command::Config(ConfigCommand::Init { .. }) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub aws: AwsOpts,
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
    /// The step needs the terminal.
    #[arg(long, hide = true)]
    pub interactive: bool,
    /// The pipe whose closing means opsdeck is gone.
    #[arg(long, hide = true)]
    pub life_fd: Option<i32>,
    /// Where the supervisor reports what it killed.
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
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub view: ViewOpts,
    #[command(flatten)]
    pub term: TermOpts,
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
    /// Validate a configuration file and print the effective settings, each with where it
    /// came from (flag > environment > opsdeck.toml > AWS profile > default).
    Check {
        /// The file to check (default: --config, ./opsdeck.toml, then the XDG one).
        file: Option<PathBuf>,
        /// The options whose effect to show.
        #[command(flatten)]
        opts: Box<CheckOpts>,
    },
}

/// What `config check` resolves.
#[derive(Debug, Clone, Args)]
pub struct CheckOpts {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub view: ViewOpts,
    #[command(flatten)]
    pub term: TermOpts,
    #[command(flatten)]
    pub runbooks: RunbookOpts,
    #[command(flatten)]
    pub mode: ModeOpts,
    #[command(flatten)]
    pub aws: AwsOpts,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub mode: ModeOpts,
    #[command(flatten)]
    pub aws: AwsOpts,
    /// Output: text for people, json for scripts (`--output` is the AWS CLI's spelling).
    #[arg(long, visible_alias = "output", value_enum, default_value_t = Format::Text)]
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
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub mode: ModeOpts,
    #[command(flatten)]
    pub aws: AwsOpts,
    #[command(flatten)]
    pub journal: JournalOpt,
    /// The runbook (Markdown).
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
    /// With --read-only (before or after `run`, or `read_only = true`): run every step in the
    /// box whatever the classifier rates it (tests the box alone; refused where Landlock does
    /// not hold, and without read-only mode).
    #[arg(long, hide = true)]
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
        #[command(flatten)]
        journal: JournalOpt,
        /// From this time: RFC 3339, or an age such as 90s, 30m, 2h, 1d.
        #[arg(long, value_name = "T")]
        since: Option<String>,
        /// Up to this time: RFC 3339, or an age such as 90s, 30m, 2h, 1d.
        #[arg(long, value_name = "T")]
        until: Option<String>,
        /// The document: markdown, html (one self-contained page) or json.
        #[arg(long, visible_alias = "output", value_enum, default_value_t = ExportFormat::Markdown)]
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
        /// The runbook (Markdown).
        file: PathBuf,
        /// Output: text for people, json for scripts.
        #[arg(long, visible_alias = "output", value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check runbooks; findings as file:line. Exit 1 when there are errors.
    Lint {
        /// The runbooks to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The resources, metrics, thresholds and health URLs the runbooks name.
    Targets {
        /// The runbooks to read.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output: text for people, json for scripts.
        #[arg(long, visible_alias = "output", value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub demo: DemoOpts,
    #[command(flatten)]
    pub view: ViewOpts,
    #[command(flatten)]
    pub runbooks: RunbookOpts,
    #[command(flatten)]
    pub mode: ModeOpts,
    #[command(flatten)]
    pub aws: AwsOpts,
    /// Columns, 20 to 1000.
    #[arg(long, default_value_t = 160, value_parser = clap::value_parser!(u16).range(20..=1000))]
    pub width: u16,
    /// Rows, 5 to 1000.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u16).range(5..=1000))]
    pub height: u16,
    /// Output: the cockpit as text, or its data as json (`--output` is the AWS CLI's spelling).
    #[arg(long, visible_alias = "output", value_enum, default_value_t = Format::Text)]
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

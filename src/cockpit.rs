//! Assembles a run from the command line: configuration, theme, keymap, the data source, and
//! either the interactive cockpit or a snapshot.

use crate::app::App;
use crate::cli::{Cli, Common, Format, SnapshotArgs};
use crate::config::{Config, Dirs, Keymap, Theme};
use crate::event_loop::{self, Options};
use crate::settings::{aws_options, policy};
use crate::sources::DataSource;
use crate::sources::aws::plan::Plan;
use crate::sources::aws::{AwsContext, AwsSource};
use crate::sources::demo::DemoSource;
use crate::{logging, snapshot, tui};
use anyhow::{Context, Result, bail};

pub struct Setup {
    pub config: Config,
    pub theme: Theme,
    pub keymap: Keymap,
    pub dirs: Dirs,
    /// Every setting with where it came from ([`crate::settings`]).
    pub settings: crate::settings::Settings,
}

pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

pub fn setup(common: &Common) -> Result<Setup> {
    let dirs = Dirs::from_env();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = Config::discover(common.config.as_deref(), &cwd, dirs.config.as_deref())?;
    let set = crate::settings::resolve(common, &config);
    let theme = Theme::load(&set.theme.value, dirs.config.as_deref(), no_color())?;
    let keymap = Keymap::load(&set.keymap.value, dirs.config.as_deref())?;
    Ok(Setup {
        config,
        theme,
        keymap,
        dirs,
        settings: set,
    })
}

/// The source, the AWS context it watches (none for the demo; the first with several), each
/// context's source of read-only credentials for the box, and the contexts when several are
/// watched.
pub type Connected = (
    Box<dyn DataSource>,
    Option<AwsContext>,
    Vec<crate::exec::RoleSource>,
    Vec<crate::app::ContextView>,
);

/// The data source: the demo fleet, or AWS (connecting needs the runtime: the SDK loads its
/// configuration and STS says which account this is). Several contexts connect at once.
pub fn source(
    common: &Common,
    config: &Config,
    targets: &[crate::runbook::targets::Targets],
    rt: &tokio::runtime::Runtime,
) -> Result<Connected> {
    if common.demo {
        let skip = common.demo_at.clamp(0.0, 86_400.0);
        let mut d = DemoSource::new(common.seed, crate::clock::now_ms() - (skip * 1000.0) as i64);
        d.backfill_seconds = common.demo_backfill.max(0.0);
        d.skip_seconds = skip;
        d.scale = common.scale;
        let views = if common.scale > 1 {
            (0..common.scale)
                .map(crate::app::ContextView::scaled_demo)
                .collect()
        } else {
            Vec::new()
        };
        return Ok((Box::new(d), None, Vec::new(), views));
    }
    if common.scale > 1 {
        bail!("--scale multiplies the demo fleet: use it with --demo");
    }
    let plan = Plan::build(&config.watch, targets);
    tracing::info!(origin = ?plan.origin, "watch plan");
    let base = aws_options(common, config);
    let specs = crate::settings::contexts(common, config)?;
    if specs.is_empty() {
        let (clients, ctx, role) = rt.block_on(crate::sources::aws::connect(&base));
        let src = AwsSource {
            clients,
            ctx: ctx.clone(),
            plan,
            refresh: config.refresh.clone(),
        };
        return Ok((
            Box::new(src),
            Some(ctx),
            role.into_iter().collect(),
            Vec::new(),
        ));
    }
    // The read-only role is one role of one account: steps in another context would get its
    // credentials with that context's region. Refused rather than half enforced.
    if specs.len() > 1 && base.read_only && base.read_only_role.is_some() {
        bail!(
            "read_only_role covers one account: with {} contexts, give each its own role_arn in [[contexts]] and use read_only = true there, or watch one context",
            specs.len()
        );
    }
    if let [spec] = specs.as_slice() {
        // One context: connected before the screen is taken, as without [[contexts]].
        let opts = crate::settings::context_options(spec, &base);
        let (clients, mut ctx, role) = rt.block_on(crate::sources::aws::connect(&opts));
        ctx.mark(spec);
        let src = AwsSource {
            clients,
            ctx: ctx.clone(),
            plan: Plan {
                cross_account: spec.cross_account,
                ..plan
            },
            refresh: config.refresh.clone(),
        };
        return Ok((
            Box::new(src),
            Some(ctx),
            role.into_iter().collect(),
            Vec::new(),
        ));
    }
    // Several: each connects on its own once the source starts, so one whose STS is slow to
    // answer delays no other. What is known before (label, profile, region given, a role's
    // account) shows at once; the rest arrives with each context's `Connected`.
    let mut pending = Vec::new();
    let mut views = Vec::new();
    let mut first = None;
    let mut roles = Vec::new();
    let http = crate::sources::aws::http_client();
    for spec in &specs {
        let opts = crate::settings::context_options(spec, &base);
        roles.push(crate::sources::aws::readonly::lazy_box_source(
            opts.clone(),
            http.clone(),
        ));
        let mut ctx = crate::sources::aws::planned_context(&opts);
        ctx.mark(spec);
        views.push(crate::app::ContextView {
            label: spec.label.clone(),
            profile: Some(ctx.profile.clone()),
            region: ctx.region.clone(),
            account: ctx.account.clone(),
            production: spec.production,
            read_only: spec.read_only,
            env: ctx.env(),
        });
        first.get_or_insert(ctx);
        pending.push(crate::sources::aws::multi::Pending {
            spec: spec.clone(),
            opts,
            plan: Plan {
                cross_account: spec.cross_account,
                ..plan.clone()
            },
            refresh: config.refresh.clone(),
        });
    }
    Ok((
        Box::new(crate::sources::aws::multi::MultiSource {
            contexts: pending,
            http,
        }),
        first,
        roles,
        views,
    ))
}

fn log_capacity(s: &Setup) -> usize {
    s.settings.log_buffer.value.max(1)
}

pub fn run(cli: Cli) -> Result<i32> {
    if let Some(crate::cli::Command::Sandbox(args)) = &cli.command {
        return crate::cmd::sandbox::run(&cli.common, args);
    }
    if let Some(crate::cli::Command::Runbook(cmd)) = &cli.command {
        return run_runbook(cmd);
    }
    if let Some(crate::cli::Command::Run(args)) = &cli.command {
        return run_headless(&cli.common, args);
    }
    if let Some(crate::cli::Command::Journal(cmd)) = &cli.command {
        return run_journal(&cli.common, cmd);
    }
    match &cli.command {
        Some(crate::cli::Command::Completions { shell }) => {
            return crate::cmd::completions(*shell);
        }
        Some(crate::cli::Command::Man) => return crate::cmd::man(),
        Some(crate::cli::Command::Config(c)) => return crate::cmd::config(&cli.common, c),
        Some(crate::cli::Command::Doctor(a)) => {
            return runtime()?.block_on(crate::cmd::doctor::run(&cli.common, a));
        }
        _ => {}
    }
    let s = setup(&cli.common)?;
    match cli.command {
        Some(crate::cli::Command::Snapshot(args)) if args.replay.is_some() => {
            run_snapshot_replay(&s, &args)
        }
        Some(crate::cli::Command::Snapshot(args)) => run_snapshot(&cli.common, &s, &args),
        Some(crate::cli::Command::Replay(args)) => run_replay(&s, &args, cli.exit_after_frames),
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
            let path = journal_path(&cli.common);
            let journal = crate::journal::Journal::open(&path)
                .with_context(|| format!("cannot open the journal {}", path.display()))?;
            run_cockpit(
                &cli.common,
                &s,
                Options {
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

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run_snapshot(common: &Common, s: &Setup, args: &SnapshotArgs) -> Result<i32> {
    let rt = runtime()?;
    let runbooks = load_runbooks(common, &s.config)?;
    // One picture, then gone: a Live Tail session (billed by the minute) would only delay it;
    // the backfill poll has the lines.
    let mut one_shot = s.config.clone();
    one_shot.refresh.live_tail = false;
    let (source, _ctx, _role, contexts) = source(common, &one_shot, &runbooks.targets, &rt)?;
    let config = crate::app::AppConfig {
        log_capacity: log_capacity(s),
        load_errors: runbooks.errors,
        contexts,
        ..Default::default()
    };
    let app = rt.block_on(snapshot::collect(source, config, args.after));
    let out = match args.format {
        Format::Text => snapshot::text(&app, &s.theme, &s.keymap, args.width, args.height),
        Format::Json => snapshot::json(&app)? + "\n",
    };
    crate::out::print(&out)?;
    Ok(0)
}

/// A recording, its problems said on stderr before the screen is taken.
fn load_recording(path: &std::path::Path) -> Result<crate::sources::recording::Recording> {
    let rec = crate::sources::recording::load(path)?;
    for w in &rec.warnings {
        eprintln!("opsdeck: {}", crate::sanitize::sanitize(w));
    }
    Ok(rec)
}

/// The cockpit as it was at `--at` in a recording: the same condensed state a replay's jump
/// hands the cockpit, so the text is the replay's screen.
fn run_snapshot_replay(s: &Setup, args: &SnapshotArgs) -> Result<i32> {
    let path = args.replay.as_ref().expect("checked by the caller");
    let rec = load_recording(path)?;
    let at = match &args.at {
        Some(t) => crate::sources::replay::parse_at(t, &rec)?,
        None => rec.end_ms(),
    }
    .clamp(rec.start_ms(), rec.end_ms());
    let mut app = App::new(&rec.info(), replay_config(s, &rec), rec.start_ms());
    let clock = crate::sources::ReplayClock {
        at_ms: at,
        start_ms: rec.start_ms(),
        end_ms: rec.end_ms(),
        speed: 1.0,
        paused: true,
    };
    for ev in crate::sources::replay::state_at(&rec, at, log_capacity(s), clock) {
        app.update(crate::app::Msg::Source(ev));
    }
    let out = match args.format {
        Format::Text => snapshot::text(&app, &s.theme, &s.keymap, args.width, args.height),
        Format::Json => snapshot::json(&app)? + "\n",
    };
    crate::out::print(&out)?;
    Ok(0)
}

/// A cockpit on a recording: read-only, no runbooks, no watches, no journal; the contexts
/// it watched, by label.
fn replay_config(s: &Setup, rec: &crate::sources::recording::Recording) -> crate::app::AppConfig {
    crate::app::AppConfig {
        log_capacity: log_capacity(s),
        read_only: true,
        replay: true,
        contexts: rec
            .header
            .contexts
            .iter()
            .map(|l| crate::app::ContextView {
                label: l.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn run_replay(
    s: &Setup,
    args: &crate::cli::ReplayArgs,
    exit_after_frames: Option<u64>,
) -> Result<i32> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!(
            "the replay needs a terminal; for scripts use `opsdeck snapshot --replay FILE --at T`"
        );
    }
    let rec = load_recording(&args.file)?;
    let _log_guard = logging::init(s.dirs.state.as_deref());
    let from = match &args.from {
        Some(t) => crate::sources::replay::parse_at(t, &rec)?,
        None => rec.start_ms(),
    };
    let capacity = log_capacity(s);
    let config = replay_config(s, &rec);
    let mut src = crate::sources::replay::ReplaySource::new(rec, capacity);
    src.from_ms = from;
    src.speed = args.speed;
    src.paused = args.paused;
    let source: Box<dyn DataSource> = Box::new(src);
    let mut app = App::new(&source.info(), config, from);
    let rt = runtime()?;
    tui::install_panic_hook();
    let mut term = tui::init(s.settings.mouse.value)?;
    let opts = Options {
        values_file: None,
        journal: None,
        exit_after_frames,
        panic_after_frames: None,
        roles: Vec::new(),
        recorder: None,
        sandbox: Default::default(),
    };
    let result = rt.block_on(event_loop::run(
        &mut term, &mut app, source, &s.keymap, &s.theme, opts,
    ));
    tui::restore()?;
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(result?.code())
}

fn run_cockpit(common: &Common, s: &Setup, mut opts: Options) -> Result<i32> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!("the cockpit needs a terminal; for scripts use `opsdeck snapshot`");
    }
    let _log_guard = logging::init(s.dirs.state.as_deref());
    tracing::info!(theme = %s.theme.name, keymap = %s.keymap.name, "starting cockpit");
    let rt = runtime()?;
    let runbooks = load_runbooks(common, &s.config)?;
    let (source, ctx, role, contexts) = source(common, &s.config, &runbooks.targets, &rt)?;
    let policy = policy(common, &s.config, false);
    // The AWS layer holds when the box gets read-only credentials: asked once now (they are
    // kept), so the status bar says what is true and the first step does not wait for STS.
    let aws_layer = match (role.first(), policy.read_only) {
        (Some(r), true) => rt
            .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(12), r()).await })
            .ok()
            .and_then(Result::ok)
            .is_some_and(|env| env.note.is_none()),
        _ => false,
    };
    opts.roles = role;
    let config = crate::app::AppConfig {
        log_capacity: log_capacity(s),
        read_only: policy.read_only,
        confirm_read: policy.confirm_read,
        read_only_role: policy
            .read_only_role
            .filter(|_| policy.read_only && !common.demo),
        read_only_label: crate::sandbox::Layers::probe().label(aws_layer).to_string(),
        demo: common.demo,
        journal_ctx: match &ctx {
            Some(c) => crate::journal::Context::from_env(
                Some(c.profile.clone()),
                c.region.clone(),
                c.account.clone(),
            ),
            None => crate::journal::Context::from_env(None, None, None),
        },
        aws_env: ctx.as_ref().map(AwsContext::env).unwrap_or_default(),
        runbooks: runbooks.loaded,
        load_errors: runbooks.errors,
        command_watches: s.config.watch.commands.clone(),
        replay: false,
        contexts,
        values: s
            .dirs
            .state
            .as_ref()
            .map(|dir| crate::state::load_values(&dir.join("values.json")))
            .unwrap_or_default(),
    };
    let now = crate::clock::now_ms();
    let record_to = common.record.clone().or_else(|| {
        s.config
            .record
            .then(|| crate::sources::recording::default_path(s.dirs.state.as_deref(), now))
            .flatten()
    });
    // Before the screen is taken, so a bad path is said plainly.
    if let Some(path) = &record_to {
        let labels: Vec<String> = config.contexts.iter().map(|c| c.label.clone()).collect();
        opts.recorder = Some(crate::sources::recording::Recorder::create(
            path,
            &source.info(),
            &labels,
            now,
        )?);
    }
    let mut app = App::new(&source.info(), config, now);
    tui::install_panic_hook();
    let mut term = tui::init(s.settings.mouse.value)?;
    let result = rt.block_on(event_loop::run(
        &mut term, &mut app, source, &s.keymap, &s.theme, opts,
    ));
    tui::restore()?;
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    if let Some(path) = &record_to {
        eprintln!(
            "opsdeck: recorded to {} (opsdeck replay {})",
            path.display(),
            path.display()
        );
    }
    let exit = result?;
    tracing::info!(?exit, "cockpit stopped");
    Ok(exit.code())
}

fn run_runbook(cmd: &crate::cli::RunbookCommand) -> Result<i32> {
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

fn journal_path(common: &Common) -> std::path::PathBuf {
    common
        .journal
        .clone()
        .unwrap_or_else(|| crate::journal::default_path(Dirs::from_env().data.as_deref()))
}

fn run_headless(common: &Common, a: &crate::cli::RunCli) -> Result<i32> {
    // The same configuration as the cockpit: `read_only = true`, `[aws]` and the read-only
    // role apply to `opsdeck run` too.
    let dirs = Dirs::from_env();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = Config::discover(common.config.as_deref(), &cwd, dirs.config.as_deref())?;
    let mut policy = policy(common, &config, false);
    let base = aws_options(common, &config);
    // One context: the one named, the only one, or none of [[contexts]]; with several and
    // none named, which one would be a guess.
    let specs = crate::settings::contexts(common, &config)?;
    let (aws, context) = match specs.as_slice() {
        [] => (base, None),
        [one] => {
            policy.read_only |= one.read_only;
            (
                crate::settings::context_options(one, &base),
                Some(one.label.clone()),
            )
        }
        many => bail!(
            "{} contexts are configured: name the one to act in with --context LABEL ({})",
            many.len(),
            crate::config::contexts::known(many)
        ),
    };
    if a.box_unrated {
        // Running what the classifier would refuse is only sound where the box holds.
        let layers = crate::sandbox::Layers::probe();
        if !policy.read_only || !layers.kernel() {
            bail!(
                "--box-unrated needs read-only mode and the kernel box ({})",
                layers.kernel_detail()
            );
        }
        policy.box_unrated = true;
    }
    if context.is_some() {
        // A context's own role replaces the session's for its read-only credentials.
        policy.read_only_role = aws.read_only_role.clone();
    }
    let rt = runtime()?;
    // Read-only steps run in the box with read-only credentials only: the read-only role,
    // else minted from the operator's (a failure shows when a step starts, never as a
    // fallback to the operator's own).
    let role = if policy.read_only && !a.dry_run {
        let conf = rt.block_on(crate::sources::aws::context_sdk_config(
            &aws,
            crate::sources::aws::http_client(),
        ));
        Some(crate::sources::aws::readonly::box_source(
            conf,
            aws.read_only_role.clone(),
        ))
    } else {
        None
    };
    let args = crate::headless::RunArgs {
        file: a.file.clone(),
        procedure: a.procedure.clone(),
        step: a.step,
        set: a.set.clone(),
        dry_run: a.dry_run,
        yes: a.yes,
        confirm: a.confirm.clone(),
        policy,
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        journal: journal_path(common),
        timeout: a.timeout,
        role,
        context,
        sandbox: config.sandbox.clone(),
    };
    rt.block_on(crate::headless::run(args))
}

/// RFC 3339, or an age (`90s`, `30m`, `2h`, `1d`; [`crate::duration`]) before now.
fn parse_when(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let ms = crate::duration::parse_ms(s).map_err(|e| {
        if e == crate::duration::DurationError::TooLong {
            return anyhow::anyhow!(
                "`{s}` is too far in the past; use an RFC 3339 time or a smaller age"
            );
        }
        anyhow::anyhow!(
            "`{s}`: {e}; use an RFC 3339 time (2026-11-22T04:00:00Z) or an age like 90s, 30m, 2h, 1d (a bare number is seconds)"
        )
    })?;
    // Ages beyond what a date can hold are refused rather than wrapped or panicked on.
    chrono::Duration::try_milliseconds(ms)
        .and_then(|d| chrono::Utc::now().checked_sub_signed(d))
        .ok_or_else(|| {
            anyhow::anyhow!("`{s}` is too far in the past; use an RFC 3339 time or a smaller age")
        })
}

fn run_journal(common: &Common, cmd: &crate::cli::JournalCommand) -> Result<i32> {
    let crate::cli::JournalCommand::Export {
        since,
        until,
        format,
        recording,
        ..
    } = cmd;
    let path = journal_path(common);
    let (entries, bad) = crate::journal::read(&path)
        .with_context(|| format!("cannot read the journal {}", path.display()))?;
    if bad > 0 {
        eprintln!("opsdeck: {}: skipped {bad} malformed lines", path.display());
    }
    let since = since.as_deref().map(parse_when).transpose()?;
    let until = until.as_deref().map(parse_when).transpose()?;
    let picked = crate::journal::between(&entries, since, until);
    let rec = recording.as_deref().map(load_recording).transpose()?;
    let window = crate::report::window(&picked, rec.as_ref());
    let charts = match (&rec, window) {
        (Some(r), Some((start, end))) => crate::report::charts_from_recording(r, start, end),
        _ => Vec::new(),
    };
    match format {
        // Journals and recordings are files: nothing in them reaches a terminal raw.
        crate::cli::ExportFormat::Markdown => crate::out::print(&crate::sanitize::lines(
            &crate::report::markdown(&picked, &charts, window),
        ))?,
        crate::cli::ExportFormat::Html => crate::out::print(&crate::sanitize::lines(
            &crate::report::html(&picked, &charts, window),
        ))?,
        crate::cli::ExportFormat::Json => {
            crate::out::println(&serde_json::to_string_pretty(&picked)?)?
        }
    }
    Ok(0)
}

/// `--runbook` files and `runbooks` from opsdeck.toml, each read once: the procedures for the
/// palette and the targets for the watch plan. A bad runbook stops start-up with its file name
/// and reason rather than leaving the palette silently short.
/// The runbooks of a session: loaded ones, their targets, and why the others could not be
/// read (each named with its file and line).
pub struct Runbooks {
    pub loaded: Vec<crate::app::LoadedRunbook>,
    pub targets: Vec<crate::runbook::targets::Targets>,
    pub errors: Vec<String>,
}

fn load_runbooks(common: &Common, config: &Config) -> Result<Runbooks> {
    let mut out = Vec::new();
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for path in config.runbooks.iter().chain(common.runbooks.iter()) {
        // One bad file never stops the rest: it is reported where the operator looks.
        let parsed = match crate::runbook::load_full(path) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("{e}");
                errors.push(e.to_string());
                continue;
            }
        };
        targets.push(crate::runbook::targets::extract(&parsed));
        out.push(crate::app::LoadedRunbook {
            path: path.display().to_string(),
            runbook: parsed.runbook,
        });
    }
    // The demo brings its own runbook when none is given.
    if common.demo && out.is_empty() {
        let (runbook, _) = crate::runbook::parse::parse(crate::sources::demo::DEMO_RUNBOOK);
        out.push(crate::app::LoadedRunbook {
            path: "demo-runbook.md".into(),
            runbook,
        });
    }
    Ok(Runbooks {
        loaded: out,
        targets,
        errors,
    })
}

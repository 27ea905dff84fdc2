//! Assembles a run from the command line: configuration, theme, keymap, the data source, and
//! either the interactive cockpit or a snapshot.

use crate::app::App;
use crate::cli::Common;
use crate::config::{Config, Dirs, Keymap, Theme};
use crate::event_loop::{self, Options};
use crate::settings::{aws_options, policy};
use crate::sources::DataSource;
use crate::sources::aws::plan::Plan;
use crate::sources::aws::{AwsContext, AwsSource};
use crate::sources::demo::DemoSource;
use crate::{logging, tui};
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
    let plan = crate::sources::aws::registry::plan(&config.watch, targets);
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

pub fn log_capacity(s: &Setup) -> usize {
    s.settings.log_buffer.value.max(1)
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    // Before the runtime's threads exist: they share two malloc arenas (issue 27's memory).
    crate::sys::limit_heap_arenas(2);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run_cockpit(common: &Common, s: &Setup, mut opts: Options) -> Result<i32> {
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

pub fn journal_path(common: &Common) -> std::path::PathBuf {
    common
        .journal
        .clone()
        .unwrap_or_else(|| crate::journal::default_path(Dirs::from_env().data.as_deref()))
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

pub fn load_runbooks(common: &Common, config: &Config) -> Result<Runbooks> {
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

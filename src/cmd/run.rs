//! `opsdeck run`: a runbook procedure without the TUI, under the cockpit's confirmation
//! rules and configuration.

use crate::cli::Common;
use crate::cockpit::{journal_path, runtime};
use crate::config::{Config, Dirs};
use crate::settings::{aws_options, policy};
use anyhow::{Context, Result, bail};

pub fn run_headless(common: &Common, a: &crate::cli::RunCli) -> Result<i32> {
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

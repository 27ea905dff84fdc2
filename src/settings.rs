//! The settings a run uses: the command line over opsdeck.toml over the environment, merged
//! in one place for the cockpit, `opsdeck run`, `config check` and `doctor`.

use crate::cli::Common;
use crate::config::{AwsSettings, Config};

/// Command-line options win over `[aws]` in opsdeck.toml; the SDK's chain does the rest.
pub fn aws_options(common: &Common, config: &Config) -> AwsSettings {
    AwsSettings {
        profile: common.profile.clone().or_else(|| {
            // AWS_PROFILE set in the environment wins over the config file, as it does for
            // the aws CLI; the SDK reads it itself when we pass nothing.
            if std::env::var_os("AWS_PROFILE").is_some() {
                None
            } else {
                config.aws.profile.clone()
            }
        }),
        region: common.region.clone().or_else(|| config.aws.region.clone()),
        endpoint_url: common
            .endpoint_url
            .clone()
            .or_else(|| config.aws.endpoint_url.clone()),
        adaptive_retries: config.aws.adaptive_retries,
        max_attempts: config.aws.max_attempts,
        read_only_role: common
            .read_only_role
            .clone()
            .or_else(|| config.aws.read_only_role.clone()),
        read_only: common.read_only || config.read_only,
        assume_role: None,
    }
}

/// The contexts this session watches (empty: one, as `aws_options` says).
pub fn contexts(
    common: &Common,
    config: &Config,
) -> anyhow::Result<Vec<crate::config::contexts::ContextSpec>> {
    crate::config::contexts::resolve(
        &common.contexts,
        common.profile.as_deref(),
        common.region.as_deref(),
        &config.contexts,
    )
    .map_err(|e| anyhow::anyhow!(e))
}

/// One context's connection settings: its profile, region, role and endpoint over the
/// session's (retries, read-only mode and role).
pub fn context_options(
    spec: &crate::config::contexts::ContextSpec,
    base: &AwsSettings,
) -> AwsSettings {
    AwsSettings {
        profile: spec.profile.clone(),
        region: spec.region.clone(),
        endpoint_url: spec
            .endpoint_url
            .clone()
            .or_else(|| base.endpoint_url.clone()),
        assume_role: spec.role_arn.clone(),
        read_only: base.read_only || spec.read_only,
        ..base.clone()
    }
}

/// What this session allows; `run --read-only` adds to the global flag and the config.
pub fn policy(common: &Common, config: &Config, run_read_only: bool) -> crate::exec::Policy {
    let aws = aws_options(common, config);
    crate::exec::Policy {
        read_only: aws.read_only || run_read_only,
        confirm_read: config.confirm_read,
        read_only_role: aws.read_only_role,
        box_unrated: false,
    }
}

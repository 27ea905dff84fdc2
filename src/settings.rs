//! The one settings resolver: every value a run uses, with where it came from, for the
//! cockpit, `snapshot`, `opsdeck run`, `sandbox`, `doctor` and `config check` alike.
//!
//! Precedence is the AWS CLI's, for every setting that has these sources:
//! **flag > environment > opsdeck.toml > the AWS profile > default**. So `AWS_PROFILE=dev`
//! beats `[aws] profile = "prod"` and `AWS_REGION` beats `[aws] region`, exactly as
//! `aws --profile`/`AWS_PROFILE`/`~/.aws/config` behave; a region nobody set comes from the
//! chosen profile's `region` in `~/.aws/config` (`AWS_CONFIG_FILE`). Switches (`--read-only`,
//! `read_only = true`) add up: any source turns one on.

use crate::cli::Common;
use crate::config::{AwsSettings, Config};
use std::fmt;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag (`--profile`).
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// opsdeck.toml, at this key.
    File(&'static str),
    /// The AWS shared config file, in this profile.
    AwsProfile(String),
    /// Nobody set it.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "{var}"),
            Origin::File(key) => write!(f, "opsdeck.toml {key}"),
            Origin::AwsProfile(p) => write!(f, "profile `{p}` in the AWS config file"),
            Origin::Default => write!(f, "default"),
        }
    }
}

/// A value, where it came from, and the lower-precedence values it overrode.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
    /// What else was set, lower in precedence (shown by `config check`).
    pub overridden: Vec<(Origin, String)>,
}

impl<T: fmt::Display> Setting<Option<T>> {
    /// `value (origin; over X from Y)`, or `none` with what decides instead.
    pub fn describe(&self, unset: &str) -> String {
        let mut s = match &self.value {
            Some(v) => format!("{v} ({})", self.origin),
            None => unset.to_string(),
        };
        push_overridden(&mut s, &self.overridden);
        s
    }
}

fn push_overridden(s: &mut String, overridden: &[(Origin, String)]) {
    if !overridden.is_empty() {
        let over: Vec<String> = overridden
            .iter()
            .map(|(o, v)| format!("{v} from {o}"))
            .collect();
        s.push_str(&format!(" — over {}", over.join(", ")));
    }
}

impl<T: fmt::Display> Setting<T> {
    /// `value (origin)` with what it overrode.
    pub fn describe_plain(&self) -> String {
        let mut s = format!("{} ({})", self.value, self.origin);
        push_overridden(&mut s, &self.overridden);
        s
    }
}

/// The first candidate that is set wins; the others are kept as overridden.
fn first<T: Clone + fmt::Display>(candidates: Vec<(Origin, Option<T>)>) -> Setting<Option<T>> {
    let mut set = candidates
        .into_iter()
        .filter_map(|(o, v)| v.map(|v| (o, v)));
    match set.next() {
        Some((origin, value)) => Setting {
            value: Some(value),
            origin,
            overridden: set.map(|(o, v)| (o, v.to_string())).collect(),
        },
        None => Setting {
            value: None,
            origin: Origin::Default,
            overridden: Vec::new(),
        },
    }
}

fn or_default<T: Clone + fmt::Display>(s: Setting<Option<T>>, default: T) -> Setting<T> {
    Setting {
        value: s.value.unwrap_or(default),
        origin: s.origin,
        overridden: s.overridden,
    }
}

/// What the resolver may look at besides the flags and the file: the environment and the
/// AWS shared config. Injected, so tests need neither.
pub struct World<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// The `region` of an AWS profile.
    pub profile_region: &'a dyn Fn(&str) -> Option<String>,
}

fn real_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The `region` of `profile` in the AWS config file (`AWS_CONFIG_FILE`, else ~/.aws/config),
/// read by the SDK's own profile parser.
pub fn real_profile_region(profile: &str) -> Option<String> {
    let profile = profile.to_string();
    // On a thread of its own: callers may already be inside a runtime.
    std::thread::scope(|s| {
        s.spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use aws_config::meta::region::ProvideRegion;
                aws_config::profile::ProfileFileRegionProvider::builder()
                    .profile_name(profile)
                    .build()
                    .region()
                    .await
                    .map(|r| r.to_string())
            })
        })
        .join()
        .ok()
        .flatten()
    })
}

/// Every resolved value.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub profile: Setting<Option<String>>,
    pub region: Setting<Option<String>>,
    pub endpoint_url: Setting<Option<String>>,
    pub read_only: Setting<bool>,
    pub read_only_role: Setting<Option<String>>,
    pub theme: Setting<String>,
    pub keymap: Setting<String>,
    pub log_buffer: Setting<usize>,
    pub mouse: Setting<bool>,
}

/// Resolves every setting from the flags, `world` and the file.
pub fn resolve_in(common: &Common, config: &Config, world: &World) -> Settings {
    let var = |name: &'static str| (Origin::Env(name), (world.var)(name));
    let profile = first(vec![
        (Origin::Flag("--profile"), common.profile.clone()),
        var("AWS_PROFILE"),
        var("AWS_DEFAULT_PROFILE"),
        (Origin::File("[aws] profile"), config.aws.profile.clone()),
    ]);
    // The profile the SDK will read (`default` when none is named).
    let chosen = profile
        .value
        .clone()
        .unwrap_or_else(|| "default".to_string());
    // A comma list names several profiles: each context reads its own region.
    let from_profile = if chosen.contains(',') {
        None
    } else {
        (world.profile_region)(&chosen)
    };
    let region = first(vec![
        (Origin::Flag("--region"), common.region.clone()),
        var("AWS_REGION"),
        var("AWS_DEFAULT_REGION"),
        (Origin::File("[aws] region"), config.aws.region.clone()),
        (Origin::AwsProfile(chosen), from_profile),
    ]);
    let endpoint_url = first(vec![
        (Origin::Flag("--endpoint-url"), common.endpoint_url.clone()),
        var("AWS_ENDPOINT_URL"),
        (
            Origin::File("[aws] endpoint_url"),
            config.aws.endpoint_url.clone(),
        ),
    ]);
    let read_only_role = first(vec![
        (
            Origin::Flag("--read-only-role"),
            common.read_only_role.clone(),
        ),
        (
            Origin::File("[aws] read_only_role"),
            config.aws.read_only_role.clone(),
        ),
    ]);
    // A switch: any source turns it on; the first that did is named.
    let read_only = match (common.read_only, config.read_only) {
        (true, file) => Setting {
            value: true,
            origin: Origin::Flag("--read-only"),
            overridden: if file {
                vec![(Origin::File("read_only"), "true".into())]
            } else {
                Vec::new()
            },
        },
        (false, true) => Setting {
            value: true,
            origin: Origin::File("read_only"),
            overridden: Vec::new(),
        },
        (false, false) => Setting {
            value: false,
            origin: Origin::Default,
            overridden: Vec::new(),
        },
    };
    let theme = or_default(
        first(vec![
            (Origin::Flag("--theme"), common.theme.clone()),
            (Origin::File("theme"), config.theme.clone()),
        ]),
        "default".to_string(),
    );
    let keymap = or_default(
        first(vec![
            (Origin::Flag("--keymap"), common.keymap.clone()),
            (Origin::File("keymap"), config.keymap.clone()),
        ]),
        "default".to_string(),
    );
    let file_buffer = (config.log_buffer_lines != crate::config::DEFAULT_LOG_BUFFER)
        .then_some(config.log_buffer_lines);
    let log_buffer = or_default(
        first(vec![
            (Origin::Flag("--log-buffer"), common.log_buffer),
            (Origin::File("[logs] buffer_lines"), file_buffer),
        ]),
        crate::config::DEFAULT_LOG_BUFFER,
    );
    let mouse = match (common.no_mouse, config.mouse) {
        (true, _) => Setting {
            value: false,
            origin: Origin::Flag("--no-mouse"),
            overridden: Vec::new(),
        },
        (false, false) => Setting {
            value: false,
            origin: Origin::File("[ui] mouse"),
            overridden: Vec::new(),
        },
        (false, true) => Setting {
            value: true,
            origin: Origin::Default,
            overridden: Vec::new(),
        },
    };
    Settings {
        profile,
        region,
        endpoint_url,
        read_only,
        read_only_role,
        theme,
        keymap,
        log_buffer,
        mouse,
    }
}

/// Resolves with the real environment and AWS config file.
pub fn resolve(common: &Common, config: &Config) -> Settings {
    resolve_in(
        common,
        config,
        &World {
            var: &real_var,
            profile_region: &real_profile_region,
        },
    )
}

impl Settings {
    /// The connection settings of the session (one context, or the base of several).
    pub fn aws(&self, config: &Config) -> AwsSettings {
        AwsSettings {
            profile: self.profile.value.clone(),
            region: self.region.value.clone(),
            endpoint_url: self.endpoint_url.value.clone(),
            adaptive_retries: config.aws.adaptive_retries,
            max_attempts: config.aws.max_attempts,
            read_only_role: self.read_only_role.value.clone(),
            read_only: self.read_only.value,
            assume_role: None,
        }
    }
}

/// The session's connection settings ([`resolve`]'s precedence).
pub fn aws_options(common: &Common, config: &Config) -> AwsSettings {
    resolve(common, config).aws(config)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str], toml: &str, env: &[(&str, &str)]) -> Settings {
        let cli =
            crate::cli::Cli::parse_args(std::iter::once("opsdeck").chain(args.iter().copied()))
                .unwrap();
        let config = Config::parse(std::path::Path::new("opsdeck.toml"), toml).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let var = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let region = |p: &str| (p == "prod").then(|| "ap-south-1".to_string());
        resolve_in(
            &cli.common,
            &config,
            &World {
                var: &var,
                profile_region: &region,
            },
        )
    }

    const FILE: &str = "[aws]\nprofile = \"prod\"\nregion = \"eu-west-1\"\n";

    #[test]
    fn flag_beats_environment_beats_file_beats_profile() {
        let s = settings(
            &["--profile", "ops", "--region", "us-east-2"],
            FILE,
            &[("AWS_PROFILE", "dev"), ("AWS_REGION", "us-west-2")],
        );
        assert_eq!(s.profile.value.as_deref(), Some("ops"));
        assert_eq!(s.profile.origin, Origin::Flag("--profile"));
        assert_eq!(
            s.profile.overridden,
            [
                (Origin::Env("AWS_PROFILE"), "dev".to_string()),
                (Origin::File("[aws] profile"), "prod".to_string())
            ]
        );
        assert_eq!(s.region.value.as_deref(), Some("us-east-2"));

        // The environment beats the file, for the profile and the region alike.
        let s = settings(
            &[],
            FILE,
            &[("AWS_PROFILE", "dev"), ("AWS_REGION", "us-west-2")],
        );
        assert_eq!(s.profile.value.as_deref(), Some("dev"));
        assert_eq!(s.profile.origin, Origin::Env("AWS_PROFILE"));
        assert_eq!(s.region.value.as_deref(), Some("us-west-2"));
        assert_eq!(s.region.origin, Origin::Env("AWS_REGION"));

        // The file beats the profile's own region.
        let s = settings(&[], FILE, &[]);
        assert_eq!(s.region.origin, Origin::File("[aws] region"));
        assert_eq!(
            s.region.overridden,
            [(Origin::AwsProfile("prod".into()), "ap-south-1".to_string())]
        );

        // Nobody else set it: the chosen profile's region.
        let s = settings(&[], "[aws]\nprofile = \"prod\"\n", &[]);
        assert_eq!(s.region.value.as_deref(), Some("ap-south-1"));
        assert_eq!(s.region.origin, Origin::AwsProfile("prod".into()));
        assert_eq!(
            s.region.describe("-"),
            "ap-south-1 (profile `prod` in the AWS config file)"
        );

        // Nothing at all: the SDK's chain decides, and says so.
        let s = settings(&[], "", &[]);
        assert_eq!(s.profile.value, None);
        assert_eq!(s.region.value, None);
    }

    #[test]
    fn switches_add_up_and_others_name_their_source() {
        let s = settings(
            &["--read-only", "--theme", "light"],
            "read_only = true\n",
            &[],
        );
        assert!(s.read_only.value);
        assert_eq!(s.read_only.origin, Origin::Flag("--read-only"));
        assert_eq!(s.theme.describe_plain(), "light (--theme)");
        let s = settings(&[], "read_only = true\n[logs]\nbuffer_lines = 5000\n", &[]);
        assert_eq!(s.read_only.origin, Origin::File("read_only"));
        assert_eq!(s.log_buffer.value, 5000);
        assert_eq!(s.theme.describe_plain(), "default (default)");
        let s = settings(
            &["--endpoint-url", "http://127.0.0.1:1"],
            "",
            &[("AWS_ENDPOINT_URL", "http://x")],
        );
        assert_eq!(
            s.endpoint_url.describe("-"),
            "http://127.0.0.1:1 (--endpoint-url) — over http://x from AWS_ENDPOINT_URL"
        );
    }
}

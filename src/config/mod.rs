//! User configuration: `opsdeck.toml`, themes, keymaps and key parsing.
//!
//! `opsdeck.toml` is looked for at `--config PATH`, else `./opsdeck.toml`, else
//! `$XDG_CONFIG_HOME/opsdeck/opsdeck.toml`. Unknown keys and bad values are errors that name
//! the file, line and key: a typo must never be silently ignored during an incident.

pub mod contexts;
pub mod keymap;
pub mod keys;
pub mod live;
pub mod theme;

pub use crate::file::FileError;
pub use keymap::{Keymap, Mode};
pub use live::{
    AwsSettings, DEFAULT_WATCH_INTERVAL_MS, MIN_WATCH_INTERVAL_MS, Refresh, Watch, WatchCommand,
    is_role_arn,
};
pub use theme::Theme;

use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const DEFAULT_LOG_BUFFER: usize = 50_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where it was read from, for messages; `None` when defaults are in use.
    pub path: Option<PathBuf>,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub log_buffer_lines: usize,
    pub mouse: bool,
    /// `read_only = true`: the same as `--read-only`; it cannot be turned off from the UI.
    pub read_only: bool,
    /// `confirm_read = true`: read-only steps ask too, instead of running at once.
    pub confirm_read: bool,
    /// Runbook files or globs, relative to the config file's folder.
    pub runbooks: Vec<std::path::PathBuf>,
    /// `[aws]`: profile, region, endpoint (command-line options win).
    pub aws: AwsSettings,
    /// `[watch]`: what the live cockpit shows.
    pub watch: Watch,
    /// `[refresh]`: how often each feed polls.
    pub refresh: Refresh,
    /// `record = true`: every cockpit session is recorded to `recordings/` in the state dir.
    pub record: bool,
    /// `[[contexts]]`: several AWS contexts watched at once.
    pub contexts: Vec<contexts::ContextSpec>,
    /// `[sandbox]`: the box read-only steps, watches and verifications run in.
    pub sandbox: crate::sandbox::Settings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            theme: None,
            keymap: None,
            log_buffer_lines: DEFAULT_LOG_BUFFER,
            mouse: true,
            read_only: false,
            confirm_read: false,
            runbooks: Vec::new(),
            aws: AwsSettings::default(),
            watch: Watch::default(),
            refresh: Refresh::default(),
            record: false,
            contexts: Vec::new(),
            sandbox: crate::sandbox::Settings::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    confirm_read: bool,
    #[serde(default)]
    record: bool,
    #[serde(default)]
    runbooks: Vec<Spanned<String>>,
    theme: Option<String>,
    keymap: Option<String>,
    #[serde(default)]
    logs: RawLogs,
    #[serde(default)]
    ui: RawUi,
    #[serde(default)]
    aws: live::RawAws,
    #[serde(default)]
    watch: live::RawWatch,
    #[serde(default)]
    refresh: live::RawRefresh,
    #[serde(default)]
    contexts: Vec<Spanned<contexts::RawContext>>,
    #[serde(default)]
    sandbox: RawSandbox,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSandbox {
    #[serde(default)]
    connect_ports: Vec<Spanned<i64>>,
    #[serde(default)]
    allow_unenforced: bool,
    #[serde(default)]
    readable: Vec<String>,
    #[serde(default)]
    pass_env: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLogs {
    buffer_lines: Option<Spanned<i64>>,
    live_tail: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawUi {
    mouse: Option<bool>,
}

impl Config {
    pub fn parse(path: &Path, src: &str) -> Result<Config, FileError> {
        let raw: RawConfig =
            toml::from_str(src).map_err(|e| FileError::from_toml(path, src, &e))?;
        let mut cfg = Config {
            path: Some(path.to_path_buf()),
            theme: raw.theme,
            keymap: raw.keymap,
            read_only: raw.read_only,
            confirm_read: raw.confirm_read,
            record: raw.record,
            ..Config::default()
        };
        cfg.aws = live::aws(path, src, raw.aws)?;
        cfg.watch = live::watch(path, src, raw.watch)?;
        cfg.refresh = live::refresh(path, src, raw.refresh)?;
        cfg.contexts = contexts::contexts(path, src, raw.contexts)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for pattern in raw.runbooks {
            let at = pattern.span().start;
            let full = base.join(pattern.get_ref());
            let text = full.to_string_lossy().into_owned();
            let matches = glob::glob(&text).map_err(|e| {
                FileError::at(
                    path,
                    src,
                    at,
                    format!("runbooks: bad glob `{}`: {e}", pattern.get_ref()),
                )
            })?;
            let mut found: Vec<_> = matches
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if found.is_empty() {
                return Err(FileError::at(
                    path,
                    src,
                    at,
                    format!("runbooks: `{}` matches no file", pattern.get_ref()),
                ));
            }
            found.sort();
            cfg.runbooks.extend(found);
        }
        if let Some(n) = raw.logs.buffer_lines {
            let v = *n.get_ref();
            if !(100..=5_000_000).contains(&v) {
                return Err(FileError::at(
                    path,
                    src,
                    n.span().start,
                    format!(
                        "logs.buffer_lines = {v} is out of range: use 100 to 5000000 (default {DEFAULT_LOG_BUFFER})"
                    ),
                ));
            }
            cfg.log_buffer_lines = v as usize;
        }
        if let Some(l) = raw.logs.live_tail {
            cfg.refresh.live_tail = l;
        }
        if let Some(m) = raw.ui.mouse {
            cfg.mouse = m;
        }
        for p in raw.sandbox.connect_ports {
            let v = *p.get_ref();
            if !(1..=65535).contains(&v) {
                return Err(FileError::at(
                    path,
                    src,
                    p.span().start,
                    format!("sandbox.connect_ports: {v} is not a TCP port (1 to 65535)"),
                ));
            }
            cfg.sandbox.connect_ports.push(v as u16);
        }
        cfg.sandbox.allow_unenforced = raw.sandbox.allow_unenforced;
        cfg.sandbox.readable = raw
            .sandbox
            .readable
            .iter()
            .map(|p| crate::config::expand_home(p))
            .collect();
        cfg.sandbox.pass_env = raw.sandbox.pass_env;
        Ok(cfg)
    }

    /// Finds and reads the configuration. An explicit `--config` must exist; the implicit
    /// locations are optional.
    pub fn discover(
        explicit: Option<&Path>,
        cwd: &Path,
        config_dir: Option<&Path>,
    ) -> Result<Config, FileError> {
        let candidate = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => [
                Some(cwd.join("opsdeck.toml")),
                config_dir.map(|d| d.join("opsdeck.toml")),
            ]
            .into_iter()
            .flatten()
            .find(|p| p.is_file()),
        };
        match candidate {
            Some(p) => {
                let src = crate::file::read_text(&p)?;
                Config::parse(&p, &src)
            }
            None => Ok(Config::default()),
        }
    }
}

/// XDG directories for opsdeck (config, state for logs, data for the journal).
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config: Option<PathBuf>,
    pub state: Option<PathBuf>,
    pub data: Option<PathBuf>,
}

impl Dirs {
    pub fn from_env() -> Dirs {
        match directories::ProjectDirs::from("", "", "opsdeck") {
            Some(p) => Dirs {
                config: Some(p.config_dir().to_path_buf()),
                state: Some(
                    p.state_dir()
                        .unwrap_or_else(|| p.data_local_dir())
                        .to_path_buf(),
                ),
                data: Some(p.data_dir().to_path_buf()),
            },
            None => Dirs {
                config: None,
                state: None,
                data: None,
            },
        }
    }
}

/// `~/x` as `$HOME/x`; other paths as written.
pub fn expand_home(p: &str) -> std::path::PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config, String> {
        Config::parse(Path::new("opsdeck.toml"), src).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_is_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.log_buffer_lines, DEFAULT_LOG_BUFFER);
        assert!(c.mouse);
    }

    #[test]
    fn values_are_read() {
        let c = parse("theme = \"light\"\nkeymap = \"vim\"\n[logs]\nbuffer_lines = 1000\n[ui]\nmouse = false\n").unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.keymap.as_deref(), Some("vim"));
        assert_eq!(c.log_buffer_lines, 1000);
        assert!(!c.mouse);
    }

    #[test]
    fn runbook_globs_resolve_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rb")).unwrap();
        for f in ["b.md", "a.md"] {
            std::fs::write(dir.path().join("rb").join(f), "# R\n").unwrap();
        }
        let cfg_path = dir.path().join("opsdeck.toml");
        let c = Config::parse(&cfg_path, "runbooks = [\"rb/*.md\"]\n").unwrap();
        let names: Vec<_> = c
            .runbooks
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.md"]);
        let e = Config::parse(&cfg_path, "theme = \"light\"\nrunbooks = [\"nope/*.md\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("opsdeck.toml:2: runbooks: `nope/*.md` matches no file"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = parse("theme = \"light\"\n[logs]\nbufer_lines = 10\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:3: unknown field `bufer_lines`"),
            "{e}"
        );
        let e = parse("[logs]\nbuffer_lines = 5\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:2: logs.buffer_lines = 5 is out of range"),
            "{e}"
        );
        let e = parse("[ui]\nmouse = \"yes\"\n").unwrap_err();
        assert!(e.starts_with("opsdeck.toml:2: invalid type"), "{e}");
    }

    #[test]
    fn live_sections_are_read_and_checked() {
        let c = parse(
            r#"
[aws]
profile = "prod"
region = "eu-west-1"

[watch]
clusters = ["prod"]
services = ["prod/api"]
functions = ["checkout"]
log_groups = ["/ecs/prod/api", { name = "/aws/lambda/checkout", filter = "ERROR" }]
health = ["https://api.example.com/health", { name = "search", url = "http://search/health" }]

[[watch.metrics]]
namespace = "AWS/ApplicationELB"
metric = "HTTPCode_Target_5XX_Count"
stat = "Sum"
period = 60
warn = 10
crit = 50

[refresh]
ecs = 5
logs_rate = 2
"#,
        )
        .unwrap();
        assert_eq!(c.aws.profile.as_deref(), Some("prod"));
        assert_eq!(c.watch.services, [("prod".to_string(), "api".to_string())]);
        assert_eq!(c.watch.log_groups[1].filter.as_deref(), Some("ERROR"));
        assert_eq!(c.watch.health[0].name, "https://api.example.com/health");
        assert_eq!(c.watch.metrics[0].thresholds.crit, Some(50.0));
        assert_eq!(c.refresh.ecs_ms, 5000);
        assert_eq!(c.refresh.logs_rate, 2.0);
        assert_eq!(c.refresh.lambda_ms, 30_000);
        let e = parse("[watch]\nservices = [\n  \"api\",\n]\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:3: watch.services: `api` is not CLUSTER/SERVICE"),
            "{e}"
        );
        assert_eq!(
            parse("[watch]\nlimit = 500\n").unwrap().watch.limit,
            Some(500)
        );
        let e = parse("[watch]\nclusters = []\nlimit = 0\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:3: watch.limit = 0: use 1 or more"),
            "{e}"
        );
        // One duration grammar: a number is seconds, a string has units.
        let c = parse(
            "[refresh]\necs = \"500ms\"\nlambda = 2.5\nmetrics = \"2m\"\nlogs_backfill = \"1h\"\n",
        )
        .unwrap();
        assert_eq!(
            (c.refresh.ecs_ms, c.refresh.lambda_ms, c.refresh.metrics_ms),
            (500, 2500, 120_000)
        );
        assert_eq!(c.refresh.logs_backfill_ms, 3_600_000);
        let c = parse("[refresh]\nlogs_backfill_minutes = 2\n").unwrap();
        assert_eq!(c.refresh.logs_backfill_ms, 120_000);
        let e = parse("[refresh]\n\necs = \"5 parsecs\"\n").unwrap_err();
        assert!(e.starts_with("opsdeck.toml:3: refresh.ecs"), "{e}");
        let e = parse("[refresh]\necs = \"100ms\"\n").unwrap_err();
        assert!(e.contains("use 0.5s to 1h"), "{e}");
        let e = parse("[refresh]\nlogs_rate = 9\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:2: refresh.logs_rate = 9"),
            "{e}"
        );
        let e = parse("[watch]\nhealth = [\"ftp://x\"]\n").unwrap_err();
        assert!(e.starts_with("opsdeck.toml:2: watch.health"), "{e}");
        let e = parse("[[watch.metrics]]\nnamespace = \"A\"\nmetric = \"B\"\nperiod = 90\n")
            .unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:4: watch.metrics.period = 90"),
            "{e}"
        );
        let c = parse(
            "[[watch.commands]]\nname = \"pods\"\ncommand = \"kubectl get pods -n shop\"\ninterval = \"15s\"\n\n[[watch.commands]]\nname = \"ready\"\ncommand = \"pg_isready -h db\"\nexpect = \"accepting\"\n",
        )
        .unwrap();
        assert_eq!(c.watch.commands.len(), 2);
        assert_eq!(c.watch.commands[0].interval_ms, 15_000);
        assert_eq!(c.watch.commands[1].interval_ms, DEFAULT_WATCH_INTERVAL_MS);
        assert_eq!(c.watch.commands[1].expect.as_deref(), Some("accepting"));
        let e = parse("[[watch.commands]]\nname = \"x\"\ncommand = \"kubectl delete pod api-1\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:3: watch.commands `x`: `kubectl delete pod api-1` is destructive, not read"),
            "{e}"
        );
        let e =
            parse("[[watch.commands]]\nname = \"x\"\ncommand = \"uptime\"\ninterval = \"1s\"\n")
                .unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:4: watch.commands `x`: interval"),
            "{e}"
        );
        let e = parse("[aws]\nregoin = \"x\"\n").unwrap_err();
        assert!(
            e.starts_with("opsdeck.toml:2: unknown field `regoin`"),
            "{e}"
        );
    }
}

//! The box that enforces read-only without reading shell, and the supervisor every step runs
//! under. `opsdeck sandbox -- COMMAND` runs a command in it; the step launcher
//! (`exec::launch`) runs every read-only step, `{watch}`, `{verify}` and `[[watch.commands]]`
//! command the same way, and every other step under the supervisor without the box.
//!
//! Layers (each holds on its own; the classifier is none of them):
//! - kernel: Landlock (files: read anywhere but `~/.aws`, `~/.ssh` and opsdeck's own
//!   directories, write only in a scratch `$TMPDIR`, `/dev/null` and the terminal; TCP: no
//!   listener, connections to 443 and `[sandbox] connect_ports` only; no signal or abstract
//!   socket out of the box), no_new_privs, every capability dropped, and a seccomp filter
//!   (no `AF_UNIX` socket, no io_uring, no `TIOCSTI`);
//! - AWS: the only credentials inside are read-only ones (see `sources::aws::readonly`);
//! - processes: the supervisor is a child subreaper and kills whatever the command leaves.

#[cfg(target_os = "linux")]
pub mod kernel;
#[cfg(target_os = "linux")]
pub mod supervise;
#[cfg(target_os = "linux")]
use crate::sys;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[sandbox]` in opsdeck.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// TCP ports a boxed command may connect to besides 443 (a read-only database user's
    /// 5432) and the configured AWS endpoint's.
    pub connect_ports: Vec<u16>,
    /// Where the kernel cannot box (no Landlock): run read-only steps anyway, with the AWS
    /// layer alone. Off by default: they are refused.
    pub allow_unenforced: bool,
    /// Credential files the box may read after all (`[sandbox] readable`): a read-only
    /// kubeconfig, say. Everything in [`hidden_paths`] is hidden otherwise.
    pub readable: Vec<PathBuf>,
    /// Inherited variables with secret-shaped names the box keeps (`[sandbox] pass_env`);
    /// the others are removed.
    pub pass_env: Vec<String>,
}

/// The Landlock ABI that gives every kernel layer the box wants (signal and abstract socket
/// scoping came in 6).
pub const FULL_ABI: i32 = 6;

/// Which layers of the box hold on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    /// Landlock ABI (0: none).
    pub landlock_abi: i32,
    /// Running with capabilities (root): they are dropped in the box.
    pub capabilities: bool,
}

impl Layers {
    pub fn probe() -> Layers {
        #[cfg(target_os = "linux")]
        {
            Layers {
                landlock_abi: sys::landlock_abi(),
                capabilities: sys::has_capabilities(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        Layers {
            landlock_abi: 0,
            capabilities: false,
        }
    }

    /// The kernel layer holds in full.
    pub fn kernel(&self) -> bool {
        self.landlock_abi >= FULL_ABI
    }

    /// What the kernel layer enforces here, in a line.
    pub fn kernel_detail(&self) -> String {
        let abi = self.landlock_abi;
        let mut parts: Vec<&str> = Vec::new();
        if abi >= 1 {
            parts.push("files");
        }
        if abi >= 4 {
            parts.push("TCP bind/connect");
        }
        if abi >= 6 {
            parts.push("signals and abstract sockets scoped");
        }
        if parts.is_empty() {
            return "no Landlock in this kernel: nothing enforced by the kernel".into();
        }
        let caps = if self.capabilities {
            ", capabilities dropped"
        } else {
            ""
        };
        format!(
            "Landlock ABI {abi} ({}), no_new_privs, seccomp{caps}",
            parts.join(", ")
        )
    }

    /// The status bar's mark in read-only mode: which layers hold. `aws`: read-only
    /// credentials are what the box gets (a role or minted ones).
    pub fn label(&self, aws: bool) -> &'static str {
        match (self.kernel(), aws) {
            (true, true) => "READ-ONLY (kernel + AWS)",
            (true, false) => "READ-ONLY (kernel only)",
            (false, true) => "READ-ONLY (AWS only)",
            (false, false) => "READ-ONLY (not enforced)",
        }
    }
}

/// Why a boxed command cannot run here, if it cannot: no Landlock and not allowed.
pub fn refusal(settings: &Settings) -> Option<String> {
    let l = Layers::probe();
    (!l.kernel() && !settings.allow_unenforced).then(|| {
        format!(
            "the kernel cannot box read-only steps here ({}): refused. Set [sandbox] allow_unenforced = true to run them with the AWS layer alone",
            l.kernel_detail()
        )
    })
}

/// Variables removed from every step's environment, boxed or not: they make bash or the AWS
/// tools read files the runbook does not name.
pub const REMOVED: &[&str] = &[
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PROMPT_COMMAND",
    "CDPATH",
];

/// Variables a boxed command never sees: they point the AWS tools at the operator's
/// credentials (profiles, SSO, container and web-identity credentials) or make bash read
/// files the command does not name.
pub const BOX_REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_SSO_SESSION",
];

/// The AWS credential variables: in the box they are the read-only ones or absent.
pub const CREDENTIAL_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Credential stores under `$HOME` hidden from a boxed command: the AWS and SSH ones, and
/// every other tool's that would let a command that slipped past the classifier change
/// something over an allowed port with the operator's own rights (Kubernetes, Docker
/// registries, GitHub, GCP, Azure, Oracle, Vault, Terraform Cloud, netrc, database password
/// files, git and package-registry tokens, GnuPG and keyrings), and opsdeck's own files.
pub const HIDDEN_IN_HOME: &[&str] = &[
    ".aws",
    ".ssh",
    ".kube",
    ".docker",
    ".config/gh",
    ".config/hub",
    ".config/gcloud",
    ".azure",
    ".oci",
    ".netrc",
    ".pgpass",
    ".my.cnf",
    ".git-credentials",
    ".config/git/credentials",
    ".npmrc",
    ".pypirc",
    ".vault-token",
    ".terraform.d/credentials.tfrc.json",
    ".gnupg",
    ".password-store",
    ".local/share/keyrings",
    ".config/opsdeck",
    ".local/share/opsdeck",
    ".local/state/opsdeck",
];

/// Variables naming a credential file or directory: what they name is hidden too.
const CREDENTIAL_PATH_VARS: &[&str] = &[
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "KUBECONFIG",
    "DOCKER_CONFIG",
    "PGPASSFILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "AZURE_CONFIG_DIR",
    "NETRC",
    "GNUPGHOME",
    "VAULT_CONFIG_PATH",
];

/// Paths hidden from a boxed command: the operator's credentials and opsdeck's own files.
pub fn hidden_paths(env: &BTreeMap<String, String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(home) = env.get("HOME").filter(|h| !h.is_empty()) {
        let home = PathBuf::from(home);
        for d in HIDDEN_IN_HOME {
            out.push(home.join(d));
        }
    }
    for k in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"] {
        if let Some(v) = env.get(k).filter(|v| v.starts_with('/')) {
            out.push(PathBuf::from(v).join("opsdeck"));
        }
    }
    if let Some(d) = directories::ProjectDirs::from("", "", "opsdeck") {
        out.push(d.config_dir().to_path_buf());
        out.push(d.data_dir().to_path_buf());
        if let Some(s) = d.state_dir() {
            out.push(s.to_path_buf());
        }
    }
    let cwd = std::env::current_dir().ok();
    for k in CREDENTIAL_PATH_VARS {
        // KUBECONFIG is a list; a relative path is the command's working directory's.
        for v in env.get(*k).into_iter().flat_map(|v| v.split(':')) {
            if v.is_empty() || v == "/dev/null" {
                continue;
            }
            match (v.starts_with('/'), &cwd) {
                (true, _) => out.push(PathBuf::from(v)),
                (false, Some(d)) => out.push(d.join(v)),
                (false, None) => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A variable whose name says it holds a secret (`GITHUB_TOKEN`, `VAULT_TOKEN`,
/// `PGPASSWORD`, `DATADOG_API_KEY`, `SSH_AUTH_SOCK`…): the box does not inherit it.
pub fn secret_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "APIKEY",
        "API_KEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "COOKIE",
        "AUTH",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The inherited variables a boxed command must not see: secret-shaped names but those in
/// `pass_env` (`[sandbox] pass_env`, and the step's own variables — its values, its
/// read-only credentials — which the launcher passes as `--pass-env`).
pub fn ambient_secrets(env: &BTreeMap<String, String>, settings: &Settings) -> Vec<String> {
    env.keys()
        .filter(|k| secret_var(k) && !settings.pass_env.contains(k))
        .cloned()
        .collect()
}

/// The TCP ports a boxed command may connect to: 443, the configured ones, and the port of
/// each AWS endpoint set in its environment (a VPC endpoint, a local fake).
pub fn connect_ports(settings: &Settings, env: &BTreeMap<String, String>) -> Vec<u16> {
    let mut ports = vec![443];
    ports.extend(&settings.connect_ports);
    for (k, v) in env {
        if k.starts_with("AWS_ENDPOINT_URL")
            && let Some(p) = url_port(v)
        {
            ports.push(p);
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn url_port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?']).next()?;
    let port = host.rsplit_once(':').and_then(|(h, p)| {
        // `[::1]` without a port ends with `]`.
        (!p.contains(']') && !h.is_empty()).then_some(p)
    });
    match port {
        Some(p) => p.parse().ok(),
        None if scheme == "http" => Some(80),
        None => Some(443),
    }
}

/// How the launcher asks for a command to be run: the arguments of `opsdeck sandbox` that
/// come before `--` and the command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaunchOptions {
    /// In the box (read-only steps, watches, verifications); otherwise supervised only.
    pub boxed: bool,
    pub settings: Settings,
    pub interactive: bool,
    /// The step's own variables (its values, the box's credentials): kept in the box even
    /// when their names look secret.
    pub keep_env: Vec<String>,
}

impl LaunchOptions {
    pub fn args(&self, life_fd: i32, report_fd: i32) -> Vec<String> {
        let mut a = vec![
            "sandbox".to_string(),
            "--launched".into(),
            "--life-fd".into(),
            life_fd.to_string(),
            "--report-fd".into(),
            report_fd.to_string(),
        ];
        if !self.boxed {
            a.push("--no-box".into());
        }
        if self.interactive {
            a.push("--interactive".into());
        }
        if self.settings.allow_unenforced {
            a.push("--allow-unenforced".into());
        }
        for p in &self.settings.connect_ports {
            a.push("--connect-port".into());
            a.push(p.to_string());
        }
        for p in &self.settings.readable {
            a.push("--readable".into());
            a.push(p.display().to_string());
        }
        for k in self.settings.pass_env.iter().chain(&self.keep_env) {
            a.push("--pass-env".into());
            a.push(k.clone());
        }
        a
    }
}

/// The opsdeck binary that supervises steps: `OPSDECK_EXE`, else this executable when it is
/// opsdeck, else the `opsdeck` beside it (a test binary in `target/*/deps/`).
pub fn exe() -> PathBuf {
    if let Some(p) = std::env::var_os("OPSDECK_EXE") {
        return PathBuf::from(p);
    }
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("opsdeck"));
    if me.file_name().is_some_and(|n| {
        n.to_string_lossy().starts_with("opsdeck") && !n.to_string_lossy().contains('-')
    }) {
        return me;
    }
    let dir = me.parent().map(|d| d.to_path_buf()).unwrap_or_default();
    for cand in [dir.join("opsdeck"), dir.join("../opsdeck")] {
        if cand.is_file() {
            return cand;
        }
    }
    PathBuf::from("opsdeck")
}

/// What the supervisor tells the launcher at the end, one JSON line on the report pipe.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub code: i32,
    pub left_running: usize,
    /// Which layers held for this command (empty when not boxed).
    #[serde(default)]
    pub layers: String,
    /// Why it did not start, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `opsdeck sandbox`'s arguments, resolved.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub command: Vec<String>,
    pub boxed: bool,
    pub settings: Settings,
    pub interactive: bool,
    pub life_fd: Option<i32>,
    pub report_fd: Option<i32>,
    /// Variables to set (read-only credentials minted here) and remove.
    pub env_set: BTreeMap<String, String>,
    pub env_remove: Vec<String>,
}

/// Runs `req.command` supervised (and boxed): its exit code. Nothing is printed on success;
/// what was killed goes to the report pipe, or to standard error without one.
pub fn run(req: Request) -> i32 {
    // The launcher's descriptors are the supervisor's alone: the command never inherits them.
    #[cfg(target_os = "linux")]
    for fd in [req.life_fd, req.report_fd].into_iter().flatten() {
        sys::set_cloexec(fd);
    }
    let (code, report) = run_inner(req.clone());
    if let Some(fd) = req.report_fd {
        write_report(fd, &report);
    } else {
        if let Some(e) = &report.error {
            eprintln!("opsdeck sandbox: {e}");
        }
        if report.left_running > 0 {
            eprintln!(
                "opsdeck sandbox: left running: {} killed",
                report.left_running
            );
        }
    }
    code
}

fn write_report(fd: i32, report: &Report) {
    use std::io::Write;
    let mut f = sys::file_from_launcher_fd(fd);
    let _ = writeln!(
        f,
        "{}",
        serde_json::to_string(report).unwrap_or_else(|_| "{}".into())
    );
}

#[cfg(target_os = "linux")]
fn run_inner(req: Request) -> (i32, Report) {
    let fail = |e: String| {
        (
            126,
            Report {
                code: 126,
                error: Some(e),
                ..Report::default()
            },
        )
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let mut env_set = req.env_set.clone();
    let mut env_remove = req.env_remove.clone();
    env_remove.extend(REMOVED.iter().map(|s| s.to_string()));
    let layers = Layers::probe();
    let mut scratch = None;
    let mut ruleset = None;
    let mut entry = None;
    let mut held = String::new();
    if req.boxed {
        if let Some(why) = refusal(&req.settings) {
            return fail(why);
        }
        let dir = match scratch_dir(&env) {
            Ok(d) => d,
            Err(e) => return fail(format!("cannot make the scratch directory: {e}")),
        };
        env_remove.extend(BOX_REMOVED.iter().map(|s| s.to_string()));
        for k in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
            env_set.insert(k.into(), "/dev/null".into());
        }
        env_set.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
        env_set.insert("TMPDIR".into(), dir.display().to_string());
        let mut devices = vec![PathBuf::from("/dev/null")];
        if req.interactive {
            devices.push(PathBuf::from("/dev/tty"));
            if let Ok(t) = std::fs::read_link("/proc/self/fd/0")
                && t.starts_with("/dev/pts")
            {
                devices.push(t);
            }
        }
        env_remove.extend(ambient_secrets(&env, &req.settings));
        let mut after = env.clone();
        for k in &env_remove {
            after.remove(k);
        }
        after.extend(env_set.clone());
        let rules = kernel::Rules {
            hidden: hidden_paths(&env),
            readable: req.settings.readable.clone(),
            writable: vec![dir.clone()],
            devices,
            connect_ports: connect_ports(&req.settings, &after),
        };
        if layers.landlock_abi > 0 {
            match kernel::ruleset(&rules) {
                Ok(rs) => ruleset = Some(rs),
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return fail(e);
                }
            }
        }
        entry = Some(sys::BoxEntry::new());
        held = layers.kernel_detail();
        scratch = Some(dir);
    }
    let plan = supervise::Plan {
        argv: req.command.clone(),
        env_set,
        env_remove,
        ruleset,
        entry,
        interactive: req.interactive,
        life_fd: req.life_fd,
    };
    let result = supervise::run(plan);
    if let Some(d) = scratch {
        let _ = std::fs::remove_dir_all(d);
    }
    match result {
        Ok(o) => (
            o.code,
            Report {
                code: o.code,
                left_running: o.left_running,
                layers: held,
                error: None,
            },
        ),
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            (
                code,
                Report {
                    code,
                    error: Some(format!("{}: {e}", req.command.join(" "))),
                    ..Report::default()
                },
            )
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn run_inner(req: Request) -> (i32, Report) {
    if req.boxed
        && let Some(why) = refusal(&req.settings)
    {
        return (
            126,
            Report {
                code: 126,
                error: Some(why),
                ..Report::default()
            },
        );
    }
    let mut cmd = std::process::Command::new(&req.command[0]);
    cmd.args(&req.command[1..]);
    for k in &req.env_remove {
        cmd.env_remove(k);
    }
    cmd.envs(&req.env_set);
    let code = cmd.status().map(|s| s.code().unwrap_or(1)).unwrap_or(127);
    (
        code,
        Report {
            code,
            ..Report::default()
        },
    )
}

/// A private directory for the command's temporary files, removed after it.
fn scratch_dir(env: &BTreeMap<String, String>) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = env
        .get("TMPDIR")
        .filter(|t| t.starts_with('/'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for i in 0..100u32 {
        let p = base.join(format!(
            "opsdeck-box-{}-{:08x}",
            std::process::id(),
            stamp.wrapping_add(i.wrapping_mul(0x9e37_79b9))
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_ports_are_allowed_with_443_and_the_configured_ones() {
        let env: BTreeMap<String, String> = [
            (
                "AWS_ENDPOINT_URL".to_string(),
                "http://127.0.0.1:4566".to_string(),
            ),
            (
                "AWS_ENDPOINT_URL_S3".to_string(),
                "https://s3.local".to_string(),
            ),
            ("PATH".to_string(), "/bin".to_string()),
        ]
        .into();
        let s = Settings {
            connect_ports: vec![5432],
            ..Settings::default()
        };
        assert_eq!(connect_ports(&s, &env), vec![443, 4566, 5432]);
        assert_eq!(url_port("http://[::1]/x"), Some(80));
        assert_eq!(url_port("http://[::1]:9000/x"), Some(9000));
    }

    #[test]
    fn secret_variables_and_credential_stores_stay_out() {
        let env: BTreeMap<String, String> = [
            ("HOME", "/home/op"),
            ("GITHUB_TOKEN", "ghp_x"),
            ("PGPASSWORD", "pw"),
            ("SSH_AUTH_SOCK", "/tmp/ssh-agent"),
            ("DATADOG_API_KEY", "k"),
            ("DB_PASSWORD", "typed"),
            ("KUBECONFIG", "/etc/kube/admin.conf:/home/op/other.yaml"),
            ("PATH", "/bin"),
            ("EDITOR", "vi"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let s = Settings {
            pass_env: vec!["DATADOG_API_KEY".into(), "DB_PASSWORD".into()],
            ..Settings::default()
        };
        let mut gone = ambient_secrets(&env, &s);
        gone.sort();
        assert_eq!(gone, ["GITHUB_TOKEN", "PGPASSWORD", "SSH_AUTH_SOCK"]);
        let hidden = hidden_paths(&env);
        for p in [
            "/home/op/.kube",
            "/home/op/.netrc",
            "/home/op/.config/gh",
            "/etc/kube/admin.conf",
            "/home/op/other.yaml",
        ] {
            assert!(hidden.contains(&PathBuf::from(p)), "{p} not hidden");
        }
    }

    #[test]
    fn the_label_says_which_layers_hold() {
        let full = Layers {
            landlock_abi: 7,
            capabilities: true,
        };
        assert_eq!(full.label(true), "READ-ONLY (kernel + AWS)");
        assert_eq!(full.label(false), "READ-ONLY (kernel only)");
        let none = Layers {
            landlock_abi: 0,
            capabilities: false,
        };
        assert_eq!(none.label(true), "READ-ONLY (AWS only)");
        assert!(none.kernel_detail().contains("no Landlock"));
        let old = Layers {
            landlock_abi: 3,
            capabilities: false,
        };
        assert!(
            !old.kernel(),
            "ABI 3 cannot scope signals: not the full box"
        );
    }
}

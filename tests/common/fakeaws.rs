#![allow(dead_code)]
//! The fake AWS for live tests: `tests/aws/fakeaws.py` (moto behind a CBOR bridge and a fault
//! injector) started on a free loopback port, and `tests/aws/fleet.py` to build and change
//! what it holds. If python3 or moto is missing the test fails and says how to install it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct FakeAws {
    child: Child,
    pub port: u16,
    pub endpoint: String,
    /// An empty HOME and AWS config so nothing of the machine's ~/.aws is used.
    pub home: tempfile::TempDir,
}

fn script(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/aws")
    .join(name)
}

const INSTALL: &str =
    "install it with `python3 -m pip install 'moto[server]'` (bash tests/run.sh does this)";

impl FakeAws {
    pub fn start() -> FakeAws {
        let home = tempfile::tempdir().expect("temp home");
        // Its stderr goes to a file, never a pipe nobody drains.
        let log_path = home.path().join("fakeaws.log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new("python3")
            .arg(script("fakeaws.py"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 for the fake AWS ({e}); {INSTALL}"));
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Some(port) = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse::<u16>().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&log_path).unwrap_or_default();
            panic!("the fake AWS (moto) did not start: {err}\n{INSTALL}");
        };
        FakeAws {
            child,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            home,
        }
    }

    /// Test credentials and region, no profile, no machine config, no instance metadata.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.home.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("aws-credentials"),
            )
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.home.path().join("config"));
    }

    /// `fleet.py ENDPOINT ARGS...`, which must succeed.
    pub fn fleet(&self, args: &[&str]) {
        self.fleet_output(args);
    }

    /// `fleet.py ENDPOINT ARGS...`'s standard output; it must succeed.
    pub fn fleet_output(&self, args: &[&str]) -> String {
        self.fleet_in("us-east-1", args)
    }

    /// `fleet.py` on the fleet of another region (moto keeps each region's apart).
    pub fn fleet_in(&self, region: &str, args: &[&str]) -> String {
        let mut cmd = Command::new("python3");
        cmd.arg(script("fleet.py")).arg(&self.endpoint).args(args);
        self.env(&mut cmd);
        cmd.env("FLEET_REGION", region);
        let out = cmd.output().expect("python3 runs");
        assert!(
            out.status.success(),
            "fleet.py {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `fleet.py` in another account (through STS AssumeRole: moto keeps each account's
    /// resources apart).
    pub fn fleet_in_account(&self, account: &str, region: &str, args: &[&str]) -> String {
        let mut cmd = Command::new("python3");
        cmd.arg(script("fleet.py")).arg(&self.endpoint).args(args);
        self.env(&mut cmd);
        cmd.env("FLEET_REGION", region)
            .env("FLEET_ACCOUNT", account);
        let out = cmd.output().expect("python3 runs");
        assert!(
            out.status.success(),
            "fleet.py {args:?} in {account}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Account 222222222222 as a linked source account of the test credentials' account
    /// (cross-account observability): the fleet built there in us-east-1 with its `mutate`
    /// (prod/api CPU 97.5 and an `after-mutation marker` line in /ecs/prod/api).
    pub fn link_source_account(&self) {
        self.fleet_in_account("222222222222", "us-east-1", &["build"]);
        self.fleet_in_account("222222222222", "us-east-1", &["mutate"]);
        self.http(
            "POST",
            "/__fake/oam",
            r#"{"monitoring": "123456789012", "sources": ["222222222222"]}"#,
        );
    }

    /// The variables a shell needs to reach the fake with the aws CLI (which must be on its
    /// PATH: the real Python's scripts folder and ~/.local/bin are added).
    pub fn shell_env(&self) -> Vec<(&'static str, String)> {
        let pybin = Command::new("python3")
            .args(["-c", "import os,sys,sysconfig;print(sysconfig.get_path('scripts'));print(os.path.dirname(os.path.realpath(sys.executable)))"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().collect::<Vec<_>>().join(":"))
            .unwrap_or_default();
        let home_bin = std::env::var("HOME")
            .map(|h| format!("{h}/.local/bin"))
            .unwrap_or_default();
        vec![
            (
                "PATH",
                format!("{pybin}:{home_bin}:/usr/local/bin:/usr/bin:/bin"),
            ),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            (
                "AWS_CONFIG_FILE",
                self.home.path().join("aws-config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home
                    .path()
                    .join("aws-credentials")
                    .display()
                    .to_string(),
            ),
        ]
    }

    pub fn http(&self, method: &str, path: &str, body: &str) -> String {
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("fake AWS answers");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    /// `mode`: throttle, 500, hang, drop or none; `service`: the signing name (ecs, lambda,
    /// monitoring, logs, sts) or `*`.
    pub fn fault(&self, service: &str, mode: &str) {
        self.http(
            "POST",
            "/__fake/fault",
            &format!(r#"{{"service":"{service}","mode":"{mode}"}}"#),
        );
    }

    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.http("GET", "/__fake/stats", "")).expect("stats JSON")
    }

    /// Calls per operation, per access key id (each account's credentials are their own).
    pub fn stats_by_key(&self) -> serde_json::Value {
        serde_json::from_str(&self.http("GET", "/__fake/stats/by-key", "")).expect("stats JSON")
    }

    /// Access key ids that signed calls, per service (signing name).
    pub fn keys(&self) -> serde_json::Value {
        serde_json::from_str(&self.http("GET", "/__fake/keys", "")).expect("keys JSON")
    }

    pub fn reset_stats(&self) {
        self.http("POST", "/__fake/stats/reset", "");
    }

    /// `opsdeck ARGS...` with the fake's environment; returns (status, stdout, stderr).
    pub fn opsdeck(&self, cwd: &Path, args: &[&str]) -> (i32, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        cmd.current_dir(cwd).args(args);
        self.env(&mut cmd);
        let out = cmd.output().expect("opsdeck runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `opsdeck ARGS --endpoint-url <fake> doctor --format json` in `cwd`: exit status and
    /// report (stderr in the panic when it is not JSON).
    pub fn doctor_json(&self, cwd: &Path, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = args.to_vec();
        all.extend_from_slice(&[
            "--endpoint-url",
            &self.endpoint,
            "doctor",
            "--format",
            "json",
        ]);
        let (code, out, err) = self.opsdeck(cwd, &all);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v)
    }

    /// The same environment for this (test) process, for in-process sources. Set once; every
    /// test of the binary uses the same values.
    pub fn env_in_process(&self) {
        static ONCE: std::sync::Once = std::sync::Once::new();
        let cfg = std::env::temp_dir().join("opsdeck-test-no-aws-config");
        ONCE.call_once(|| {
            // SAFETY: set once, before the first SDK client of this test binary exists, with
            // the same values for every test.
            unsafe {
                std::env::remove_var("AWS_PROFILE");
                std::env::remove_var("AWS_ENDPOINT_URL");
                std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
                std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
                std::env::set_var("AWS_REGION", "us-east-1");
                std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
                std::env::set_var("AWS_CONFIG_FILE", cfg.join("config"));
                std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", cfg.join("credentials"));
            }
        });
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

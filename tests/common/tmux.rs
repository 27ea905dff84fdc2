//! A private tmux server driving the real binary: send-keys in, capture-pane out. Waits poll
//! for a condition with a generous limit; nothing depends on timing.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    pub _state: tempfile::TempDir,
}

impl Tmux {
    /// A private tmux server with one bash pane of `w`x`h`.
    pub fn start(name: &str, w: u16, h: u16) -> Tmux {
        Tmux::start_env(name, w, h, &[])
    }

    /// Like `start`, with more variables in the pane's (otherwise empty) environment.
    pub fn start_env(name: &str, w: u16, h: u16, vars: &[(&str, String)]) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is not installed: run `bash tests/run.sh` (installs it) or `apt-get install tmux`"
        );
        let state = tempfile::tempdir().unwrap();
        let socket = format!("opsdeck-e2e-{name}-{}", std::process::id());
        let t = Tmux {
            socket,
            _state: state,
        };
        let extra: String = vars.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let env = format!(
            "env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config {extra}bash --norc --noprofile",
            home = t._state.path().display()
        );
        t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            &env,
        ]);
        t.tmux(&["set-option", "-g", "escape-time", "0"]);
        // Accept OSC 52 from the application into a tmux buffer (the yank test reads it).
        t.tmux(&["set-option", "-g", "set-clipboard", "on"]);
        t
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn send(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "e2e", k]);
            // Separate keys so a lone Esc is never read as Alt-<next key>.
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    pub fn type_line(&self, line: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", line]);
        self.tmux(&["send-keys", "-t", "e2e", "Enter"]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    pub fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    pub fn alternate_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim()
            == "1"
    }

    pub fn opsdeck_pid(&self) -> String {
        let shell = self.tmux(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim(), "opsdeck"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .expect("opsdeck child of the shell")
            .to_string()
    }
}

/// The cockpit in live mode against an endpoint nobody answers (the feeds fail; runbook
/// steps run for real), with `runbook` loaded and `journal` as its journal, in a new tmux
/// server; returns once the first frame is up.
pub fn live_cockpit(
    name: &str,
    bin: &std::path::Path,
    runbook: &std::path::Path,
    journal: &std::path::Path,
) -> Tmux {
    let t = Tmux::start_env(
        name,
        140,
        40,
        &[
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ],
    );
    t.type_line(&format!(
        "clear; {} --endpoint-url http://127.0.0.1:9 --runbook {} --journal {}",
        bin.display(),
        runbook.display(),
        journal.display()
    ));
    t.wait_text("Services");
    t
}

impl Tmux {
    /// Opens the palette, types `query` and opens the first match.
    pub fn palette_pick(&self, query: &str) {
        self.send(&[":"]);
        self.tmux(&["send-keys", "-t", "e2e", "-l", query]);
        self.send(&["Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

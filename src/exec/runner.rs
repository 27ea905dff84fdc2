//! The process runner. No orphan survives a step's end, a cancel, a timeout or opsdeck's own
//! end: the step runs under the supervisor (see [`super::launch`]), signals go to the process
//! group, escalating after a grace period to the supervisor killing the whole tree.

use super::launch::{self, Launch};
use crate::redact::Redactor;
use crate::sanitize;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, oneshot};

/// Lines kept per stream before the rest is only counted.
pub const MAX_LINES: usize = 10_000;
/// Longest line kept; longer ones are cut with a marker.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub id: u64,
    pub script: String,
    pub env: BTreeMap<String, String>,
    /// Inherited variables to drop (see [`Launch::env_remove`]).
    pub env_remove: Vec<String>,
    pub timeout: Option<Duration>,
    /// Between SIGINT, SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Values masked in every line of output.
    pub secrets: Vec<String>,
    /// In the read-only box, with the box's credentials only.
    pub boxed: bool,
    /// `[sandbox]` settings for the box.
    pub sandbox: crate::sandbox::Settings,
    /// The command that prints secrets by design: every line is counted, none shown.
    pub hide_output: Option<String>,
}

impl RunSpec {
    fn launch(&self, interactive: bool) -> Launch {
        Launch {
            script: self.script.clone(),
            env: self.env.clone(),
            env_remove: self.env_remove.clone(),
            interactive,
            boxed: self.boxed,
            sandbox: self.sandbox.clone(),
        }
    }

    /// A boxed step gets the box's credentials (`role`) or none of the operator's; `Err`
    /// when they were asked for and cannot be had. The note says why it has none.
    pub async fn box_credentials(
        &mut self,
        role: Option<&super::RoleSource>,
    ) -> Result<Option<String>, String> {
        if !self.boxed {
            return Ok(None);
        }
        let env = match role {
            Some(role) => role().await?,
            None => super::RoleEnv::none(String::new()),
        };
        let note = env.note.clone().filter(|n| !n.is_empty());
        with_role(self, env);
        Ok(note)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The signals that end opsdeck, and a step with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    Int,
    Term,
    Hup,
}

impl Signal {
    pub fn number(self) -> i32 {
        match self {
            Signal::Int => rustix::process::Signal::INT.as_raw(),
            Signal::Term => rustix::process::Signal::TERM.as_raw(),
            Signal::Hup => rustix::process::Signal::HUP.as_raw(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
            Signal::Hup => "SIGHUP",
        }
    }

    /// The shell convention: 128 + the signal's number.
    pub fn exit_code(self) -> i32 {
        128 + self.number()
    }
}

/// Watches for the signals that end opsdeck while something blocks the async loop (an
/// interactive step): `signal()` says which arrived. Listening stops when dropped.
pub struct SignalWatch {
    got: std::sync::Arc<std::sync::atomic::AtomicU8>,
    task: tokio::task::JoinHandle<()>,
}

impl SignalWatch {
    /// Must be called inside a tokio runtime.
    pub fn start() -> SignalWatch {
        use std::sync::atomic::Ordering;
        let got = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(0));
        let flag = got.clone();
        let task = tokio::runtime::Handle::current().spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut t), Ok(mut h), Ok(mut i)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            let which = tokio::select! {
                _ = t.recv() => 1,
                _ = h.recv() => 2,
                _ = i.recv() => 3,
            };
            flag.store(which, Ordering::SeqCst);
        });
        SignalWatch { got, task }
    }

    pub fn signal(&self) -> Option<Signal> {
        match self.got.load(std::sync::atomic::Ordering::SeqCst) {
            1 => Some(Signal::Term),
            2 => Some(Signal::Hup),
            3 => Some(Signal::Int),
            _ => None,
        }
    }
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a step was stopped before it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// Ctrl-C in the run pane.
    Operator,
    /// The operator quit the cockpit while it ran (after saying so).
    Quit,
    /// opsdeck itself was told to end.
    Signal(Signal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    Exited(i32),
    Signalled(i32),
    Cancelled(CancelReason),
    TimedOut,
    FailedToStart(String),
}

impl RunStatus {
    pub fn success(&self) -> bool {
        *self == RunStatus::Exited(0)
    }

    /// Exit code for the headless runner: the command's, or 128+signal, 130 cancelled, 124
    /// timed out (as `timeout(1)`), 127 failed to start.
    pub fn code(&self) -> i32 {
        match self {
            RunStatus::Exited(c) => *c,
            RunStatus::Signalled(s) => 128 + s,
            RunStatus::Cancelled(CancelReason::Signal(s)) => s.exit_code(),
            RunStatus::Cancelled(_) => 130,
            RunStatus::TimedOut => 124,
            RunStatus::FailedToStart(_) => 127,
        }
    }

    pub fn label(&self) -> String {
        match self {
            RunStatus::Exited(c) => format!("exit {c}"),
            RunStatus::Signalled(s) => format!("killed by signal {s}"),
            RunStatus::Cancelled(CancelReason::Operator) => "CANCELLED".into(),
            RunStatus::Cancelled(CancelReason::Quit) => "CANCELLED (opsdeck quit)".into(),
            RunStatus::Cancelled(CancelReason::Signal(s)) => format!("CANCELLED ({})", s.name()),
            RunStatus::TimedOut => "TIMED OUT".into(),
            RunStatus::FailedToStart(e) => format!("failed to start: {e}"),
        }
    }

    /// Why it was cancelled, for the journal: `operator`, `quit`, or the signal's name.
    pub fn cancel_reason(&self) -> Option<String> {
        match self {
            RunStatus::Cancelled(CancelReason::Operator) => Some("operator".into()),
            RunStatus::Cancelled(CancelReason::Quit) => Some("quit".into()),
            RunStatus::Cancelled(CancelReason::Signal(s)) => Some(s.name().into()),
            _ => None,
        }
    }

    /// The journal's `status`: `cancelled` for every cancel, else the label.
    pub fn journal_status(&self) -> String {
        match self {
            RunStatus::Cancelled(_) => "cancelled".into(),
            other => other.label(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEvent {
    Started {
        id: u64,
        pid: u32,
    },
    Output {
        id: u64,
        stream: Stream,
        line: String,
    },
    /// Lines dropped because a stream passed [`MAX_LINES`].
    Truncated {
        id: u64,
        stream: Stream,
        dropped: usize,
    },
    Finished {
        id: u64,
        status: RunStatus,
        elapsed: Duration,
    },
}

impl RunEvent {
    /// The run it is about.
    pub fn id(&self) -> u64 {
        match self {
            RunEvent::Started { id, .. }
            | RunEvent::Output { id, .. }
            | RunEvent::Truncated { id, .. }
            | RunEvent::Finished { id, .. } => *id,
        }
    }
}

/// A running command: `cancel` to stop it.
pub struct RunHandle {
    cancel: Option<oneshot::Sender<CancelReason>>,
    pub task: tokio::task::JoinHandle<RunStatus>,
}

impl RunHandle {
    pub fn cancel(&mut self, reason: CancelReason) {
        if let Some(c) = self.cancel.take() {
            let _ = c.send(reason);
        }
    }
}

use rustix::process::{Pid, Signal as Sig};

/// Sends `sig` to process group `pgid`; false when it is gone (ESRCH).
fn signal_group(pgid: i32, sig: Sig) -> bool {
    Pid::from_raw(pgid).is_some_and(|p| rustix::process::kill_process_group(p, sig).is_ok())
}

fn group_alive(pgid: i32) -> bool {
    Pid::from_raw(pgid).is_some_and(|p| rustix::process::test_kill_process_group(p).is_ok())
}

/// Asks the supervisor to kill the step's whole tree at once.
fn kill_tree(pid: i32) {
    if let Some(p) = Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(p, Sig::USR1);
    }
}

/// The status the supervisor reported (its own exit says the same code, but not why it
/// could not start, nor what it killed).
fn reported(
    status: RunStatus,
    report: Option<crate::sandbox::Report>,
) -> (RunStatus, Option<String>) {
    match report {
        Some(r) if r.error.is_some() => {
            (RunStatus::FailedToStart(r.error.unwrap_or_default()), None)
        }
        Some(r) if r.left_running > 0 => (
            status,
            Some(format!("opsdeck: left running: {} killed", r.left_running)),
        ),
        _ => (status, None),
    }
}

/// Starts `spec.script` under bash. Events arrive on `events`; the task's result is the
/// final status (also sent as `Finished`).
pub fn spawn(spec: RunSpec, events: mpsc::Sender<RunEvent>) -> RunHandle {
    spawn_as(spec, None, events)
}

/// Like [`spawn`]; with `role`, the step runs with the read-only role's credentials instead
/// of the operator's, and does not start at all when they cannot be had.
pub fn spawn_as(
    spec: RunSpec,
    role: Option<super::RoleSource>,
    events: mpsc::Sender<RunEvent>,
) -> RunHandle {
    let (cancel_tx, cancel_rx) = oneshot::channel();
    let task = tokio::spawn(run(spec, role, events, cancel_rx));
    RunHandle {
        cancel: Some(cancel_tx),
        task,
    }
}

/// Applies the read-only role's environment to `spec`; its credentials are secrets.
pub fn with_role(spec: &mut RunSpec, env: super::RoleEnv) {
    for k in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
    ] {
        if let Some(v) = env.set.get(k) {
            spec.secrets.push(v.clone());
        }
    }
    for k in &env.remove {
        spec.env.remove(k);
    }
    spec.env.extend(env.set);
    spec.env_remove.extend(env.remove);
}

async fn run(
    mut spec: RunSpec,
    role: Option<super::RoleSource>,
    events: mpsc::Sender<RunEvent>,
    mut cancel: oneshot::Receiver<CancelReason>,
) -> RunStatus {
    // Long on purpose: a child's whole life in order (spawn, watch, stop, reap, drain).
    let started = Instant::now();
    let id = spec.id;
    let note = tokio::select! {
        r = spec.box_credentials(role.as_ref()) => r,
        r = &mut cancel => {
            let reason = r.unwrap_or(CancelReason::Operator);
            return finish(&events, id, RunStatus::Cancelled(reason), started).await;
        }
    };
    let note = match note {
        Ok(n) => n,
        Err(e) => return finish(&events, id, RunStatus::FailedToStart(e), started).await,
    };
    let (std_cmd, pipes) = match launch::command(&spec.launch(false)) {
        Ok(c) => c,
        Err(e) => {
            return finish(
                &events,
                id,
                RunStatus::FailedToStart(e.to_string()),
                started,
            )
            .await;
        }
    };
    let mut cmd = tokio::process::Command::from(std_cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Not killed on drop: a SIGKILLed supervisor could not kill what the step left. Dropping
    // the run closes `life`, and the supervisor kills the whole tree itself.
    let spawned = cmd.spawn();
    let launch::Pipes {
        life,
        report,
        theirs,
    } = pipes;
    drop(theirs);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return finish(
                &events,
                id,
                RunStatus::FailedToStart(e.to_string()),
                started,
            )
            .await;
        }
    };
    let pid = child.id().unwrap_or(0);
    let pgid = pid as i32;
    let _ = events.send(RunEvent::Started { id, pid }).await;
    if let Some(n) = note {
        let line = format!("opsdeck: {n}");
        let _ = events
            .send(RunEvent::Output {
                id,
                stream: Stream::Stderr,
                line,
            })
            .await;
    }
    let redactor = Redactor::new(spec.secrets.iter().cloned());
    let hide = spec.hide_output.is_some();
    let out = tokio::spawn(pump(
        child.stdout.take(),
        Stream::Stdout,
        id,
        events.clone(),
        redactor.clone(),
        hide,
    ));
    let err = tokio::spawn(pump(
        child.stderr.take(),
        Stream::Stderr,
        id,
        events.clone(),
        redactor,
        hide,
    ));
    let deadline = spec.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut stopped: Option<RunStatus> = None;
    let exit = tokio::select! {
        s = child.wait() => s.ok(),
        r = &mut cancel => {
            stopped = Some(RunStatus::Cancelled(r.unwrap_or(CancelReason::Operator)));
            None
        }
        _ = async { match deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => {
            stopped = Some(RunStatus::TimedOut);
            None
        }
    };
    let status = match (exit, stopped) {
        (Some(s), _) => exit_status(s),
        (None, Some(reason)) => {
            // Ctrl-C semantics first, then insist.
            for sig in [Sig::INT, Sig::TERM] {
                signal_group(pgid, sig);
                if tokio::time::timeout(spec.grace, child.wait()).await.is_ok()
                    && !group_alive(pgid)
                {
                    break;
                }
            }
            // The supervisor kills the whole tree (what left the group too), then ends.
            kill_tree(pgid);
            if tokio::time::timeout(Duration::from_secs(5), child.wait())
                .await
                .is_err()
            {
                signal_group(pgid, Sig::KILL);
                let _ = child.wait().await;
            }
            reason
        }
        (None, None) => RunStatus::FailedToStart("lost the child process".into()),
    };
    // The supervisor killed what the step left; nothing of its group may survive either.
    if group_alive(pgid) {
        signal_group(pgid, Sig::KILL);
    }
    drop(life);
    let report = tokio::task::spawn_blocking(move || launch::read_report(report))
        .await
        .ok()
        .flatten();
    let (status, left) = if matches!(status, RunStatus::Cancelled(_) | RunStatus::TimedOut) {
        (status, None)
    } else {
        reported(status, report)
    };
    if let Some(line) = left {
        let _ = events
            .send(RunEvent::Output {
                id,
                stream: Stream::Stderr,
                line,
            })
            .await;
    }
    // Readers end when every holder of the pipes is gone.
    let hidden = tokio::time::timeout(Duration::from_secs(2), async {
        out.await.unwrap_or(0) + err.await.unwrap_or(0)
    })
    .await
    .unwrap_or(0);
    if let Some(cmd) = &spec.hide_output {
        let line = format!(
            "opsdeck: {hidden} lines of output hidden: `{}` prints secrets by design",
            crate::sanitize::sanitize(&Redactor::new(spec.secrets.iter().cloned()).scrub(cmd))
        );
        let _ = events
            .send(RunEvent::Output {
                id,
                stream: Stream::Stderr,
                line,
            })
            .await;
    }
    finish(&events, id, status, started).await
}

/// Runs an interactive step on the caller's terminal (which the caller has handed over):
/// the step's group becomes the terminal's foreground group until it exits. `stop` is
/// polled while it runs: a signal that ends opsdeck ends the step first.
pub fn run_interactive(spec: &RunSpec, stop: &dyn Fn() -> Option<Signal>) -> RunStatus {
    let (mut cmd, pipes) = match launch::command(&spec.launch(true)) {
        Ok(c) => c,
        Err(e) => return RunStatus::FailedToStart(e.to_string()),
    };
    let spawned = cmd.spawn();
    let launch::Pipes {
        life,
        report,
        theirs,
    } = pipes;
    drop(theirs);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return RunStatus::FailedToStart(e.to_string()),
    };
    let pgid = child.id() as i32;
    launch::give_terminal(Some(pgid));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break exit_status(s),
            Ok(None) => {}
            Err(e) => break RunStatus::FailedToStart(e.to_string()),
        }
        if let Some(sig) = stop() {
            signal_group(pgid, Sig::TERM);
            std::thread::sleep(spec.grace.min(Duration::from_secs(3)));
            kill_tree(pgid);
            let _ = child.wait();
            break RunStatus::Cancelled(CancelReason::Signal(sig));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if group_alive(pgid) {
        signal_group(pgid, Sig::KILL);
    }
    launch::give_terminal(None);
    drop(life);
    match status {
        RunStatus::Cancelled(_) => status,
        _ => reported(status, launch::read_report(report)).0,
    }
}

async fn finish(
    events: &mpsc::Sender<RunEvent>,
    id: u64,
    status: RunStatus,
    started: Instant,
) -> RunStatus {
    let _ = events
        .send(RunEvent::Finished {
            id,
            status: status.clone(),
            elapsed: started.elapsed(),
        })
        .await;
    status
}

/// How a finished process ended.
pub fn exit_status(s: std::process::ExitStatus) -> RunStatus {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => RunStatus::Exited(c),
        (None, Some(sig)) => RunStatus::Signalled(sig),
        _ => RunStatus::Exited(-1),
    }
}

/// Reads a pipe line by line (bytes, so binary output cannot break it), cleans each line and
/// forwards it; past [`MAX_LINES`] lines are counted, not kept. With `hide`, every line is
/// counted and none forwarded. The number of lines hidden.
async fn pump<R: AsyncRead + Unpin>(
    pipe: Option<R>,
    stream: Stream,
    id: u64,
    events: mpsc::Sender<RunEvent>,
    mut redactor: Redactor,
    hide: bool,
) -> usize {
    let Some(pipe) = pipe else { return 0 };
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::with_capacity(256);
    let mut lines = 0usize;
    let mut dropped = 0usize;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        lines += 1;
        if hide {
            continue;
        }
        if lines > MAX_LINES {
            dropped += 1;
            continue;
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        let cut = buf.len() > MAX_LINE_BYTES;
        buf.truncate(MAX_LINE_BYTES);
        let mut line = redactor.line(&sanitize::sanitize_owned(
            String::from_utf8_lossy(&buf).into_owned(),
        ));
        if cut {
            line.push_str(" …[line cut]");
        }
        if events
            .send(RunEvent::Output { id, stream, line })
            .await
            .is_err()
        {
            break;
        }
    }
    if dropped > 0 {
        let _ = events
            .send(RunEvent::Truncated {
                id,
                stream,
                dropped,
            })
            .await;
    }
    if hide { lines } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(script: &str) -> RunSpec {
        RunSpec {
            id: 1,
            script: script.into(),
            env: BTreeMap::new(),
            env_remove: Vec::new(),
            timeout: None,
            grace: Duration::from_millis(300),
            secrets: Vec::new(),
            boxed: false,
            sandbox: Default::default(),
            hide_output: None,
        }
    }

    async fn collect(mut rx: mpsc::Receiver<RunEvent>) -> Vec<RunEvent> {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    }

    async fn run_to_end(s: RunSpec) -> (RunStatus, Vec<RunEvent>) {
        let (tx, rx) = mpsc::channel(64);
        let h = spawn(s, tx);
        let events = tokio::spawn(collect(rx));
        let status = h.task.await.unwrap();
        (status, events.await.unwrap())
    }

    fn lines(ev: &[RunEvent], want: Stream) -> Vec<String> {
        ev.iter()
            .filter_map(|e| match e {
                RunEvent::Output { stream, line, .. } if *stream == want => Some(line.clone()),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn exit_codes_and_streams() {
        let (st, ev) = run_to_end(spec("echo out; echo err >&2; exit 3")).await;
        assert_eq!(st, RunStatus::Exited(3));
        assert_eq!(lines(&ev, Stream::Stdout), ["out"]);
        assert_eq!(lines(&ev, Stream::Stderr), ["err"]);
        // set -euo pipefail: a failing pipeline stage fails the command.
        let (st, _) = run_to_end(spec("false | true; echo unreachable")).await;
        assert_eq!(st, RunStatus::Exited(1));
        let (st, _) = run_to_end(spec("echo $UNSET_VARIABLE_X")).await;
        assert_eq!(st, RunStatus::Exited(1), "set -u");
    }

    #[tokio::test]
    async fn env_values_are_data() {
        let mut s = spec("printf '%s' \"$V\"");
        s.env.insert("V".into(), "$(echo pwned); `id`".into());
        let (st, ev) = run_to_end(s).await;
        assert!(st.success());
        assert_eq!(lines(&ev, Stream::Stdout), ["$(echo pwned); `id`"]);
    }

    #[tokio::test]
    async fn cancel_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pids");
        // A child that ignores SIGINT and SIGTERM, in the background, plus the shell waiting.
        let script = format!(
            "(trap '' INT TERM; sleep 300) & echo $! > {p}; sleep 300 & echo $! >> {p}; echo ready; wait",
            p = pidfile.display()
        );
        let (tx, mut rx) = mpsc::channel(64);
        let mut h = spawn(spec(&script), tx);
        while let Some(e) = rx.recv().await {
            if matches!(&e, RunEvent::Output { line, .. } if line == "ready") {
                break;
            }
        }
        h.cancel(CancelReason::Operator);
        let st = h.task.await.unwrap();
        assert_eq!(st, RunStatus::Cancelled(CancelReason::Operator));
        let pids = std::fs::read_to_string(&pidfile).unwrap();
        for pid in pids.split_whitespace() {
            // A killed process may linger as a zombie until init reaps it: that is dead.
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit(')')
                        .next()
                        .and_then(|r| r.split_whitespace().next())
                        .map(str::to_string)
                });
            assert!(
                matches!(state.as_deref(), None | Some("Z") | Some("X")),
                "process {pid} survived the cancel: state {state:?}"
            );
        }
    }

    #[tokio::test]
    async fn timeout_has_its_own_status() {
        let mut s = spec("sleep 30");
        s.timeout = Some(Duration::from_millis(200));
        let (st, ev) = run_to_end(s).await;
        assert_eq!(st, RunStatus::TimedOut);
        assert!(matches!(
            ev.last(),
            Some(RunEvent::Finished {
                status: RunStatus::TimedOut,
                ..
            })
        ));
        assert_eq!(st.code(), 124);
    }

    #[tokio::test]
    async fn huge_and_binary_output_is_bounded_and_safe() {
        let (st, ev) = run_to_end(spec(
            "seq 1 25000; head -c 20000 /dev/urandom; printf '\\033]0;title\\007\\033[2Jclean\\n'",
        ))
        .await;
        assert!(st.success());
        let out = lines(&ev, Stream::Stdout);
        assert_eq!(out.len(), MAX_LINES);
        assert!(
            ev.iter()
                .any(|e| matches!(e, RunEvent::Truncated { dropped, .. } if *dropped > 15_000))
        );
        for l in &out {
            assert!(
                !l.chars()
                    .any(|c| (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32))),
                "control char in {l:?}"
            );
            assert!(l.len() <= MAX_LINE_BYTES * 3 + 32);
        }
        let (_, ev) = run_to_end(spec(
            "printf '\\033]0;title\\007\\033[2Jclean password=hunter2\\n'",
        ))
        .await;
        assert_eq!(lines(&ev, Stream::Stdout), ["clean password=••••••"]);
    }

    #[tokio::test]
    async fn missing_shell_command_fails_cleanly() {
        let (st, ev) = run_to_end(spec("definitely-not-a-command-xyz")).await;
        assert_eq!(st, RunStatus::Exited(127));
        assert!(lines(&ev, Stream::Stderr)[0].contains("command not found"));
    }
}

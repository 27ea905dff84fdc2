//! The one launcher of runbook steps: `bash --noprofile --norc -c` with `set -euo pipefail`,
//! values as environment variables, in a process group of its own, and tied to opsdeck's
//! life so no step outlives it, however opsdeck ends:
//!
//! - the shell gets `PR_SET_PDEATHSIG` = SIGKILL (Linux): it dies the moment opsdeck does;
//! - a **watchdog** process (outside both groups, ignoring INT/TERM/HUP) holds the read end
//!   of a pipe whose only writer is opsdeck. When opsdeck ends for any reason — even
//!   SIGKILL — the kernel closes the write end, the watchdog reads end-of-file and kills the
//!   step's whole process group (the shell's children too, which PDEATHSIG does not reach).
//!   On a normal end opsdeck writes `done` first and the watchdog leaves quietly. This works
//!   the same on macOS, which has no PDEATHSIG.
//!
//! A step that leaves its process group on purpose (`setsid`, a daemon that double-forks into
//! a new session) escapes both; the classifier rates `setsid` unknown.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::{Command, Stdio};

/// Variables removed from every step's environment: they make bash or the AWS tools read
/// files the runbook does not name.
pub const REMOVED: &[&str] = &[
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PROMPT_COMMAND",
    "CDPATH",
];

/// What the launcher needs of a step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Launch {
    pub script: String,
    pub env: BTreeMap<String, String>,
    /// Inherited variables to drop (the operator's credentials under a read-only role).
    pub env_remove: Vec<String>,
    /// Takes the terminal: the step becomes the terminal's foreground process group.
    pub interactive: bool,
}

/// `bash` for `launch`: every setting but the standard streams.
pub fn command(launch: &Launch) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("bash");
    cmd.arg("--noprofile")
        .arg("--norc")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{}", launch.script));
    for k in REMOVED
        .iter()
        .copied()
        .chain(launch.env_remove.iter().map(String::as_str))
    {
        cmd.env_remove(k);
    }
    cmd.envs(&launch.env);
    cmd.process_group(0);
    let parent = std::process::id() as libc::pid_t;
    let interactive = launch.interactive;
    // SAFETY: runs in the child between fork and exec, calling only async-signal-safe
    // functions (prctl, getppid, getpid, signal, tcsetpgrp) and allocating nothing.
    unsafe {
        cmd.pre_exec(move || {
            #[cfg(target_os = "linux")]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // opsdeck died before prctl took effect: do not start orphaned.
                if libc::getppid() != parent {
                    libc::_exit(137);
                }
            }
            #[cfg(not(target_os = "linux"))]
            let _ = parent;
            if interactive {
                // Become the terminal's foreground group (as a job-control shell does), so
                // keys and Ctrl-C reach the step, not opsdeck. Ctrl-Z would stop the step
                // with nobody to continue it: ignored.
                libc::signal(libc::SIGTTOU, libc::SIG_IGN);
                libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpid());
                libc::signal(libc::SIGTTOU, libc::SIG_DFL);
                libc::signal(libc::SIGTSTP, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    cmd
}

/// Gives the terminal to process group `pgid` (or back to opsdeck's own with `None`).
pub fn give_terminal(pgid: Option<libc::pid_t>) {
    // SAFETY: plain syscalls on the standard input descriptor; SIGTTOU is ignored around
    // tcsetpgrp so a background caller is not stopped, and the previous disposition is put
    // back.
    unsafe {
        let previous = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
        let target = pgid.unwrap_or_else(|| libc::getpgrp());
        libc::tcsetpgrp(libc::STDIN_FILENO, target);
        libc::signal(libc::SIGTTOU, previous);
    }
}

/// Kills a step's process group if opsdeck goes away; see the module documentation.
pub struct Watchdog {
    pipe: Option<std::fs::File>,
    child: Option<std::process::Child>,
}

impl Watchdog {
    /// Starts the watchdog of process group `pgid`.
    pub fn start(pgid: libc::pid_t) -> io::Result<Watchdog> {
        use std::os::fd::{FromRawFd, OwnedFd};
        use std::os::unix::process::CommandExt;
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe2 fills two descriptors we then own; O_CLOEXEC keeps the write end out
        // of every other child opsdeck starts.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just created by pipe2 and are owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let child = Command::new("bash")
            .arg("--noprofile")
            .arg("--norc")
            .arg("-c")
            .arg(
                "trap '' INT TERM HUP QUIT TSTP; IFS= read -r x; \
                 [ \"$x\" = done ] || kill -KILL -- \"-$1\" 2>/dev/null; exit 0",
            )
            .arg("opsdeck-watchdog")
            .arg(pgid.to_string())
            .env_remove("BASH_ENV")
            .env_remove("ENV")
            .stdin(Stdio::from(read))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        Ok(Watchdog {
            pipe: Some(std::fs::File::from(write)),
            child: Some(child),
        })
    }

    /// The step ended normally and its group is clean: the watchdog leaves without killing.
    pub fn release(mut self) {
        if let Some(mut p) = self.pipe.take() {
            let _ = p.write_all(b"done\n");
        }
        self.reap();
    }

    fn reap(&mut self) {
        drop(self.pipe.take());
        if let Some(mut child) = self.child.take() {
            // It exits at once now that its input is closed; wait off the caller's thread.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
    }
}

impl Drop for Watchdog {
    /// Dropped without `release` (a cancel, an error): the watchdog kills what is left.
    fn drop(&mut self) {
        self.reap();
    }
}

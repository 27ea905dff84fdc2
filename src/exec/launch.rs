//! The one launcher of runbook steps: `bash --noprofile --norc -c` with `set -euo pipefail`,
//! values as environment variables, under the supervisor (`opsdeck sandbox --launched`, see
//! `crate::sandbox`), in a process group of its own (the supervisor's), and tied to opsdeck's
//! life so nothing a step starts outlives it, however opsdeck ends:
//!
//! - the supervisor is a child subreaper: what the step leaves running when its shell exits
//!   (`&`, `nohup`, `setsid`, double forks) is reparented to it and killed, and counted;
//! - it holds the read end of a pipe whose only writer is opsdeck: when opsdeck ends for any
//!   reason — even SIGKILL — the kernel closes the write end and the supervisor kills the
//!   whole tree; the shell also gets `PR_SET_PDEATHSIG` = SIGKILL from it;
//! - a read-only step, a watch or a verification (`boxed`) runs in the box: Landlock,
//!   no_new_privs, no capabilities, seccomp, read-only AWS credentials.

use std::collections::BTreeMap;
use std::io;
use std::process::Command;

/// Variables removed from every step's environment (the supervisor's list: it removes them
/// too, for `opsdeck sandbox` used by hand).
pub use crate::sandbox::REMOVED;

/// What the launcher needs of a step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Launch {
    pub script: String,
    pub env: BTreeMap<String, String>,
    /// Inherited variables to drop (the operator's credentials under a read-only role).
    pub env_remove: Vec<String>,
    /// Takes the terminal: the step becomes the terminal's foreground process group.
    pub interactive: bool,
    /// In the read-only box (read-only mode, watches, verifications).
    pub boxed: bool,
    /// `[sandbox]`: ports and whether an unenforced box may run.
    pub sandbox: crate::sandbox::Settings,
}

/// The supervisor's pipes, opsdeck's ends: `life` is never written (closing it, even by
/// dying, tells the supervisor to kill the step's tree); `report` brings its last word.
pub struct Pipes {
    pub life: std::fs::File,
    pub report: std::fs::File,
    /// The supervisor's ends, to close in opsdeck once it has started.
    pub theirs: Vec<std::os::fd::OwnedFd>,
}

fn pipe() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two descriptors we then own; O_CLOEXEC keeps both out of every
    // other child opsdeck starts (the supervisor's ends are opened up for it alone).
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created by pipe2 and are owned by nobody else.
    Ok(unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    })
}

/// The supervisor running `bash` for `launch`: every setting but the standard streams.
pub fn command(launch: &Launch) -> io::Result<(Command, Pipes)> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let (life_r, life_w) = pipe()?;
    let (report_r, report_w) = pipe()?;
    let opts = crate::sandbox::LaunchOptions {
        boxed: launch.boxed,
        settings: launch.sandbox.clone(),
        interactive: launch.interactive,
        keep_env: launch.env.keys().cloned().collect(),
    };
    let (lfd, rfd) = (life_r.as_raw_fd(), report_w.as_raw_fd());
    let mut cmd = Command::new(crate::sandbox::exe());
    cmd.args(opts.args(lfd, rfd))
        .arg("--")
        .arg("bash")
        .arg("--noprofile")
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
    // SAFETY: runs in the child between fork and exec, calling only fcntl on two integer
    // descriptors: they stay open across exec for the supervisor alone.
    unsafe {
        cmd.pre_exec(move || {
            for fd in [lfd, rfd] {
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    Ok((
        cmd,
        Pipes {
            life: std::fs::File::from(life_w),
            report: std::fs::File::from(report_r),
            theirs: vec![life_r, report_w],
        },
    ))
}

/// The supervisor's last word: read once it has exited (its end is closed then).
pub fn read_report(mut report: std::fs::File) -> Option<crate::sandbox::Report> {
    use std::io::Read;
    let mut s = String::new();
    report.read_to_string(&mut s).ok()?;
    serde_json::from_str(s.trim()).ok()
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

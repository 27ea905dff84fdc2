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

/// A pipe whose ends are close-on-exec: out of every other child opsdeck starts (the
/// supervisor's ends are opened up for it alone).
fn pipe() -> io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(io::Error::from)
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
    // They stay open across exec for the supervisor alone.
    crate::sys::keep_open_across_exec(&mut cmd, [lfd, rfd]);
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

pub use crate::sys::give_terminal;

//! The supervisor: the process between opsdeck and a step's shell. It is a child subreaper,
//! so whatever the step leaves behind (`&`, `nohup`, `setsid`, `timeout`'s own group, double
//! forks) is reparented to it; when the step's command exits it kills all of that and says
//! how many; when opsdeck goes away (its life pipe closes, or SIGUSR1) it kills the whole
//! tree. In box mode the command enters the box first (see [`crate::sys::enter_box`] and
//! [`super::kernel`]).

use crate::sys;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// How the supervised command ended, and what it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Shell-style exit code.
    pub code: i32,
    /// Processes still running when the command ended, killed.
    pub left_running: usize,
    /// The tree was killed because opsdeck went away or asked.
    pub killed: bool,
}

/// What to start and how.
pub struct Plan {
    pub argv: Vec<String>,
    pub env_set: BTreeMap<String, String>,
    pub env_remove: Vec<String>,
    /// Landlock, prepared; `None`: not boxed (or no Landlock).
    pub ruleset: Option<landlock::RulesetCreated>,
    /// no_new_privs, capabilities and seccomp: `None` when not boxed.
    pub entry: Option<sys::BoxEntry>,
    pub interactive: bool,
    /// Closes (end of file) when opsdeck ends: then the tree is killed.
    pub life_fd: Option<sys::libc::c_int>,
}

/// Every process below this one: pid → state letter.
fn descendants() -> BTreeMap<sys::libc::pid_t, char> {
    let me = sys::getpid();
    let mut parent: Vec<(sys::libc::pid_t, sys::libc::pid_t, char)> = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // pid (comm) state ppid …: comm may hold anything, the last ')' ends it.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            let mut it = rest.split_whitespace();
            let state = it.next().and_then(|s| s.chars().next()).unwrap_or('?');
            let Some(ppid) = it.next().and_then(|s| s.parse().ok()) else {
                continue;
            };
            parent.push((pid, ppid, state));
        }
    }
    let mut out = BTreeMap::new();
    let mut frontier = vec![me];
    while let Some(p) = frontier.pop() {
        for (pid, ppid, state) in &parent {
            if *ppid == p && !out.contains_key(pid) {
                out.insert(*pid, *state);
                frontier.push(*pid);
            }
        }
    }
    out
}

/// Kills every descendant until none is left (those that fork while dying come back here
/// as orphans and are killed in the next round); the number of live processes killed.
pub fn kill_tree() -> usize {
    let mut killed = BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        while sys::reap_any().is_some() {}
        let d = descendants();
        if d.is_empty() || std::time::Instant::now() > deadline {
            break;
        }
        for (pid, state) in &d {
            if *state != 'Z' && *state != 'X' {
                // Stopped first would race with a fork; SIGKILL cannot be caught or ignored.
                if sys::kill(*pid, sys::libc::SIGKILL) {
                    killed.insert(*pid);
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    killed.len()
}

/// Starts the command and supervises it to its end.
pub fn run(mut plan: Plan) -> std::io::Result<Outcome> {
    sys::become_subreaper()?;
    let sig_fd = sys::signal_pipe()?;
    if let Some(fd) = plan.life_fd {
        sys::set_cloexec(fd);
    }
    let Some((program, args)) = plan.argv.split_first() else {
        return Err(std::io::Error::other("no command to run"));
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    for k in &plan.env_remove {
        cmd.env_remove(k);
    }
    cmd.envs(&plan.env_set);
    sys::prepare_child(
        &mut cmd,
        sys::ChildSetup {
            parent: sys::getpid(),
            interactive: plan.interactive,
            entry: plan.entry.take(),
            ruleset: plan.ruleset.take(),
        },
    );
    let child = cmd.spawn()?;
    let child_pid = child.id() as sys::libc::pid_t;
    // Reaped below with waitpid(-1): the handle is not used again.
    std::mem::forget(child);
    let mut fds = vec![sig_fd];
    if let Some(fd) = plan.life_fd {
        fds.push(fd);
    }
    let mut code = None;
    let mut killed = false;
    while code.is_none() && !killed {
        let ready = sys::poll_readable(&fds, 1000);
        if ready.first() == Some(&true) {
            for sig in sys::drain(sig_fd) {
                match sig as i32 {
                    sys::libc::SIGUSR1 => killed = true,
                    // Told to end (not through the group): the command is told too.
                    sys::libc::SIGTERM | sys::libc::SIGHUP => {
                        sys::kill(child_pid, sig as i32);
                    }
                    // SIGINT reaches the whole group (Ctrl-C, opsdeck's cancel): the
                    // command has it already.
                    _ => {}
                }
            }
        }
        if ready.get(1) == Some(&true) {
            // opsdeck never writes to it: readable means its end closed, opsdeck is gone.
            killed = true;
        }
        while let Some((pid, status)) = sys::reap_any() {
            if pid == child_pid {
                code = Some(sys::exit_code(status));
            }
        }
    }
    let left_running = kill_tree();
    Ok(Outcome {
        code: code.unwrap_or(137),
        left_running: if killed { 0 } else { left_running },
        killed,
    })
}

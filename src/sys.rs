//! Every `unsafe` in opsdeck, in this one file (the architecture test checks it): the system
//! calls of the box and its supervisor, the code that runs between `fork` and `exec`, and
//! the few calls neither the standard library nor `rustix` offers safely (a signal
//! disposition, the passwd entry, a descriptor number handed over on the command line).
//! Why each is safe is said where it is. Linux only; the callers fall back elsewhere.
//! Elsewhere, system calls go through `rustix`'s safe API.
//!
//! What runs between `fork` and `exec` (see [`enter_box`]) calls only async-signal-safe
//! system calls and allocates nothing: the supervisor may have had threads before it forked.

pub use libc;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// What the supervisor's child does between `fork` and `exec`, in this order: default
/// signal dispositions, die with the supervisor, take the terminal (interactive steps),
/// enter the box (no_new_privs, capabilities, seccomp), then Landlock.
pub struct ChildSetup {
    pub parent: libc::pid_t,
    pub interactive: bool,
    pub entry: Option<BoxEntry>,
    pub ruleset: Option<landlock::RulesetCreated>,
}

/// Arranges `setup` to run in the child `cmd` forks, before it execs.
pub fn prepare_child(cmd: &mut Command, setup: ChildSetup) {
    let ChildSetup {
        parent,
        interactive,
        entry,
        mut ruleset,
    } = setup;
    // SAFETY: the closure runs in the child between fork and exec and makes only system
    // calls (see each function); `restrict_self` makes two system calls and builds its
    // status without allocating. Nothing it touches is shared with another thread.
    unsafe {
        cmd.pre_exec(move || {
            default_signals();
            die_with_parent(parent)?;
            if interactive {
                take_terminal();
            }
            if let Some(e) = &entry {
                enter_box(e)?;
            }
            if let Some(rs) = ruleset.take() {
                rs.restrict_self()
                    .map_err(|_| io::Error::from_raw_os_error(libc::EPERM))?;
            }
            Ok(())
        });
    }
}

/// Keeps `fds` (opened close-on-exec) open across `cmd`'s exec, for that child alone.
pub fn keep_open_across_exec(cmd: &mut Command, fds: [libc::c_int; 2]) {
    // SAFETY: runs in the child between fork and exec, calling only fcntl(2) on two integer
    // descriptors; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            for fd in fds {
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// The descriptor opsdeck's launcher handed the supervisor by number (`--report-fd`), owned
/// from now on and closed when the file is dropped.
pub fn file_from_launcher_fd(fd: libc::c_int) -> std::fs::File {
    use std::os::fd::FromRawFd;
    // SAFETY: the launcher opened this descriptor for this purpose alone and passed only its
    // number; nothing else in this process owns it.
    unsafe { std::fs::File::from_raw_fd(fd) }
}

/// Gives the terminal to process group `pgid` (or back to opsdeck's own with `None`).
pub fn give_terminal(pgid: Option<libc::pid_t>) {
    // SAFETY: plain system calls on the standard input descriptor; SIGTTOU is ignored around
    // tcsetpgrp so a background caller is not stopped, and the previous disposition is put
    // back.
    unsafe {
        let previous = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
        let target = pgid.unwrap_or_else(|| libc::getpgrp());
        libc::tcsetpgrp(libc::STDIN_FILENO, target);
        libc::signal(libc::SIGTTOU, previous);
    }
}

/// The account name of the effective uid (when no USER/LOGNAME is set: cron, sudo -i…).
pub fn user_name() -> String {
    // SAFETY: getpwuid returns a pointer to static storage or null; the name is copied out
    // before any other call that could overwrite it.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return format!("uid{}", libc::geteuid());
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

/// The Landlock ABI the kernel offers (0: none).
pub fn landlock_abi() -> i32 {
    // SAFETY: landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) only returns
    // the ABI version (or -1 with ENOSYS/EOPNOTSUPP); it reads and writes no memory.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    if v < 0 { 0 } else { v as i32 }
}

/// Is this process running with capabilities (as root usually is)?
pub fn has_capabilities() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .map(|v| v.trim().trim_start_matches('0').to_string())
        })
        .is_some_and(|v| !v.is_empty())
}

/// Orphans of this process's descendants are reparented here, not to init.
pub fn become_subreaper() -> io::Result<()> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The highest capability number the kernel knows.
fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// A seccomp filter for what Landlock does not govern (ABI 7): `socket(AF_UNIX)` (connecting
/// to the operator's tmux, docker or D-Bus sockets: Landlock only scopes abstract ones before
/// ABI 9), metadata changes (`chmod`, `chown`, `utimensat`, extended attributes: Landlock
/// only governs content and names, and the owner may chmod its own files, root its
/// `/etc/shadow`), `io_uring_setup` (io_uring operations pass seccomp by), `ioctl(TIOCSTI)`
/// (typing into the operator's terminal) and other ABIs' system calls: refused with EPERM.
pub struct Filter {
    prog: Vec<libc::sock_filter>,
}

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// `fchmodat2` (Linux 6.6): not in every libc's list yet.
const SYS_FCHMODAT2: libc::c_long = 452;

/// System calls refused outright.
fn denied() -> Vec<libc::c_long> {
    let mut v = vec![
        libc::SYS_fchmod,
        libc::SYS_fchmodat,
        SYS_FCHMODAT2,
        libc::SYS_fchown,
        libc::SYS_fchownat,
        libc::SYS_utimensat,
        libc::SYS_setxattr,
        libc::SYS_lsetxattr,
        libc::SYS_fsetxattr,
        libc::SYS_removexattr,
        libc::SYS_lremovexattr,
        libc::SYS_fremovexattr,
        libc::SYS_io_uring_setup,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([
        libc::SYS_chmod,
        libc::SYS_chown,
        libc::SYS_lchown,
        libc::SYS_utime,
        libc::SYS_utimes,
        libc::SYS_futimesat,
    ]);
    v
}

impl Filter {
    pub fn new() -> Filter {
        const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
        const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
        const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
        const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
        let st = |code: u16, k: u32| libc::sock_filter {
            code,
            jt: 0,
            jf: 0,
            k,
        };
        let allow = libc::SECCOMP_RET_ALLOW;
        let deny = libc::SECCOMP_RET_ERRNO | (libc::EPERM as u32);
        // Jumps are relative: each is written with its target's index and resolved below.
        enum J {
            Deny,
            Socket,
            Ioctl,
            Next,
        }
        let mut ops: Vec<(libc::sock_filter, J, J)> = Vec::new();
        // struct seccomp_data: nr at 0, arch at 4, args at 16 (8 bytes each, low half first
        // on these little-endian targets).
        ops.push((st(LD_W_ABS, 4), J::Next, J::Next));
        ops.push((st(JEQ_K, AUDIT_ARCH), J::Next, J::Deny));
        ops.push((st(LD_W_ABS, 0), J::Next, J::Next));
        // x32 system calls on x86_64 (bit 30) are another ABI: refused.
        ops.push((st(JGE_K, 0x4000_0000), J::Deny, J::Next));
        for nr in denied() {
            ops.push((st(JEQ_K, nr as u32), J::Deny, J::Next));
        }
        ops.push((st(JEQ_K, libc::SYS_socket as u32), J::Socket, J::Next));
        ops.push((st(JEQ_K, libc::SYS_ioctl as u32), J::Ioctl, J::Next));
        ops.push((st(RET_K, allow), J::Next, J::Next));
        let socket_at = ops.len();
        ops.push((st(LD_W_ABS, 16), J::Next, J::Next));
        ops.push((st(JEQ_K, libc::AF_UNIX as u32), J::Deny, J::Next));
        ops.push((st(RET_K, allow), J::Next, J::Next));
        let ioctl_at = ops.len();
        ops.push((st(LD_W_ABS, 24), J::Next, J::Next));
        ops.push((st(JEQ_K, libc::TIOCSTI as u32), J::Deny, J::Next));
        ops.push((st(RET_K, allow), J::Next, J::Next));
        let deny_at = ops.len();
        ops.push((st(RET_K, deny), J::Next, J::Next));
        let to = |from: usize, j: &J| -> u8 {
            let target = match j {
                J::Deny => deny_at,
                J::Socket => socket_at,
                J::Ioctl => ioctl_at,
                J::Next => from + 1,
            };
            // Every target is ahead and the program is short (well under 255 steps).
            (target - from - 1) as u8
        };
        let prog = ops
            .iter()
            .enumerate()
            .map(|(i, (f, jt, jf))| {
                let is_jump = f.code & 0x07 == libc::BPF_JMP as u16;
                libc::sock_filter {
                    jt: if is_jump { to(i, jt) } else { 0 },
                    jf: if is_jump { to(i, jf) } else { 0 },
                    ..*f
                }
            })
            .collect();
        Filter { prog }
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter::new()
    }
}

/// What [`enter_box`] applies, prepared before `fork`.
pub struct BoxEntry {
    pub drop_caps: bool,
    pub filter: Filter,
    pub last_cap: u32,
}

impl BoxEntry {
    pub fn new() -> BoxEntry {
        BoxEntry {
            drop_caps: true,
            filter: Filter::new(),
            last_cap: last_cap(),
        }
    }
}

impl Default for BoxEntry {
    fn default() -> Self {
        BoxEntry::new()
    }
}

/// In the child, between fork and exec: no new privileges, every capability dropped (the
/// bounding set, ambient, effective, permitted, inheritable) and the seccomp filter. Landlock
/// comes after (its own call), as it needs no_new_privs and must not stop these calls.
///
/// Only system calls, no allocation: see the module documentation.
pub fn enter_box(e: &BoxEntry) -> io::Result<()> {
    // SAFETY: prctl, capset and seccomp with pointers to memory owned by `e` or this stack
    // frame, which outlive the calls.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        if e.drop_caps {
            for cap in 0..=e.last_cap {
                // EINVAL for a number the kernel does not know: nothing to drop.
                libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0);
            }
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
                0,
                0,
                0,
            );
            let mut header = CapHeader {
                version: LINUX_CAPABILITY_VERSION_3,
                pid: 0,
            };
            let data = [CapData {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            }; 2];
            if libc::syscall(
                libc::SYS_capset,
                &mut header as *mut CapHeader,
                data.as_ptr(),
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        let prog = libc::sock_fprog {
            len: e.filter.prog.len() as u16,
            filter: e.filter.prog.as_ptr() as *mut libc::sock_filter,
        };
        if libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &prog as *const libc::sock_fprog,
            0,
            0,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Dies with SIGKILL when the process that started it does: set in the child before exec.
pub fn die_with_parent(parent: libc::pid_t) -> io::Result<()> {
    // SAFETY: prctl and getppid take and return integers only; _exit never returns.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::getppid() != parent {
            libc::_exit(137);
        }
    }
    Ok(())
}

/// The interactive step takes the terminal (see `exec::launch`).
pub fn take_terminal() {
    // SAFETY: signal and tcsetpgrp on the standard input descriptor; integers only.
    unsafe {
        libc::signal(libc::SIGTTOU, libc::SIG_IGN);
        libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpgrp());
        libc::signal(libc::SIGTTOU, libc::SIG_DFL);
        libc::signal(libc::SIGTSTP, libc::SIG_IGN);
    }
}

/// Signals the supervisor waits for, delivered through a pipe it polls (the self-pipe trick).
static mut SIGNAL_PIPE: libc::c_int = -1;

extern "C" fn on_signal(sig: libc::c_int) {
    let b = sig as u8;
    // SAFETY: write(2) is async-signal-safe; SIGNAL_PIPE is set once before any handler is
    // installed and never changed after.
    unsafe {
        let fd = SIGNAL_PIPE;
        libc::write(fd, &b as *const u8 as *const libc::c_void, 1);
    }
}

/// The supervisor's signals: CHLD, TERM, HUP, USR1 and INT arrive as bytes on the returned
/// descriptor; QUIT and TSTP are ignored.
pub fn signal_pipe() -> io::Result<libc::c_int> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors; handlers are installed after SIGNAL_PIPE is set
    // (single-threaded here: the supervisor installs them before starting the step).
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) != 0 {
            return Err(io::Error::last_os_error());
        }
        SIGNAL_PIPE = fds[1];
        for sig in [
            libc::SIGCHLD,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGUSR1,
            libc::SIGINT,
        ] {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART | libc::SA_NOCLDSTOP;
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
        libc::signal(libc::SIGTSTP, libc::SIG_IGN);
    }
    Ok(fds[0])
}

/// Puts back the default dispositions in a child (before exec), so the step sees SIGINT and
/// SIGTERM as a shell would.
pub fn default_signals() {
    // SAFETY: signal(2) with default dispositions; async-signal-safe.
    unsafe {
        for sig in [
            libc::SIGCHLD,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGUSR1,
            libc::SIGINT,
            libc::SIGQUIT,
        ] {
            libc::signal(sig, libc::SIG_DFL);
        }
    }
}

/// Waits until one of `fds` is readable or `timeout_ms` passes; which are readable.
pub fn poll_readable(fds: &[libc::c_int], timeout_ms: i32) -> Vec<bool> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: poll over a vector we own, with its true length.
    unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, timeout_ms) };
    p.iter()
        .map(|x| x.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0)
        .collect()
}

/// Reads and discards what is waiting on a non-blocking descriptor; the bytes read.
pub fn drain(fd: libc::c_int) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: read into a stack buffer of the given length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n <= 0 {
            break;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
    out
}

/// Reaps one ended child without waiting: its pid and wait status.
pub fn reap_any() -> Option<(libc::pid_t, libc::c_int)> {
    let mut status = 0;
    // SAFETY: waitpid with a pointer to a local.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    (pid > 0).then_some((pid, status))
}

/// Sends `sig` to one process; false when it is gone.
pub fn kill(pid: libc::pid_t, sig: libc::c_int) -> bool {
    // SAFETY: kill(2) only sends a signal.
    unsafe { libc::kill(pid, sig) == 0 }
}

/// Shell-style exit code of a wait status: the code, or 128 + the signal.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        1
    }
}

/// Marks a descriptor close-on-exec (so the step does not inherit it).
pub fn set_cloexec(fd: libc::c_int) {
    // SAFETY: fcntl on an integer descriptor.
    unsafe {
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
    }
}

pub fn getpid() -> libc::pid_t {
    std::process::id() as libc::pid_t
}

/// Caps glibc's malloc at `n` arenas. By default each thread that allocates may get an arena
/// of its own (up to eight per core), each keeping its freed memory; the cockpit's threads
/// (two runtime workers, the blocking pool, the log writer) allocate little and briefly, so
/// a couple of shared arenas hold the same data in less memory. Call it early, before the
/// threads exist. A no-op with other C libraries.
pub fn limit_heap_arenas(n: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and changes a malloc tunable; M_ARENA_MAX is one.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, n);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = n;
}

/// Gives the heap's free pages back to the system (glibc keeps freed memory in its arenas
/// for reuse; a refresh of a big fleet frees megabytes of answers at once). Cheap: a walk of
/// the free lists. A no-op with other C libraries.
pub fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory malloc already considers free.
    unsafe {
        libc::malloc_trim(0);
    }
}

//! The read-only box without the classifier: every form in `tests/fixtures/sandbox/*.sh` runs
//! as `opsdeck sandbox -- bash -c CODE` (no risk rating is involved) and changes nothing —
//! files, listeners, other processes, the host's name and network namespaces, the fake AWS.
//! Each family has a control: the same code outside the box does change things, so a test
//! that passes is not one that could not fail.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sandbox")
}

/// `# name` then the code up to the next `# name`: one form each.
fn forms(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, code)) = out.last_mut() {
            code.push_str(line);
            code.push('\n');
        }
    }
    assert!(!out.is_empty(), "{file} has no forms");
    out
}

/// A home and a work tree an attacker would want to change; `$W` names the work tree, `$H`
/// the home (with `~/.aws` credentials and an aws CLI alias planted).
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let w = dir.path().join("work");
        let h = dir.path().join("home");
        std::fs::create_dir_all(w.join("sub")).unwrap();
        std::fs::create_dir_all(h.join(".aws/cli")).unwrap();
        std::fs::create_dir_all(h.join(".ssh")).unwrap();
        std::fs::write(w.join("keep"), "keep me\n").unwrap();
        std::fs::write(w.join("sub/config.yml"), "replicas: 3\n").unwrap();
        std::fs::write(
            h.join(".aws/credentials"),
            "[default]\naws_access_key_id = AKIAOPERATOR00000000\naws_secret_access_key = operator-secret-do-not-read\n",
        )
        .unwrap();
        std::fs::write(
            h.join(".aws/cli/alias"),
            "[toplevel]\nwhoami = sts get-caller-identity\n",
        )
        .unwrap();
        std::fs::write(h.join(".ssh/id_ed25519"), "PRIVATE KEY MATERIAL\n").unwrap();
        // Other tools' credentials: usable over port 443 with the operator's rights.
        std::fs::create_dir_all(h.join(".kube")).unwrap();
        std::fs::create_dir_all(h.join(".config/gh")).unwrap();
        std::fs::write(
            h.join(".kube/config"),
            "users:\n- name: admin\n  user:\n    token: operator-kube-admin\n",
        )
        .unwrap();
        std::fs::write(
            h.join(".netrc"),
            "machine git.example.com login op password operator-netrc-pw\n",
        )
        .unwrap();
        std::fs::write(
            h.join(".config/gh/hosts.yml"),
            "github.com:\n  oauth_token: operator-gh-oauth\n",
        )
        .unwrap();
        World { dir }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![self.dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let meta = std::fs::symlink_metadata(&p).unwrap();
                let key = p
                    .strip_prefix(self.dir.path())
                    .unwrap()
                    .display()
                    .to_string();
                if meta.is_dir() {
                    out.insert(format!("{key}/"), Vec::new());
                    stack.push(p);
                } else {
                    use std::os::unix::fs::MetadataExt;
                    // A fifo or a link is recorded by its kind: reading a fifo would block.
                    let mut v = if meta.is_file() {
                        std::fs::read(&p).unwrap_or_default()
                    } else {
                        format!("{:?}", meta.file_type()).into_bytes()
                    };
                    v.extend(
                        format!(
                            " mode={:o} mtime={} xattrs={}",
                            meta.mode(),
                            meta.mtime(),
                            xattrs(&p)
                        )
                        .bytes(),
                    );
                    out.insert(key, v);
                }
            }
        }
        out
    }
}

/// The names of a file's extended attributes.
fn xattrs(p: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    let mut buf = vec![0u8; 4096];
    // SAFETY: listxattr writes at most buf.len() bytes into our buffer.
    let n = unsafe { libc::listxattr(c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n <= 0 {
        return String::new();
    }
    String::from_utf8_lossy(&buf[..n as usize]).replace('\0', ",")
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// How a form runs: in the box by `opsdeck sandbox`, as the one step of a runbook by
/// `opsdeck run --read-only --box-unrated` (the classifier out of the way: every step runs, in
/// the box, whatever it is rated), or by plain bash outside the box (the control).
#[derive(Clone, Copy, Debug, PartialEq)]
enum How {
    Sandbox,
    RunReadOnly,
    Plain,
}

const BOXED: [How; 2] = [How::Sandbox, How::RunReadOnly];

/// `opsdeck run`'s invocation of `code` as a one-step runbook: the variables the forms use
/// are placeholders there, given with `--set` (values reach the step as environment only).
fn run_command(code: &str, extra: &[&str], env: &[(&str, String)]) -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("corpus.md");
    std::fs::write(
        &rb,
        format!("# Corpus\n\n## form\n\n```bash\n{}\n```\n", code.trim_end()),
    )
    .unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    c.arg("--journal")
        .arg(dir.path().join("journal.jsonl"))
        .arg("run")
        .arg(&rb)
        .arg("form")
        .args(extra);
    for (k, v) in env {
        c.arg("--set").arg(format!("{k}={v}"));
    }
    (c, dir)
}

fn run(how: How, code: &str, w: &World, extra_env: &[(&str, String)]) -> Outcome {
    let mut vars: Vec<(&str, String)> = vec![
        ("W", w.work().display().to_string()),
        ("H", w.home().display().to_string()),
    ];
    vars.extend(extra_env.iter().cloned());
    let (mut cmd, _dir) = match how {
        How::Sandbox => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
            c.args(["sandbox", "--", "bash", "-c", code]);
            (c, None)
        }
        How::RunReadOnly => {
            let (c, d) = run_command(code, &["--read-only", "--box-unrated"], &vars);
            (c, Some(d))
        }
        How::Plain => {
            let mut c = Command::new("bash");
            c.args(["-c", code]);
            (c, None)
        }
    };
    // No AWS here: nothing to mint from, and nothing looked up off the machine.
    cmd.env("HOME", w.home())
        .env("XDG_CONFIG_HOME", w.dir.path().join("xdg"))
        .env("GITHUB_TOKEN", "operator-gh-env-token")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .current_dir(w.work())
        .stdin(Stdio::null());
    for (k, v) in &vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let o = Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    if how == How::RunReadOnly {
        // Every form runs: none is refused for a missing value or by the classifier.
        assert!(
            o.stdout.contains("── step 1/1") || o.stderr.contains("── step 1/1"),
            "the form did not run through opsdeck run (exit {}): {}{}\n{code}",
            o.code,
            o.stdout,
            o.stderr
        );
    }
    o
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn landlock() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["sandbox", "--", "true"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the box does not run here ({}): these tests need Linux with Landlock ABI 6 or newer",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn files_cannot_change_from_the_box_but_do_outside() {
    assert!(landlock());
    let w = World::new();
    let before = w.tree();
    let forms = forms("files.sh");
    for how in BOXED {
        for (name, code) in &forms {
            let o = run(how, code, &w, &[]);
            let after = w.tree();
            assert_eq!(
                before, after,
                "`{name}` changed files from the box ({how:?}, exit {}): {}{}",
                o.code, o.stdout, o.stderr
            );
        }
    }
    // Control: `opsdeck run` outside read-only mode, confirmed, does write.
    let (mut c, _d) = run_command(
        "echo lost > \"$W/keep\"\n",
        &["--yes"],
        &[("W", w.work().display().to_string())],
    );
    let out = c.env("AWS_EC2_METADATA_DISABLED", "true").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(w.work().join("keep")).unwrap(),
        "lost\n"
    );
    // Control: outside the box every form changes something.
    for (name, code) in &forms {
        let w = World::new();
        let before = w.tree();
        run(How::Plain, code, &w, &[]);
        assert_ne!(
            before,
            w.tree(),
            "control `{name}` changed nothing: not a test"
        );
    }
}

#[test]
fn the_scratch_dir_is_writable_private_and_removed() {
    assert!(landlock());
    let w = World::new();
    let o = run(
        How::Sandbox,
        "echo hi > \"$TMPDIR/x\"; cat \"$TMPDIR/x\"; cat <<EOF\nheredoc ok\nEOF\necho \"$TMPDIR\"",
        &w,
        &[],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(&lines[..2], ["hi", "heredoc ok"]);
    assert!(
        !Path::new(lines[2]).exists(),
        "scratch dir {} left behind",
        lines[2]
    );
}

/// What the operator's files and environment hold that the box must not read.
const OPERATOR_SECRETS: &[&str] = &[
    "operator-secret-do-not-read",
    "PRIVATE KEY MATERIAL",
    "whoami =",
    "operator-kube-admin",
    "operator-netrc-pw",
    "operator-gh-oauth",
    "operator-gh-env-token",
];

#[test]
fn the_operators_secrets_are_not_readable_inside() {
    assert!(landlock());
    let w = World::new();
    for (how, (name, code)) in BOXED
        .iter()
        .flat_map(|h| forms("secrets.sh").into_iter().map(move |f| (*h, f)))
    {
        let o = run(how, &code, &w, &[]);
        for secret in OPERATOR_SECRETS {
            assert!(
                !o.stdout.contains(secret) && !o.stderr.contains(secret),
                "`{name}` read {secret:?} from the box ({how:?}): {}{}",
                o.stdout,
                o.stderr
            );
        }
        let c = run(How::Plain, &code, &w, &[]);
        assert!(
            OPERATOR_SECRETS.iter().any(|s| c.stdout.contains(s)),
            "control `{name}` read nothing: {}{}",
            c.stdout,
            c.stderr
        );
    }
}

/// A listener outside the box, on a port the box does not allow.
fn outside_listener() -> (std::net::TcpListener, u16) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn accepted(l: &std::net::TcpListener) -> bool {
    l.accept().is_ok()
}

#[test]
fn no_listener_no_connection_out_of_the_allowed_ports_no_unix_socket() {
    assert!(landlock());
    let w = World::new();
    let (listener, port) = outside_listener();
    let unix_dir = tempfile::tempdir().unwrap();
    let sock_path = unix_dir.path().join("operator.sock");
    let unix = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
    unix.set_nonblocking(true).unwrap();
    let env = [
        ("PORT", port.to_string()),
        ("SOCK", sock_path.display().to_string()),
    ];
    for (how, (name, code)) in BOXED
        .iter()
        .flat_map(|h| forms("network.sh").into_iter().map(move |f| (*h, f)))
    {
        let o = run(how, &code, &w, &env);
        assert!(
            !accepted(&listener),
            "`{name}` connected out of the box ({how:?}) to port {port}: {}{}",
            o.stdout,
            o.stderr
        );
        assert!(
            unix.accept().is_err(),
            "`{name}` reached a unix socket outside the box: {}{}",
            o.stdout,
            o.stderr
        );
        assert!(
            !o.stdout.contains("LISTENING"),
            "`{name}` opened a listener in the box: {}{}",
            o.stdout,
            o.stderr
        );
    }
    // Control: outside the box the connection forms do connect.
    let o = run(How::Plain, "exec 3<>/dev/tcp/127.0.0.1/$PORT", &w, &env);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !accepted(&listener) {
        assert!(Instant::now() < deadline, "control connection not seen");
        std::thread::sleep(Duration::from_millis(20));
    }
    // An allowed port does connect from inside: the box is not simply offline.
    let o = run(
        How::Sandbox,
        "exec 3<>/dev/tcp/127.0.0.1/$PORT && echo connected",
        &w,
        &env,
    );
    assert!(
        !o.stdout.contains("connected"),
        "port {port} is not allowed: {}",
        o.stdout
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    let out = cmd
        .args(["sandbox", "--connect-port", &port.to_string(), "--"])
        .args([
            "bash",
            "-c",
            "exec 3<>/dev/tcp/127.0.0.1/$PORT && echo connected",
        ])
        .env("PORT", port.to_string())
        .env("HOME", w.home())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("connected"),
        "--connect-port {port} did not allow it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_signal_leaves_the_box_and_no_capability_is_kept() {
    assert!(landlock());
    let w = World::new();
    let mut victim = Victim(Command::new("sleep").arg("2999").spawn().unwrap());
    let victim = &mut victim.0;
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let netns = |p: &str| Path::new("/run/netns").join(p).exists();
    let env = [("VICTIM", victim.id().to_string())];
    for (how, (name, code)) in BOXED
        .iter()
        .flat_map(|h| forms("processes.sh").into_iter().map(move |f| (*h, f)))
    {
        let o = run(how, &code, &w, &env);
        assert!(
            victim.try_wait().unwrap().is_none(),
            "`{name}` killed a process outside the box ({how:?}): {}{}",
            o.stdout,
            o.stderr
        );
        assert_eq!(
            std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap(),
            hostname,
            "`{name}` renamed the host"
        );
        assert!(
            !netns("opsdeck-box-test"),
            "`{name}` made a network namespace"
        );
    }
    if is_root() {
        // Control, as root: outside the box the capability forms work (one, undone at once).
        let o = run(
            How::Plain,
            "ip netns add opsdeck-box-test && ip netns del opsdeck-box-test && echo made",
            &w,
            &env,
        );
        assert!(
            o.stdout.contains("made") || o.stderr.contains("ip: command not found"),
            "control: {}{}",
            o.stdout,
            o.stderr
        );
    }
    // Control: outside the box the signal does arrive.
    run(How::Plain, "kill -TERM $VICTIM", &w, &env);
    let deadline = Instant::now() + Duration::from_secs(5);
    while victim.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "control kill did not arrive");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A process outside the box, killed when the test ends however it ends (a leftover would
/// hold the test harness's output open).
struct Victim(std::process::Child);

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Alive and not a zombie.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next())
                .map(|st| st != "Z" && st != "X")
        })
        .unwrap_or(false)
}

/// Processes whose command line holds `needle`.
fn running(needle: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) && alive(pid) {
            out.push(pid);
        }
    }
    out
}

#[test]
fn nothing_a_command_leaves_survives_it_boxed_or_not() {
    let w = World::new();
    // Every way out of a process group we know: background, nohup, setsid, timeout's own
    // group, a double fork, a disowned job.
    let code = "sleep 3111 & nohup sleep 3112 >/dev/null 2>&1 & setsid sleep 3113 & \
                timeout 100 sleep 3114 & ( ( sleep 3115 & ) & ) ; sleep 3116 & disown; echo started";
    for how in BOXED {
        let o = run(how, code, &w, &[]);
        assert_eq!(o.code, 0, "{how:?}: {}{}", o.stdout, o.stderr);
        let both = format!("{}{}", o.stdout, o.stderr);
        assert!(
            both.contains("left running: ") && both.contains(" killed"),
            "{how:?}: {both}"
        );
        for n in 3111..=3116 {
            assert!(
                running(&format!("sleep {n}")).is_empty(),
                "sleep {n} survived the box's end ({how:?})"
            );
        }
    }
    // Control: plain bash leaves them running (then they are cleaned up here).
    let o = run(
        How::Plain,
        "setsid sleep 3117 >/dev/null 2>&1 & echo started",
        &w,
        &[],
    );
    assert_eq!(o.code, 0);
    let deadline = Instant::now() + Duration::from_secs(5);
    while running("sleep 3117").is_empty() {
        assert!(Instant::now() < deadline, "control: setsid sleep not seen");
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in running("sleep 3117") {
        // SAFETY: kill(2) with a pid we found.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

#[test]
fn the_exit_status_passes_through() {
    assert!(landlock());
    let w = World::new();
    assert_eq!(run(How::Sandbox, "exit 7", &w, &[]).code, 7);
    assert_eq!(run(How::Sandbox, "kill -TERM $$", &w, &[]).code, 128 + 15);
    let o = run(How::Sandbox, "true", &w, &[]);
    assert_eq!(o.code, 0);
    assert!(
        !o.stderr.contains("left running"),
        "nothing was left: {}",
        o.stderr
    );
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["sandbox", "--", "/nonexistent/tool"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/tool"));
}

#[test]
fn aws_inside_the_box_is_read_only_credentials_only() {
    assert!(landlock());
    let fake = fakeaws::FakeAws::start();
    fake.fleet(&["build"]);
    let before = fake.fleet_output(&["state"]);
    let w = World::new();
    let mut env: Vec<(&str, String)> = fake.shell_env();
    env.push(("AWS_ENDPOINT_URL", fake.endpoint.clone()));
    env.push(("FAKE", fake.endpoint.clone()));
    let forms = forms("aws.sh");
    for how in BOXED {
        for (name, code) in &forms {
            let mut vars: Vec<(&str, String)> = vec![
                ("W", w.work().display().to_string()),
                ("H", w.home().display().to_string()),
                ("FAKE", fake.endpoint.clone()),
            ];
            let (mut cmd, _dir) = if how == How::Sandbox {
                let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
                c.args(["--endpoint-url", &fake.endpoint, "sandbox", "--"])
                    .args(["bash", "-c", code]);
                (c, None)
            } else {
                // Only the forms' own variables are given as values: the AWS ones are the
                // environment's, and the box's credentials replace them.
                vars.retain(|(k, _)| code.contains(&format!("${k}")));
                if code.contains("123456789012") {
                    // The documentation account id reads as a placeholder in a runbook.
                    vars.push(("account-id", "123456789012".into()));
                }
                let (mut c, d) = run_command(code, &["--read-only", "--box-unrated"], &vars);
                let args: Vec<std::ffi::OsString> = c.get_args().map(|a| a.to_owned()).collect();
                c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
                c.args(["--endpoint-url", &fake.endpoint]).args(args);
                (c, Some(d))
            };
            cmd.env("HOME", w.home())
                .current_dir(w.work())
                .stdin(Stdio::null());
            for (k, v) in env.iter().chain(&vars) {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            assert_eq!(
                fake.fleet_output(&["state"]),
                before,
                "`{name}` changed the fake AWS from the box ({how:?}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains("needs a value"),
                "`{name}` did not run ({how:?}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let denied = fake.http("GET", "/__fake/denied", "");
    let v: serde_json::Value = serde_json::from_str(&denied).unwrap();
    assert!(
        v["read_only_keys"].as_object().is_some_and(|m| m
            .values()
            .any(|how| how.as_str().unwrap_or("").contains("ReadOnlyAccess"))),
        "the box's credentials were not minted with ReadOnlyAccess: {denied}"
    );
    assert!(
        v["denied"].as_array().is_some_and(|d| !d.is_empty()),
        "no write reached AWS to be denied (the forms did not try): {denied}"
    );
    // A read works inside: the box is read-only, not offline.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    cmd.args(["--endpoint-url", &fake.endpoint, "sandbox", "--"])
        .args(["aws", "ecs", "list-clusters", "--output", "text"])
        .env("HOME", w.home());
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("cluster/prod"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Control: the same write with the operator's credentials outside the box changes it.
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &forms[0].1]).env("HOME", w.home());
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let _ = cmd.output().unwrap();
    assert_ne!(
        fake.fleet_output(&["state"]),
        before,
        "control `{}` changed nothing: not a test",
        forms[0].0
    );
}

//! Command watches against real servers: a redis-server and a PostgreSQL cluster started on
//! loopback ports in temp dirs (tests/run.sh installs them from Debian's packages when
//! missing), and the release binary in tmux. A `redis-cli` and a `psql`/`pg_isready` watch
//! show live values; a change on the server is highlighted on the next run; a stopped server
//! turns its watch crit while the others stay ok, and it recovers by itself. A read step is
//! pinned from the procedure view with `w`; a write step is refused.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tmux::Tmux;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn need(bin: &str, package: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
        let p = Path::new(dir).join(bin);
        if p.exists() {
            return p;
        }
    }
    panic!(
        "{bin} is not installed: run `bash tests/run.sh` (it installs it) or `apt-get install {package}`"
    );
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn quiet(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Redis {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Redis {
    fn start(dir: &Path) -> Redis {
        let mut r = Redis {
            port: free_port(),
            dir: dir.to_path_buf(),
            child: None,
        };
        r.up();
        r
    }

    fn up(&mut self) {
        let child = Command::new(need("redis-server", "redis-server"))
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        wait_until("redis-server", || self.cli(&["PING"]).trim() == "PONG");
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(need("redis-cli", "redis-tools"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.down();
    }
}

/// A PostgreSQL cluster of its own (initdb in a temp dir, trust auth on loopback). As root,
/// the server runs as `nobody` (postgres refuses root).
struct Postgres {
    port: u16,
    data: PathBuf,
    bin: PathBuf,
    child: Option<Child>,
}

fn pg_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL server binaries (initdb) are not installed: run `bash tests/run.sh` (it installs them) or `apt-get install postgresql`"
            )
        })
}

fn as_server_user(program: &Path) -> Command {
    // SAFETY-free check of the effective user: `id -u` keeps this free of libc.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        use std::os::unix::fs::PermissionsExt;
        let bin = pg_bin();
        // The server user must reach and own its data directory.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        // initdb creates it, owned by the server user.
        let data = dir.join("pgdata");
        let out = as_server_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut p = Postgres {
            port: free_port(),
            data,
            bin,
            child: None,
        };
        p.up();
        p
    }

    fn up(&mut self) {
        let child = as_server_user(&self.bin.join("postgres"))
            .arg("-D")
            .arg(&self.data)
            .args([
                "-p",
                &self.port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
            ])
            .arg("-k")
            .arg(&self.data)
            .args(["-c", "fsync=off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        self.child = Some(child);
        let port = self.port.to_string();
        wait_until("postgres", || {
            quiet(Command::new(need("pg_isready", "postgresql-client")).args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
            ]))
        });
    }

    fn sql(&self, q: &str) {
        let out = Command::new(need("psql", "postgresql-client"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-c", q])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {q}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGKILL leaves shared memory to the OS; fine for a throwaway cluster.
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The watch named `name` in the Watches pane: its header, and its output lines (each
/// starting with `▌` when it changed since the run before, else a space).
fn watch(screen: &str, name: &str) -> (String, Vec<String>) {
    let mut header = String::new();
    let mut out = Vec::new();
    for l in screen.lines() {
        // The pane is on the right, after the logs pane's border.
        let Some(i) = l.rfind("││") else {
            if !header.is_empty() {
                break;
            }
            continue;
        };
        let seg = l[i + "││".len()..]
            .trim_end()
            .trim_end_matches('│')
            .trim_end();
        let is_header = seg
            .split_once(' ')
            .is_some_and(|(_, rest)| rest.contains("  every "));
        if is_header {
            if !header.is_empty() {
                break;
            }
            if seg
                .split_once(' ')
                .is_some_and(|(_, rest)| rest.starts_with(&format!("{name}  every")))
            {
                header = seg.to_string();
            }
        } else if !header.is_empty() {
            out.push(seg.to_string());
        }
    }
    (header, out)
}

fn healthy(screen: &str, name: &str) -> bool {
    watch(screen, name).0.starts_with(&format!("✓ {name}"))
}

fn shows(screen: &str, name: &str, line: &str) -> bool {
    watch(screen, name).1.iter().any(|l| l == line)
}

#[test]
fn command_watches_follow_real_servers() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = Redis::start(dir.path());
    redis.cli(&["SET", "orders:backlog", "12"]);
    let pg = Postgres::start(dir.path());
    pg.sql("CREATE TABLE queue (depth int); INSERT INTO queue VALUES (3)");

    let t = Tmux::start("watches", 160, 48);
    let config = t._state.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"# Watches run in the read-only box: the servers' ports must be listed.
[sandbox]
connect_ports = [{rp}, {pp}]

[[watch.commands]]
name = "backlog"
command = "redis-cli -h 127.0.0.1 -p {rp} GET orders:backlog"
interval = "2s"

[[watch.commands]]
name = "pg-ready"
command = "pg_isready -h 127.0.0.1 -p {pp}"
interval = "2s"
expect = "accepting connections"

[[watch.commands]]
name = "depth"
command = "psql -h 127.0.0.1 -p {pp} -U postgres -tAc 'SELECT depth FROM queue'"
interval = "2s"
"#,
            rp = redis.port,
            pp = pg.port
        ),
    )
    .unwrap();
    let runbook = t._state.path().join("cache.md");
    std::fs::write(
        &runbook,
        "# Cache\n\n## Cache checks\n\nThe port is the cache's redis port.\n\n```bash\nredis-cli -h 127.0.0.1 -p <port> GET orders:backlog\n```\n\n```bash\nredis-cli -h 127.0.0.1 -p <port> SET orders:backlog 0\n```\n",
    )
    .unwrap();
    let journal = t._state.path().join("journal.jsonl");
    t.type_line(&format!(
        "clear; {} --demo --config {} --runbook {} --journal {}",
        common::bin().display(),
        config.display(),
        runbook.display(),
        journal.display()
    ));
    t.wait_text("Watches 3");
    // Live values, all healthy.
    let s = t.wait_for("three healthy watches with values", |s| {
        shows(s, "backlog", " 12")
            && shows(s, "depth", " 3")
            && watch(s, "pg-ready")
                .1
                .iter()
                .any(|l| l.contains("accepting connections"))
            && ["backlog", "pg-ready", "depth"]
                .iter()
                .all(|n| healthy(s, n))
    });
    assert!(!s.contains('▌'), "nothing changed yet:\n{s}");
    // A change on each server is highlighted on the next run.
    redis.cli(&["SET", "orders:backlog", "4711"]);
    pg.sql("UPDATE queue SET depth = 99");
    t.wait_for("changes highlighted", |s| {
        shows(s, "backlog", "▌4711") && shows(s, "depth", "▌99")
    });
    // Redis stops: its watch turns crit with the error; the others keep delivering.
    redis.down();
    let s = t.wait_for("backlog crit", |s| {
        watch(s, "backlog").0.starts_with("✗ backlog")
    });
    let (head, out) = watch(&s, "backlog");
    assert!(head.contains("exit 1"), "{s}");
    assert!(
        out.iter().any(|l| l.contains("Could not connect")),
        "the error is shown: {s}"
    );
    assert!(healthy(&s, "depth") && healthy(&s, "pg-ready"), "{s}");
    // It comes back: the watch recovers by itself.
    redis.up();
    // A fresh server (nothing saved): the value is set again.
    redis.cli(&["SET", "orders:backlog", "4711"]);
    t.wait_for("backlog recovered", |s| {
        healthy(s, "backlog") && shows(s, "backlog", "▌4711")
    });

    // Pin from the procedure view: the write step is refused, the read one asks its port.
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "cache checks"]);
    t.send(&["Enter"]);
    t.wait_text("Cache checks");
    t.send(&["Down", "w"]);
    t.wait_text("is write: only read steps can be watched");
    t.send(&["Up", "w"]);
    t.wait_text("Values for: Cache checks");
    t.type_line(&redis.port.to_string());
    t.wait_text("watching `Cache checks`");
    t.send(&["Escape"]);
    t.wait_for("a fourth watch with the value", |s| {
        s.contains("Watches 4") && shows(s, "Cache checks", " 4711")
    });
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-") && !t.alternate_on());
    let j = std::fs::read_to_string(&journal).unwrap();
    assert!(
        j.contains("pinned `Cache checks` as a live watch every 30s"),
        "pinning is journaled: {j}"
    );
    assert!(
        !j.contains("SET orders:backlog 0\",\"kind\":\"start"),
        "{j}"
    );
}

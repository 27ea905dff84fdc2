//! Unix tools. A tool is `read` only with the flags and programs known to read: `sort -o`,
//! `find -fprint`, `sed 'w file'`, `awk 'BEGIN{system(…)}'`, `uniq IN OUT`, `openssl … -out`,
//! `date -s`, `hostname NAME`… are not. Anything not listed is `unknown`.

use super::{Risk, literal, simple};

/// Tools that only read or print whatever their flags (none writes a file, runs a command or
/// changes the system).
const PLAIN_READ: &[&str] = &[
    "cat",
    "tac",
    "nl",
    "grep",
    "egrep",
    "fgrep",
    "zgrep",
    "zcat",
    "bzcat",
    "xzcat",
    "ls",
    "ll",
    "head",
    "tail",
    "wc",
    "jq",
    "gron",
    "cut",
    "tr",
    "column",
    "fold",
    "fmt",
    "paste",
    "join",
    "comm",
    "rev",
    "expand",
    "unexpand",
    "printenv",
    "dig",
    "nslookup",
    "host",
    "whois",
    "ping",
    "ping6",
    "traceroute",
    "tracepath",
    "mtr",
    "ps",
    "pgrep",
    "pidof",
    "top",
    "htop",
    "df",
    "du",
    "free",
    "uptime",
    "whoami",
    "id",
    "groups",
    "who",
    "w",
    "last",
    "stat",
    "base64",
    "base32",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "cksum",
    "b2sum",
    "diff",
    "cmp",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "seq",
    "od",
    "hexdump",
    "strings",
    "nproc",
    "lsof",
    "vmstat",
    "iostat",
    "mpstat",
    "pidstat",
    "sar",
    "netstat",
    "getent",
    "sleep",
    "which",
    "whereis",
    "uname",
    "arch",
    "lscpu",
    "lsblk",
    "lsmem",
    "lspci",
    "lsusb",
    "findmnt",
    "mount",
    "env",
    "locale",
    "tty",
    "logname",
    "users",
    "factor",
    "expr",
    "bc",
    "numfmt",
    "tsort",
    "shuf",
    "iconv",
    "file",
    "getconf",
    "ulimit",
    "jobs",
    "pstree",
    "watch",
    "man",
    "curlie",
    "dog",
    "drill",
    "kdig",
    "delv",
    "ip",
    "ifconfig",
    "route",
    "arp",
    "aws_completer",
    "pg_isready",
    "uuidgen",
];

pub(super) fn classify(cmd: &str, raw: &[String], a: &[&str]) -> Risk {
    // Long on purpose: one arm per tool, read as a table of rules.
    let has = |f: &str| a.contains(&f);
    let any_prefix = |p: &[&str]| a.iter().any(|x| p.iter().any(|q| x.starts_with(q)));
    match cmd {
        // `mount` with arguments mounts; `ip`/`ifconfig`/`route`/`arp` with a verb change the
        // network; `file -C` compiles a magic file; `env` as a wrapper is handled earlier.
        "mount" if !a.is_empty() => Risk::Write,
        "ip" => ip(a),
        "ifconfig" | "route" | "arp" if a.len() > 1 => Risk::Write,
        "file" if has("-C") || has("--compile") => Risk::Write,
        "less" | "more" | "most" => {
            // `less '+!cmd'` runs a command at start.
            if a.iter().any(|x| x.starts_with('+')) {
                Risk::Unknown
            } else {
                Risk::Read
            }
        }
        "rg" | "ripgrep" => {
            if any_prefix(&["--pre"]) {
                Risk::Unknown
            } else {
                Risk::Read
            }
        }
        "yq" => {
            if has("-i") || any_prefix(&["--inplace", "-i="]) {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "sort" => {
            if any_prefix(&["--compress-program"]) {
                Risk::Unknown
            } else if a.iter().any(|x| {
                x.starts_with("--output")
                    || (x.starts_with('-') && !x.starts_with("--") && x[1..].contains('o'))
            }) {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        // `uniq IN OUT` writes OUT.
        "uniq" => {
            let pos = a
                .iter()
                .filter(|x| !x.starts_with('-') || **x == "-")
                .count();
            if pos >= 2 { Risk::Write } else { Risk::Read }
        }
        // `xxd IN OUT` writes OUT; `-r` turns a dump back into bytes.
        "xxd" => {
            let pos = a.iter().filter(|x| !x.starts_with('-')).count();
            if pos >= 2 { Risk::Write } else { Risk::Read }
        }
        "tree" => {
            if has("-o") {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "date" | "gdate" => date(a),
        "hostname" => {
            let pos = a.iter().filter(|x| !x.starts_with('-')).count();
            if pos > 0 || has("-F") || has("--file") || has("-b") || has("--boot") {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "hostnamectl" | "timedatectl" | "localectl" => match a.iter().find(|x| !x.starts_with('-'))
        {
            None | Some(&"status") | Some(&"show") | Some(&"list-timezones") => Risk::Read,
            Some(_) => Risk::Write,
        },
        "journalctl" => {
            if any_prefix(&[
                "--rotate",
                "--vacuum",
                "--flush",
                "--sync",
                "--relinquish-var",
                "--smart-relinquish-var",
                "--setup-keys",
                "--update-catalog",
            ]) {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "dmesg" => {
            if a.iter().any(|x| {
                matches!(
                    *x,
                    "-c" | "-C"
                        | "-D"
                        | "-E"
                        | "--clear"
                        | "--read-clear"
                        | "--console-off"
                        | "--console-on"
                ) || x.starts_with("-n")
                    || x.starts_with("--console-level")
            }) {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "ss" => {
            if has("-K") || has("--kill") {
                Risk::Destructive
            } else {
                Risk::Read
            }
        }
        "nc" | "ncat" | "netcat" => {
            // A port check (`-z`) sends nothing; anything else may send data or run a program.
            let exec = a.iter().any(|x| {
                matches!(
                    *x,
                    "-e" | "-c" | "--exec" | "--sh-exec" | "--lua-exec" | "-l" | "--listen"
                )
            });
            if !exec
                && a.iter()
                    .any(|x| x.starts_with('-') && !x.starts_with("--") && x.contains('z'))
            {
                Risk::Read
            } else {
                Risk::Unknown
            }
        }
        "nmap" => {
            if any_prefix(&[
                "-o",
                "--script",
                "-sC",
                "--datadir",
                "--resume",
                "--stylesheet",
            ]) || has("-A")
            {
                Risk::Unknown
            } else {
                Risk::Read
            }
        }
        "openssl" => openssl(a),
        "kill" | "pkill" | "killall" => kill(cmd, a),
        "sed" | "gsed" => sed(raw, a),
        "awk" | "gawk" | "mawk" | "nawk" => awk(raw, a),
        "find" => find(raw, a),
        "tee" => {
            if a.iter()
                .filter(|x| !x.starts_with('-'))
                .all(|x| *x == "/dev/null")
                && !a.is_empty()
            {
                Risk::Read
            } else {
                Risk::Write
            }
        }
        "rm" | "rmdir" | "shred" | "dd" | "mkfs" | "truncate" | "reboot" | "shutdown" | "halt"
        | "poweroff" | "userdel" | "groupdel" | "wipefs" | "fdisk" | "parted" | "iptables"
        | "nft" | "ufw" => Risk::Destructive,
        "crontab" if has("-r") => Risk::Destructive,
        "crontab" if has("-l") => Risk::Read,
        "perl" | "python" | "python3" | "ruby" | "node" | "php" | "lua" | "Rscript" => {
            Risk::Unknown
        }
        "cp" | "mv" | "mkdir" | "touch" | "chmod" | "chown" | "chgrp" | "ln" | "tar" | "zip"
        | "unzip" | "gzip" | "gunzip" | "bzip2" | "xz" | "install" | "rsync" | "scp" | "sftp"
        | "crontab" | "npm" | "pip" | "pip3" | "apt" | "apt-get" | "yum" | "dnf" | "apk"
        | "brew" | "make" | "mktemp" | "split" | "csplit" | "patch" | "useradd" | "usermod"
        | "passwd" | "chpasswd" | "sysctl" | "modprobe" | "swapon" | "swapoff" | "umount"
        | "logger" | "wall" | "at" | "batch" => {
            if cmd == "sysctl"
                && !a
                    .iter()
                    .any(|x| x.contains('=') || matches!(*x, "-w" | "-p" | "--load" | "--system"))
            {
                Risk::Read
            } else {
                Risk::Write
            }
        }
        c if PLAIN_READ.contains(&c) => Risk::Read,
        _ => Risk::Unknown,
    }
}

fn ip(a: &[&str]) -> Risk {
    let pos: Vec<&str> = a.iter().copied().filter(|x| !x.starts_with('-')).collect();
    match pos.get(1) {
        None => Risk::Read,
        Some(v) if matches!(*v, "show" | "list" | "ls" | "lst" | "get" | "s" | "l") => Risk::Read,
        Some(_) => Risk::Write,
    }
}

fn date(a: &[&str]) -> Risk {
    let mut i = 0;
    while i < a.len() {
        let x = a[i];
        if x == "-s" || x.starts_with("--set") || (x.starts_with("-s") && x.len() > 2) {
            return Risk::Write;
        }
        if matches!(x, "-d" | "--date" | "-r" | "--reference" | "-f" | "--file") {
            i += 2;
            continue;
        }
        // `date MMDDhhmm`: sets the clock. `+FORMAT` only prints.
        if !x.starts_with('-') && !x.starts_with('+') {
            return Risk::Write;
        }
        i += 1;
    }
    Risk::Read
}

fn kill(cmd: &str, a: &[&str]) -> Risk {
    if cmd == "kill"
        && a.iter()
            .any(|x| matches!(*x, "-l" | "-L" | "--list" | "--table"))
    {
        return Risk::Read;
    }
    let signal = a
        .iter()
        .find(|x| x.starts_with('-') && **x != "--")
        .map(|x| {
            x.trim_start_matches('-')
                .trim_start_matches("s ")
                .to_ascii_uppercase()
        });
    let signal = match (
        signal.as_deref(),
        a.iter().position(|x| *x == "-s" || *x == "--signal"),
    ) {
        (_, Some(i)) => a.get(i + 1).map(|s| s.to_ascii_uppercase()),
        (s, None) => s.map(str::to_string),
    };
    match signal.as_deref().map(|s| s.trim_start_matches("SIG")) {
        // Signal 0 only checks that the process exists.
        Some("0") => Risk::Read,
        None
        | Some(
            "9" | "15" | "2" | "1" | "3" | "6" | "KILL" | "TERM" | "INT" | "HUP" | "QUIT" | "ABRT",
        ) => Risk::Destructive,
        // USR1/USR2/CONT/STOP…: the process is told something (reopen logs, dump state), not ended.
        Some(_) => Risk::Write,
    }
}

fn openssl(a: &[&str]) -> Risk {
    const READ_SUBCOMMANDS: &[&str] = &[
        "x509",
        "s_client",
        "version",
        "verify",
        "dgst",
        "rand",
        "req",
        "crl",
        "asn1parse",
        "ciphers",
        "sha256",
        "sha1",
        "md5",
        "base64",
        "list",
        "pkey",
        "rsa",
        "ec",
        "pkcs7",
        "pkcs12",
        "storeutl",
        "errstr",
    ];
    let Some(sub) = a.first() else {
        // An interactive openssl prompt.
        return Risk::Unknown;
    };
    if !READ_SUBCOMMANDS.contains(sub) {
        return Risk::Unknown;
    }
    let flags: Vec<&str> = a
        .iter()
        .filter_map(|x| x.strip_prefix('-').map(|f| f.trim_start_matches('-')))
        .collect();
    // Loading code (engines, providers) or a config that can name either.
    if flags.iter().any(|f| {
        matches!(
            *f,
            "engine" | "provider" | "provider-path" | "config" | "ssl_config"
        )
    }) {
        return Risk::Unknown;
    }
    // Flags that write a file (`req -new` writes a private key by default).
    if flags.iter().any(|f| {
        matches!(
            *f,
            "out"
                | "keyout"
                | "sess_out"
                | "writerand"
                | "keylogfile"
                | "msgfile"
                | "CAcreateserial"
                | "new"
                | "newkey"
                | "signkey"
                | "CA"
        )
    }) {
        Risk::Write
    } else {
        Risk::Read
    }
}

/// `find`: the expression's actions decide. `-exec`/`-ok` run their command (classified);
/// `-delete` destroys; `-fprint*`/`-fls` write files.
fn find(raw: &[String], a: &[&str]) -> Risk {
    let mut risk = Risk::Read;
    let mut i = 0;
    while i < a.len() {
        match a[i] {
            "-delete" => risk = risk.max(Risk::Destructive),
            "-fprint" | "-fprint0" | "-fprintf" | "-fls" => risk = risk.max(Risk::Write),
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                let start = i + 1;
                let mut end = start;
                while end < a.len() && a[end] != ";" && a[end] != "+" && a[end] != "\\;" {
                    end += 1;
                }
                let inner: Vec<String> = raw[start.min(raw.len())..end.min(raw.len())]
                    .iter()
                    .filter(|w| w.as_str() != "{}")
                    .cloned()
                    .collect();
                risk = risk.max(if inner.is_empty() {
                    Risk::Unknown
                } else {
                    simple(&inner)
                });
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    risk
}

/// The program text of sed/awk: the first non-flag argument, or the `-e` values.
fn programs(
    raw: &[String],
    a: &[&str],
    value_flags: &[&str],
    program_flags: &[&str],
) -> Option<Vec<String>> {
    let mut progs = Vec::new();
    let mut i = 0;
    let mut positional_program = true;
    while i < a.len() {
        let x = a[i];
        if program_flags.contains(&x) {
            progs.push(literal(raw.get(i + 1)?)?.text);
            positional_program = false;
            i += 2;
            continue;
        }
        if let Some(p) = program_flags.iter().find_map(|f| {
            x.strip_prefix(&format!("{f}="))
                .or_else(|| (f.len() == 2 && x.starts_with(f) && x.len() > 2).then(|| &x[2..]))
        }) {
            progs.push(p.to_string());
            positional_program = false;
            i += 1;
            continue;
        }
        if value_flags.contains(&x) {
            i += 2;
            continue;
        }
        if x.starts_with('-') && x != "-" {
            i += 1;
            continue;
        }
        if positional_program {
            progs.push(literal(&raw[i])?.text);
        }
        break;
    }
    Some(progs)
}

/// `sed`: read when it does not edit in place and its script only prints, substitutes into
/// its output and deletes from it (no `w`/`W` file writes, no `e` executions, no `-f` file).
fn sed(raw: &[String], a: &[&str]) -> Risk {
    if a.iter().any(|x| {
        x.starts_with("-i")
            || x.starts_with("--in-place")
            || (x.starts_with('-') && !x.starts_with("--") && x[1..].contains('i'))
    }) {
        return Risk::Write;
    }
    if a.iter()
        .any(|x| matches!(*x, "-f" | "--file") || x.starts_with("--file="))
    {
        return Risk::Unknown;
    }
    let Some(progs) = programs(raw, a, &["-l", "--line-length"], &["-e", "--expression"]) else {
        return Risk::Unknown;
    };
    if progs.is_empty() {
        return Risk::Unknown;
    }
    progs
        .iter()
        .map(|p| sed_script(p))
        .max()
        .unwrap_or(Risk::Unknown)
}

/// Walks a sed script command by command.
pub(super) fn sed_script(s: &str) -> Risk {
    // Long on purpose: a small parser of sed's command language.
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < c.len() && (c[*i].is_whitespace() || c[*i] == ';') {
            *i += 1;
        }
    };
    // A delimited part (`/re/`, `s|a|b|`): returns the index after the closing delimiter.
    let delimited = |mut i: usize, d: char| -> Option<usize> {
        while i < c.len() {
            if c[i] == '\\' {
                i += 2;
                continue;
            }
            if c[i] == d {
                return Some(i + 1);
            }
            i += 1;
        }
        None
    };
    loop {
        skip_ws(&mut i);
        if i >= c.len() {
            return Risk::Read;
        }
        // Addresses: `1`, `$`, `/re/`, `\%re%`, `1,5`, `/a/,/b/`, `first~step`, then `!`.
        for _ in 0..2 {
            if i < c.len() && c[i].is_ascii_digit() {
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '~') {
                    i += 1;
                }
            } else if i < c.len() && c[i] == '$' {
                i += 1;
            } else if i < c.len() && c[i] == '/' {
                let Some(n) = delimited(i + 1, '/') else {
                    return Risk::Unknown;
                };
                i = n;
                while i < c.len() && matches!(c[i], 'I' | 'M') {
                    i += 1;
                }
            } else if i + 1 < c.len() && c[i] == '\\' {
                let Some(n) = delimited(i + 2, c[i + 1]) else {
                    return Risk::Unknown;
                };
                i = n;
            }
            if i < c.len() && c[i] == ',' {
                i += 1;
                continue;
            }
            break;
        }
        while i < c.len() && (c[i] == '!' || c[i] == ' ') {
            i += 1;
        }
        if i >= c.len() {
            return Risk::Unknown;
        }
        let cmd = c[i];
        i += 1;
        match cmd {
            '{' | '}' | 'p' | 'P' | 'd' | 'D' | 'n' | 'N' | 'g' | 'G' | 'h' | 'H' | 'x' | '='
            | 'l' | 'z' | 'F' => {}
            'q' | 'Q' => {
                while i < c.len() && c[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // Branches and labels: the rest of the word is the label.
            'b' | 't' | 'T' | ':' => {
                while i < c.len() && c[i] != ';' && c[i] != '\n' && c[i] != '}' {
                    i += 1;
                }
            }
            's' | 'y' => {
                let Some(&d) = c.get(i) else {
                    return Risk::Unknown;
                };
                if d == '\\' || d == '\n' {
                    return Risk::Unknown;
                }
                let Some(n) = delimited(i + 1, d) else {
                    return Risk::Unknown;
                };
                let Some(n) = delimited(n, d) else {
                    return Risk::Unknown;
                };
                i = n;
                if cmd == 's' {
                    // Flags: g, p, i, I, m, M, a number. `w file` writes, `e` executes.
                    while i < c.len() && !matches!(c[i], ';' | '\n' | '}' | ' ') {
                        match c[i] {
                            'g' | 'p' | 'i' | 'I' | 'm' | 'M' | '0'..='9' => i += 1,
                            'w' | 'W' => return Risk::Write,
                            _ => return Risk::Unknown,
                        }
                    }
                }
            }
            // `a`/`i`/`c` add text to the output: the rest of the line is text.
            'a' | 'i' | 'c' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            // `r FILE` reads a file into the output.
            'r' | 'R' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            'w' | 'W' => return Risk::Write,
            _ => return Risk::Unknown,
        }
    }
}

/// `awk`: read when the program runs nothing (`system`, `| getline`, `print | "cmd"`) and
/// writes no file (`print > "file"`); `-f` program files are not seen.
fn awk(raw: &[String], a: &[&str]) -> Risk {
    if a.iter().any(|x| {
        matches!(
            *x,
            "-f" | "--file" | "-i" | "--include" | "-l" | "--load" | "-E" | "--exec"
        ) || x.starts_with("--file=")
    }) {
        return Risk::Unknown;
    }
    let Some(progs) = programs(
        raw,
        a,
        &["-F", "-v", "--assign", "--field-separator"],
        &["--source"],
    ) else {
        return Risk::Unknown;
    };
    match progs.first() {
        None => Risk::Unknown,
        Some(p) => awk_program(p),
    }
}

pub(super) fn awk_program(p: &str) -> Risk {
    // Strings and regex literals hold text, not code: blank them before looking.
    let mut code = String::with_capacity(p.len());
    let mut in_str = false;
    let mut chars = p.chars().peekable();
    while let Some(ch) = chars.next() {
        if in_str {
            if ch == '\\' {
                chars.next();
            } else if ch == '"' {
                in_str = false;
                code.push('"');
            }
            continue;
        }
        if ch == '"' {
            in_str = true;
            code.push('"');
        } else if ch == '#' {
            for n in chars.by_ref() {
                if n == '\n' {
                    break;
                }
            }
            code.push('\n');
        } else {
            code.push(ch);
        }
    }
    if code.contains("system")
        || code.contains("@load")
        || code.contains("getline") && code.contains('|')
    {
        return Risk::Unknown;
    }
    // A single `|` (not `||`) pipes output to a command.
    let b = code.as_bytes();
    for (i, ch) in b.iter().enumerate() {
        if *ch == b'|' && b.get(i + 1) != Some(&b'|') && (i == 0 || b[i - 1] != b'|') {
            return Risk::Unknown;
        }
    }
    // `print … > "file"` / `>>`: output to a file. A `>` in a pattern or an `if` is a
    // comparison; after `print`/`printf` in the same statement it is a redirection.
    for stmt in code.split([';', '\n', '{', '}']) {
        let t = stmt.trim_start();
        let printing = t.starts_with("print") || t.contains(" print") || t.contains(")print");
        if printing
            && let Some(at) = t.find("print")
            && t[at..].contains('>')
        {
            return Risk::Write;
        }
    }
    Risk::Read
}

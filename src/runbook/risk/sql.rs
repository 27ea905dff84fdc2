//! SQL given to psql/mysql/sqlite3, and those clients' own flags and meta-commands.
//!
//! A statement is `read` when it is a query (SELECT, SHOW, EXPLAIN without ANALYZE, TABLE,
//! VALUES, WITH…SELECT) that changes no row (no INSERT/UPDATE/DELETE/MERGE/INTO/FOR UPDATE
//! inside it) and calls only functions known to read; `pg_terminate_backend` and friends are
//! what they are, an unknown function is `unknown`. psql meta-commands are read only when
//! they describe (`\d`, `\l`, `\conninfo`…): `\!`, `\o`, `\copy`, `\gexec`, `\i` are not.

use super::Risk;

/// psql: `-c` queries decide; output files (`-o`, `-L`) write; `-f` scripts are not seen;
/// without a command it is an interactive session that can do anything.
pub(super) fn psql(args: &[&str]) -> Risk {
    let mut risk: Option<Risk> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        // A cluster of short options (`-tAc "SELECT 1"`, `-qAtX`): the options that take a
        // value take the rest of the cluster or the next word.
        if a.len() > 2 && a.starts_with('-') && !a.starts_with("--") {
            let flags: Vec<char> = a[1..].chars().collect();
            for (k, f) in flags.iter().enumerate() {
                if "tAqXxaenbw".contains(*f) {
                    continue;
                }
                if !"cdfhpUoLvFRPT".contains(*f) {
                    return Risk::Unknown;
                }
                let rest: String = flags[k + 1..].iter().collect();
                let value = if rest.is_empty() {
                    i += 1;
                    args.get(i).map(|v| v.to_string())
                } else {
                    Some(rest)
                };
                match f {
                    'c' => match value {
                        Some(q) => risk = Some(risk.unwrap_or(Risk::Read).max(sql(&q))),
                        None => return Risk::Unknown,
                    },
                    'f' => return Risk::Unknown,
                    'o' | 'L' => risk = Some(risk.unwrap_or(Risk::Read).max(Risk::Write)),
                    _ => {}
                }
                break;
            }
            i += 1;
            continue;
        }
        if a == "-c" || a == "--command" {
            if let Some(q) = args.get(i + 1) {
                risk = Some(risk.unwrap_or(Risk::Read).max(sql(q)));
            }
            i += 2;
            continue;
        }
        if let Some(q) = a.strip_prefix("--command=") {
            risk = Some(risk.unwrap_or(Risk::Read).max(sql(q)));
        }
        if matches!(a, "-f" | "--file") || a.starts_with("--file=") {
            return Risk::Unknown;
        }
        if matches!(a, "-o" | "--output" | "-L" | "--log-file")
            || a.starts_with("--output=")
            || a.starts_with("--log-file=")
        {
            risk = Some(risk.unwrap_or(Risk::Read).max(Risk::Write));
        }
        if matches!(a, "-l" | "--list" | "-V" | "--version") {
            risk = Some(risk.unwrap_or(Risk::Read));
        }
        i += 1;
    }
    risk.unwrap_or(Risk::Unknown)
}

/// mysql: `-e` queries decide, else it is interactive.
pub(super) fn mysql(args: &[&str]) -> Risk {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "-e" || a == "--execute" {
            return args.get(i + 1).map_or(Risk::Unknown, |q| sql(q));
        }
        if let Some(q) = a.strip_prefix("--execute=") {
            return sql(q);
        }
        if matches!(a, "--tee" | "--pager") || a.starts_with("--tee=") || a.starts_with("--pager=")
        {
            return Risk::Unknown;
        }
        i += 1;
    }
    Risk::Unknown
}

/// Functions a read-only query may call.
const READ_FUNCTIONS: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "current_user",
    "session_user",
    "current_database",
    "current_schema",
    "current_setting",
    "version",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "round",
    "floor",
    "ceil",
    "ceiling",
    "abs",
    "trunc",
    "date_trunc",
    "date_part",
    "extract",
    "age",
    "to_char",
    "to_timestamp",
    "to_date",
    "to_number",
    "lower",
    "upper",
    "length",
    "char_length",
    "substring",
    "substr",
    "position",
    "strpos",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "left",
    "right",
    "split_part",
    "replace",
    "concat",
    "concat_ws",
    "format",
    "string_agg",
    "array_agg",
    "array_length",
    "unnest",
    "json_agg",
    "jsonb_agg",
    "json_build_object",
    "jsonb_build_object",
    "jsonb_pretty",
    "json_extract_path_text",
    "jsonb_array_length",
    "row_number",
    "rank",
    "dense_rank",
    "lag",
    "lead",
    "percentile_cont",
    "percentile_disc",
    "stddev",
    "variance",
    "bool_and",
    "bool_or",
    "cast",
    "interval",
    "pg_size_pretty",
    "pg_database_size",
    "pg_relation_size",
    "pg_total_relation_size",
    "pg_table_size",
    "pg_indexes_size",
    "pg_is_in_recovery",
    "pg_last_xact_replay_timestamp",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_current_wal_lsn",
    "pg_wal_lsn_diff",
    "pg_postmaster_start_time",
    "pg_backend_pid",
    "pg_blocking_pids",
    "pg_stat_get_activity",
    "pg_get_userbyid",
    "pg_get_indexdef",
    "pg_get_viewdef",
    "pg_get_constraintdef",
    "pg_relation_filenode",
    "pg_xact_commit_timestamp",
    "txid_current_snapshot",
    "pg_stat_statements",
    "has_table_privilege",
    "quote_ident",
    "quote_literal",
    "md5",
    "encode",
    "decode",
    "regexp_replace",
    "regexp_matches",
    "date_add",
    "date_sub",
    "datediff",
    "timestampdiff",
    "ifnull",
    "if",
    "unix_timestamp",
    "from_unixtime",
    "database",
    "user",
    "group_concat",
    "sleep",
    "exists",
    "any",
    "all",
    "in",
    "filter",
    "over",
    "values",
    "as",
    "and",
    "or",
    "not",
    "on",
    "using",
    "from",
    "where",
    "when",
    "then",
    "else",
    "case",
    "is",
    "like",
    "ilike",
    "between",
    "distinct",
    "select",
    "with",
    "join",
    "numeric",
    "int",
    "integer",
    "bigint",
    "text",
    "varchar",
    "timestamp",
    "timestamptz",
    "date",
    "float",
    "double",
    "decimal",
    "char",
    "boolean",
    "bool",
    "jsonb",
    "json",
    "array",
    "row",
    "lateral",
    "within",
    "group",
    "partition",
    "by",
    "order",
];

/// Functions that end sessions or change the server.
const DESTRUCTIVE_FUNCTIONS: &[&str] = &[
    "pg_terminate_backend",
    "pg_drop_replication_slot",
    "pg_promote",
    "lo_unlink",
    "pg_replication_origin_drop",
];
const WRITE_FUNCTIONS: &[&str] = &[
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_restore_point",
    "set_config",
    "nextval",
    "setval",
    "lo_import",
    "lo_export",
    "pg_advisory_lock",
    "pg_advisory_xact_lock",
    "pg_try_advisory_lock",
    "dblink_exec",
    "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot",
    "pg_stat_reset",
    "pg_stat_statements_reset",
    "pg_wal_replay_pause",
    "pg_wal_replay_resume",
    "pg_file_write",
];

/// SQL by its statements.
pub fn sql(q: &str) -> Risk {
    let code = strip_literals(q);
    let mut risk = Risk::Read;
    for stmt in split_statements(&code) {
        risk = risk.max(statement(&stmt));
    }
    risk
}

/// String literals, quoted identifiers and comments blanked (`'x; DROP'` is text).
fn strip_literals(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let c: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\'' => {
                out.push_str("''");
                i += 1;
                while i < c.len() {
                    if c[i] == '\'' {
                        if c.get(i + 1) == Some(&'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            '"' | '`' => {
                let q = c[i];
                out.push('x');
                i += 1;
                while i < c.len() && c[i] != q {
                    i += 1;
                }
            }
            '-' if c.get(i + 1) == Some(&'-') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
                out.push('\n');
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < c.len() && !(c[i] == '*' && c[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
                out.push(' ');
            }
            ch => out.push(ch),
        }
        i += 1;
    }
    out
}

/// Statements and psql meta-commands (a backslash command ends at the end of its line).
fn split_statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in code.lines() {
        let t = line.trim_start();
        if t.starts_with('\\') {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(t.to_string());
            continue;
        }
        for (k, part) in line.split(';').enumerate() {
            if k > 0 {
                out.push(std::mem::take(&mut cur));
            }
            cur.push_str(part);
            cur.push(' ');
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn meta(cmd: &str) -> Risk {
    let name = cmd
        .trim_start_matches('\\')
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    match name {
        "d" | "dt" | "dt+" | "d+" | "di" | "di+" | "dv" | "dm" | "ds" | "dn" | "dn+" | "df"
        | "df+" | "du" | "dg" | "dp" | "dx" | "dx+" | "db" | "dc" | "dC" | "dD" | "dT" | "dy"
        | "des" | "det" | "deu" | "dew" | "dE" | "dRp" | "dRs" | "drds" | "dconfig" | "l"
        | "l+" | "list" | "conninfo" | "timing" | "x" | "pset" | "a" | "t" | "H" | "f" | "C"
        | "encoding" | "echo" | "qecho" | "warn" | "q" | "quit" | "errverbose" | "copyright"
        | "?" | "h" | "help" | "sf" | "sv" | "z" | "lo_list" | "dl" | "g" | "gx" | "gdesc"
        | "gset" | "set" | "unset" | "prompt" | "if" | "elif" | "else" | "endif" | "p" | "r" => {
            // `\g file` / `\g |cmd` send the result somewhere.
            let arg = cmd.trim_start_matches('\\')[name.len()..].trim();
            if matches!(name, "g" | "gx") && !arg.is_empty() {
                Risk::Write
            } else {
                Risk::Read
            }
        }
        "o" | "out" | "w" | "write" | "copy" | "lo_export" | "lo_import" | "s" => Risk::Write,
        "lo_unlink" => Risk::Destructive,
        // `\!` shell, `\i` file, `\gexec` runs results as SQL, `\setenv`, `\cd`, `\c`.
        _ => Risk::Unknown,
    }
}

fn statement(stmt: &str) -> Risk {
    let s = stmt.trim();
    if s.starts_with('\\') {
        return meta(s);
    }
    let upper = s.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(first) = words.first().copied() else {
        return Risk::Read;
    };
    let contains = |w: &str| words.contains(&w);
    let mut risk = match first {
        "SELECT" | "SHOW" | "TABLE" | "VALUES" | "WITH" | "DESCRIBE" | "DESC" => Risk::Read,
        // EXPLAIN ANALYZE executes the statement it explains: the words below raise it.
        "EXPLAIN" => Risk::Read,
        "BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END" | "SET" | "RESET" | "DISCARD"
        | "LISTEN" | "UNLISTEN" | "PREPARE" | "DEALLOCATE" | "FETCH" | "CLOSE" | "DECLARE"
        | "MOVE" => Risk::Read,
        "DROP" | "TRUNCATE" | "DELETE" => Risk::Destructive,
        "INSERT" | "UPDATE" | "CREATE" | "ALTER" | "GRANT" | "REVOKE" | "VACUUM" | "ANALYZE"
        | "ANALYSE" | "REINDEX" | "COPY" | "CALL" | "REFRESH" | "CLUSTER" | "COMMENT" | "LOCK"
        | "MERGE" | "REPLACE" | "RENAME" | "OPTIMIZE" | "CHECKPOINT" | "NOTIFY" | "SECURITY"
        | "IMPORT" | "LOAD" => Risk::Write,
        "KILL" => Risk::Destructive,
        _ => Risk::Unknown,
    };
    // Data changes inside a query (`WITH d AS (DELETE …)`, `EXPLAIN ANALYZE UPDATE`,
    // `SELECT … INTO new_table`, `FOR UPDATE` locks).
    if risk == Risk::Read {
        if contains("DELETE") || contains("TRUNCATE") || contains("DROP") {
            risk = Risk::Destructive;
        } else if contains("INSERT")
            || contains("UPDATE")
            || contains("MERGE")
            || contains("INTO")
            || contains("COPY")
        {
            risk = Risk::Write;
        }
        if first == "SET" && (contains("ROLE") || contains("AUTHORIZATION")) {
            risk = risk.max(Risk::Read);
        }
    }
    if risk >= Risk::Write && contains("PASSWORD") {
        risk = Risk::Destructive;
    }
    // Function calls: known readers pass, known writers raise, anything else is unknown.
    if matches!(
        first,
        "SELECT" | "WITH" | "VALUES" | "EXPLAIN" | "TABLE" | "SHOW"
    ) {
        risk = risk.max(functions(s));
    }
    risk
}

fn functions(s: &str) -> Risk {
    let mut risk = Risk::Read;
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_ascii_alphabetic() || c[i] == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_' || c[i] == '.') {
                i += 1;
            }
            let word = c[start..i].iter().collect::<String>().to_ascii_lowercase();
            let mut j = i;
            while j < c.len() && c[j] == ' ' {
                j += 1;
            }
            if c.get(j) == Some(&'(') {
                let name = word.rsplit('.').next().unwrap_or(&word);
                risk = risk.max(if DESTRUCTIVE_FUNCTIONS.contains(&name) {
                    Risk::Destructive
                } else if WRITE_FUNCTIONS.contains(&name) {
                    Risk::Write
                } else if READ_FUNCTIONS.contains(&name) || name.starts_with("pg_stat_get_") {
                    Risk::Read
                } else {
                    Risk::Unknown
                });
            }
            continue;
        }
        i += 1;
    }
    risk
}

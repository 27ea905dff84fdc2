//! What a code block really holds. Runbooks put Logs Insights queries, SQL, YAML, Dockerfiles
//! and prose bullets in `bash` fences; run as shell, each line becomes a "command" (`fields`,
//! `SELECT`, `image:`) that fails or, worse, does something else. A block is shell only when
//! its content reads as shell; otherwise it is reference-only under the language detected.

use std::sync::LazyLock;

use regex::Regex;

/// The language of a block's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Shell,
    LogsInsights,
    Sql,
    Yaml,
    Dockerfile,
    Prose,
    /// Only comments and blank lines: not a step at all.
    CommentsOnly,
}

impl Content {
    /// The name shown as the step's language.
    pub fn name(self) -> &'static str {
        match self {
            Content::Shell => "shell",
            Content::LogsInsights => "logs-insights",
            Content::Sql => "sql",
            Content::Yaml => "yaml",
            Content::Dockerfile => "dockerfile",
            Content::Prose => "text",
            Content::CommentsOnly => "comments",
        }
    }
}

const INSIGHTS: &[&str] = &[
    "fields", "filter", "stats", "sort", "limit", "parse", "display", "dedup", "pattern", "unmask",
    "diff",
];
const INSIGHTS_FIRST: &[&str] = &["fields", "filter", "stats", "parse", "display", "pattern"];
const SQL: &[&str] = &[
    "select", "insert", "update", "delete", "with", "vacuum", "analyze", "analyse", "create",
    "alter", "drop", "grant", "revoke", "explain", "show", "begin", "commit", "rollback",
    "truncate", "reindex", "copy", "merge", "upsert", "replace", "describe", "use", "values",
];
const DOCKERFILE: &[&str] = &[
    "FROM",
    "RUN",
    "COPY",
    "ADD",
    "ENV",
    "CMD",
    "ENTRYPOINT",
    "WORKDIR",
    "EXPOSE",
    "ARG",
    "USER",
    "LABEL",
    "VOLUME",
    "HEALTHCHECK",
    "SHELL",
    "STOPSIGNAL",
    "ONBUILD",
];

static YAML_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:-\s+)?["']?[A-Za-z_][A-Za-z0-9_./-]*["']?:(?:\s|$)|^\s*-\s+\S|^---\s*$|^\.\.\.\s*$"#)
        .expect("constant regex")
});

fn first_word(l: &str) -> &str {
    l.split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .next()
        .unwrap_or("")
}

/// What `code` (a block in a shell fence or without a language) holds.
pub fn detect(code: &str) -> Content {
    let lines: Vec<&str> = code
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let meaningful: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    if meaningful.is_empty() {
        return Content::CommentsOnly;
    }
    let first = meaningful[0].trim_start();
    let fw = first_word(first);
    // Logs Insights: `fields @timestamp …` then `| filter …` lines; a line that starts with
    // `|` is never shell.
    let piped = meaningful.iter().any(|l| {
        l.trim_start()
            .strip_prefix('|')
            .is_some_and(|r| INSIGHTS.contains(&first_word(r.trim_start())))
    });
    // `fields`, `filter`, `stats`, `parse` are no shell commands; `display` and `pattern`
    // may be, so they need a `| …` stage or an `@field`.
    if ["fields", "filter", "stats", "parse"].contains(&fw)
        || (INSIGHTS_FIRST.contains(&fw) && (piped || first.contains('@')))
    {
        return Content::LogsInsights;
    }
    // SQL: a statement keyword first (comments `--` aside), upper case or `;`-terminated.
    let sql_lines: Vec<&str> = meaningful
        .iter()
        .copied()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    if let Some(first_sql) = sql_lines.first() {
        let w = first_word(first_sql.trim_start());
        let keyword = SQL.contains(&w.to_ascii_lowercase().as_str());
        let upper = w.chars().all(|c| c.is_ascii_uppercase()) && w.len() > 1;
        let terminated = sql_lines.iter().any(|l| l.trim_end().ends_with(';'));
        let comments = meaningful.len() > sql_lines.len();
        if keyword && (upper || terminated || comments) {
            return Content::Sql;
        }
        if first_sql.trim_start().starts_with('\\') && first_sql.len() < 12 {
            // psql meta-commands (`\dt`, `\x`).
            return Content::Sql;
        }
    }
    // Dockerfile: instructions in upper case, FROM first or most lines.
    let instructions = meaningful
        .iter()
        .filter(|l| DOCKERFILE.contains(&first_word(l.trim_start())))
        .count();
    if (fw == "FROM" && instructions >= 1)
        || (instructions * 2 > meaningful.len() && instructions >= 2)
    {
        return Content::Dockerfile;
    }
    // YAML: `key: value` / `- item` lines throughout.
    let yaml = lines.iter().filter(|l| YAML_LINE.is_match(l)).count();
    if YAML_LINE.is_match(first) && yaml * 10 >= lines.len() * 7 && first.contains(':') {
        return Content::Yaml;
    }
    // Prose: bullets or sentences, none of them a command.
    if meaningful.iter().all(|l| is_prose(l)) {
        return Content::Prose;
    }
    Content::Shell
}

/// A bullet or a sentence: words, no shell operators, the first word no command.
fn is_prose(line: &str) -> bool {
    let t = line.trim_start();
    let (bullet, body) = match t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        Some(b) => (true, b),
        None => match t.split_once(". ") {
            Some((n, b)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => (true, b),
            _ => (false, t),
        },
    };
    if body.contains(['$', '|', '>', '<', ';', '&', '=', '`', '\\']) {
        return false;
    }
    let words: Vec<&str> = body.split_whitespace().collect();
    let Some(w0) = words.first() else {
        return bullet;
    };
    let capital = w0.starts_with(|c: char| c.is_ascii_uppercase());
    let command = super::risk::classify(body) != super::Risk::Unknown
        && !w0.starts_with(|c: char| c.is_ascii_uppercase());
    !command && (bullet || (capital && words.len() >= 4))
}

/// The query of a Logs Insights block as one line for the Insights prompt: comments dropped,
/// lines joined (each `| …` command stays a pipeline stage).
pub fn insights_query(code: &str) -> String {
    code.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_in_shell_fences() {
        let cases = [
            (
                "fields @timestamp, @message\n| filter @message like /ERROR/\n| sort @timestamp desc\n| limit 20",
                Content::LogsInsights,
            ),
            ("stats count(*) by bin(5m)", Content::LogsInsights),
            ("display -resize 50% shot.png", Content::Shell),
            ("filter @message like /timeout/", Content::LogsInsights),
            (
                "SELECT pid, state, query\nFROM pg_stat_activity\nWHERE state != 'idle';",
                Content::Sql,
            ),
            ("VACUUM ANALYZE;", Content::Sql),
            ("-- long transactions\nselect * from pg_locks", Content::Sql),
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3",
                Content::Yaml,
            ),
            (
                "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]",
                Content::Dockerfile,
            ),
            (
                "- Check the dashboard for the error spike\n- Page the database on-call",
                Content::Prose,
            ),
            (
                "Verify that the deploy finished before going on.",
                Content::Prose,
            ),
            ("# only a note\n\n# another", Content::CommentsOnly),
            (
                "aws ecs describe-services --cluster c --services s",
                Content::Shell,
            ),
            ("sort -n /tmp/x | head", Content::Shell),
            (
                "set -euo pipefail\nupdate-alternatives --list java",
                Content::Shell,
            ),
            ("kubectl get pods -n prod", Content::Shell),
            ("psql -c 'SELECT 1'", Content::Shell),
            ("export AWS_PROFILE=prod\naws s3 ls", Content::Shell),
        ];
        for (code, want) in cases {
            assert_eq!(detect(code), want, "{code}");
        }
    }

    #[test]
    fn query_for_the_prompt() {
        assert_eq!(
            insights_query("# errors\nfields @timestamp\n| filter level = 'ERROR'\n"),
            "fields @timestamp | filter level = 'ERROR'"
        );
    }
}

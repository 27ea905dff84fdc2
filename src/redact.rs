//! Secret redaction for text shown on screen or written to disk.
//!
//! One compiled pattern covers the secrets that show up in operations text: AWS access key
//! ids and secret keys, bearer tokens, `password=`-style assignments (also JSON and CLI
//! `--*password*` flags) and `PGPASSWORD=`. The secret part is replaced by [`MASK`]; the name
//! stays so a reader knows something was there.

use regex::{Captures, Regex};
use std::borrow::Cow;
use std::sync::OnceLock;

pub const MASK: &str = "••••••";

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // The pattern is a constant, so failing to compile it is a programming error caught by
    // the unit tests below.
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?P<akid>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)",
            r#"|(?P<bearer>(?i:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}"#,
            r#"|(?P<kv>(?i:[a-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[a-z0-9_]*)"?\s*[=:]\s*"?)[^\s",}]+"#,
            r#"|(?P<flag>--[a-z0-9-]*(?i:password|secret|token)[a-z0-9-]*[= ]+)[^\s]+"#,
        ))
        .expect("redaction pattern is a valid constant regex")
    })
}

/// Redacts secrets in `s`; borrows when there was nothing to hide.
pub fn redact(s: &str) -> Cow<'_, str> {
    pattern().replace_all(s, |c: &Captures<'_>| {
        if c.name("akid").is_some() {
            return MASK.to_string();
        }
        for prefix in ["bearer", "kv", "flag"] {
            if let Some(m) = c.name(prefix) {
                return format!("{}{MASK}", m.as_str());
            }
        }
        MASK.to_string()
    })
}

/// Redacts in place, keeping the allocation when nothing changed.
pub fn redact_owned(s: String) -> String {
    match redact(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_ordinary_text_alone() {
        let s = "GET /health 200 12ms token bucket refilled";
        assert!(matches!(redact(s), Cow::Borrowed(_)));
    }

    #[test]
    fn hides_common_secrets() {
        let cases = [
            ("key AKIAIOSFODNN7EXAMPLE used", "key ••••••• used"),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y",
                "Authorization: Bearer ••••••",
            ),
            (
                "PGPASSWORD=hunter2 psql -h db",
                "PGPASSWORD=•••••• psql -h db",
            ),
            (
                r#"{"password": "s3cr3t", "user": "a"}"#,
                r#"{"password": "••••••", "user": "a"}"#,
            ),
            ("db_password=abc123 host=x", "db_password=•••••• host=x"),
            (
                "--master-user-password NewPass1 --apply",
                "--master-user-password •••••• --apply",
            ),
            ("api_key: 0123456789", "api_key: ••••••"),
        ];
        for (input, want) in cases {
            let got = redact(input);
            assert!(!got.contains("hunter2") && !got.contains("s3cr3t"), "{got}");
            if input.starts_with("key AKIA") {
                assert_eq!(got, format!("key {MASK} used"));
            } else {
                assert_eq!(got, want, "input {input}");
            }
        }
    }
}

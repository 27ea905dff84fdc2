//! Secret redaction for text shown on screen or written to disk.
//!
//! Two layers. Patterns catch the shapes secrets take in operations text: AWS access key
//! ids, bearer and Basic authorisation, `password=`-style assignments (also JSON and
//! `--*password*` flags), `PGPASSWORD=`, credentials in URLs (`postgres://user:pw@host`),
//! GitHub, GitLab, Slack, Stripe and Google tokens, JWTs, PEM private key blocks and
//! `mysql -pPASSWORD`. A [`Redactor`] adds the exact values the operator typed into secret
//! fields (and secret defaults), wherever they appear. The secret part is replaced by
//! [`MASK`]; the name stays so a reader knows something was there. A reference to a variable
//! (`$DB_PASSWORD`, `${DB_PASSWORD:0:4}`) is not a secret and is left readable.

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
            r"(?s)(?P<pem>-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----)(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|.*)",
            // An access key id with its 40-character secret beside it (CSV, `aws configure
            // list`, a pasted pair): both go.
            r"|(?P<akpair>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b[\s,:;|=]+[A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])",
            r"|(?P<akid>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)",
            r"|(?P<token>\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(?:sk|rk)_live_[A-Za-z0-9]{16,}|AIza[A-Za-z0-9_-]{35}|npm_[A-Za-z0-9]{36})\b)",
            r"|(?P<jwt>\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
            r"|(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@",
            r#"|(?P<auth>(?i:bearer\s+|authorization:\s*(?:basic|token|digest)\s+))[A-Za-z0-9._~+/=-]{8,}"#,
            r#"|(?P<kv>(?i:[a-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[a-z0-9_]*)"?\s*[=:]\s*"?)[^\s",}]+"#,
            // `pass`, `pwd`, `db_pass`, `DB_PWD` as a whole key or its last part (not `bypass`).
            r#"|(?P<kvp>\b(?i:(?:[a-z0-9]+[_.-])*(?:pass|pwd))"?\s*[=:]\s*"?)[^\s",}]+"#,
            r#"|(?P<flag>--[a-z0-9-]*(?i:password|secret|token)[a-z0-9-]*[= ]+)[^\s]+"#,
            r#"|(?P<mysql>\b(?:mysql|mysqldump|mysqladmin|mysqlcheck|mysqlimport|mysqlshow|mysqlslap|mariadb|mariadb-dump|mariadb-admin)\b[^\n|;&]*?\s-p)[^\s'"]+"#,
        ))
        .expect("redaction pattern is a valid constant regex")
    })
}

/// Words that follow `name: ` in error messages and are never a secret's value.
const NOT_VALUES: &[&str] = &[
    "permission",
    "the",
    "not",
    "no",
    "none",
    "null",
    "missing",
    "invalid",
    "expired",
    "denied",
    "required",
    "unset",
    "empty",
    "access",
];

/// Redacts secrets in `s`; borrows when there was nothing to hide.
pub fn redact(s: &str) -> Cow<'_, str> {
    pattern().replace_all(s, |c: &Captures<'_>| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        if let Some(m) = c.name("pem") {
            return format!("{}{MASK}", m.as_str());
        }
        if let Some(m) = c.name("akpair") {
            // What followed the secret (a separator) stays.
            return format!("{MASK} {MASK}{}", &whole[m.as_str().len()..]);
        }
        if c.name("akid").is_some() || c.name("token").is_some() || c.name("jwt").is_some() {
            return MASK.to_string();
        }
        if let Some(m) = c.name("url") {
            return format!("{}{MASK}@", m.as_str());
        }
        for prefix in ["auth", "kv", "kvp", "flag", "mysql"] {
            if let Some(m) = c.name(prefix) {
                let value = &whole[m.as_str().len()..];
                // `${DB_PASSWORD:0:4}`, `PGPASSWORD=$PW`: references, not secrets.
                let before = c.get(0).map_or(0, |g| g.start());
                let is_ref = value.starts_with('$')
                    || value.starts_with("\"$")
                    || (prefix.starts_with("kv")
                        && before > 0
                        && s[..before].ends_with(['{', '$']));
                // `…/credentials: Permission denied`, `WebIdentityToken: the provider…`: an
                // error's words after a name, not a value (none of them is a credible secret).
                let prose = prefix.starts_with("kv")
                    && m.as_str().trim_end().ends_with(':')
                    && NOT_VALUES.contains(&value.to_ascii_lowercase().as_str());
                if is_ref || prose {
                    return whole.to_string();
                }
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

/// Characters a value can be split with and still read the same on screen: controls (and
/// the visible pictures `sanitize` puts for them), zero-width and format characters.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xfeff | 0xad | 0x180e | 0x2400..=0x2421)
        || c == '�'
}

/// Masks `secret` in `s` also where invisible characters were put inside it
/// (`hun\u{7}ter2`, `hun\u{200b}ter2`): matched with them removed, masked in place.
fn mask_through_invisible(s: &str, secret: &str) -> String {
    let want: String = secret.chars().filter(|c| !invisible(*c)).collect();
    if want.chars().count() < MIN_SECRET_LEN {
        return s.to_string();
    }
    // The visible characters and where each starts and ends in `s`.
    let mut seen = String::with_capacity(s.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, c) in s.char_indices() {
        if !invisible(c) {
            seen.push(c);
            for _ in 0..c.len_utf8() {
                spans.push((i, i + c.len_utf8()));
            }
        }
    }
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(p) = seen[from..].find(&want) {
        let a = from + p;
        let b = a + want.len();
        cuts.push((spans[a].0, spans[b - 1].1));
        from = b;
    }
    if cuts.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in cuts {
        out.push_str(&s[last..a]);
        out.push_str(MASK);
        last = b;
    }
    out.push_str(&s[last..]);
    out
}

/// Shortest value masked by exact match: shorter ones would blank ordinary text.
pub const MIN_SECRET_LEN: usize = 3;

/// Patterns plus the exact secret values of this session, and the state of a line stream
/// (inside a PEM private key block, every line is masked until its END line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    values: Vec<String>,
    in_pem: bool,
}

impl Redactor {
    pub fn new(values: impl IntoIterator<Item = String>) -> Redactor {
        let mut r = Redactor::default();
        for v in values {
            r.add(&v);
        }
        r
    }

    /// A value that must never be shown or written (a secret placeholder's value).
    pub fn add(&mut self, value: &str) {
        let value = value.trim_end_matches(['\n', '\r']);
        if value.chars().count() >= MIN_SECRET_LEN && !self.values.iter().any(|s| s == value) {
            self.values.push(value.to_string());
            // Longest first, so a secret containing another is masked whole.
            self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
        // Each line of a multi-line secret is a secret too (output comes line by line).
        if value.contains('\n') {
            for line in value.lines().filter(|l| l.trim().chars().count() >= 8) {
                self.add(line.trim());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Patterns and known values masked in a whole text.
    pub fn scrub(&self, s: &str) -> String {
        let mut out = redact(s).into_owned();
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        if out.chars().any(invisible) {
            for secret in &self.values {
                out = mask_through_invisible(&out, secret);
            }
        }
        out
    }

    /// One line of a stream: like [`scrub`](Self::scrub), and the lines of a PEM private
    /// key block are masked even though each arrives alone.
    pub fn line(&mut self, s: &str) -> String {
        let begins = s.contains("-----BEGIN ") && s.contains("PRIVATE KEY");
        let ends = s.contains("-----END ") && s.contains("PRIVATE KEY");
        if self.in_pem {
            if ends {
                self.in_pem = false;
                return s.to_string();
            }
            return MASK.to_string();
        }
        if begins && !ends {
            self.in_pem = true;
        }
        self.scrub(s)
    }
}

/// PEM private key blocks in log streams where each line is its own event (a stack trace
/// or a config dump logged line by line): the lines between BEGIN and END of one stream are
/// masked, whatever other streams interleave.
#[derive(Debug, Clone, Default)]
pub struct PemStreams {
    open: std::collections::HashSet<String>,
}

impl PemStreams {
    /// `line` of the stream `key`, masked when it is inside a private key block.
    pub fn line(&mut self, key: &str, line: String) -> String {
        let begins = line.contains("-----BEGIN ") && line.contains("PRIVATE KEY");
        let ends = line.contains("-----END ") && line.contains("PRIVATE KEY");
        if self.open.contains(key) {
            if ends {
                self.open.remove(key);
                return line;
            }
            return MASK.to_string();
        }
        if begins && !ends {
            // Bounded: a stream that never ends its block is forgotten with the others.
            if self.open.len() > 10_000 {
                self.open.clear();
            }
            self.open.insert(key.to_string());
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_ordinary_text_alone() {
        for s in [
            "GET /health 200 12ms token bucket refilled",
            "echo ${DB_PASSWORD:0:4}",
            "PGPASSWORD=$DB_PASSWORD psql -h db",
            "PGPASSWORD=\"$DB_PASSWORD\" psql -h db",
            "mysql -p -h db",
            "https://example.com/path",
            "ssh -p2222 host",
        ] {
            assert_eq!(redact(s), s, "{s}");
        }
        assert!(matches!(redact("plain"), Cow::Borrowed(_)));
    }

    /// One case per secret shape.
    #[test]
    fn hides_every_secret_shape() {
        let cases = [
            (
                "key AKIAIOSFODNN7EXAMPLE used",
                "key ••••••• used".replace("•••••••", MASK),
            ),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y",
                format!("Authorization: Bearer {MASK}"),
            ),
            (
                "Authorization: Basic dXNlcjpodW50ZXIy",
                format!("Authorization: Basic {MASK}"),
            ),
            (
                "PGPASSWORD=hunter2 psql -h db",
                format!("PGPASSWORD={MASK} psql -h db"),
            ),
            (
                r#"{"password": "s3cr3t", "user": "a"}"#,
                format!(r#"{{"password": "{MASK}", "user": "a"}}"#),
            ),
            (
                "db_password=abc123 host=x",
                format!("db_password={MASK} host=x"),
            ),
            (
                "--master-user-password NewPass1 --apply",
                format!("--master-user-password {MASK} --apply"),
            ),
            ("api_key: 0123456789", format!("api_key: {MASK}")),
            (
                "postgres://app:hunter2@db.internal:5432/ledger",
                format!("postgres://app:{MASK}@db.internal:5432/ledger"),
            ),
            (
                "redis://default:s3cr3tpw@cache:6379",
                format!("redis://default:{MASK}@cache:6379"),
            ),
            (
                "token ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                format!("token {MASK}"),
            ),
            (
                "export GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
                format!("export GH={MASK}"),
            ),
            (
                "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                format!("SLACK={MASK}"),
            ),
            (
                "mysql -u root -phunter2 -h db",
                format!("mysql -u root -p{MASK} -h db"),
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
                format!("jwt {MASK}"),
            ),
            ("glpat-abcdefghijklmnopqrst1", MASK.to_string()),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "input {input}");
        }
        let pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabcdef\n-----END RSA PRIVATE KEY-----\ndone";
        let got = redact(pem);
        assert!(
            !got.contains("MIIEowIBAAKCAQEA") && got.ends_with("done"),
            "{got}"
        );
    }

    #[test]
    fn new_shapes_of_secrets() {
        let pair = redact("AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,default");
        assert!(!pair.contains("wJalr") && !pair.contains("AKIA"), "{pair}");
        assert!(pair.ends_with(",default"), "{pair}");
        for (text, leak) in [
            ("db_pass: hunter22", "hunter22"),
            ("{\"pass\": \"hunter22\"}", "hunter22"),
            ("DB_PWD=hunter22", "hunter22"),
            ("pwd = 'hunter22'", "hunter22"),
            ("redis://:hunter22@cache:6379/0", "hunter22"),
            (
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "wJalr",
            ),
        ] {
            assert!(!redact(text).contains(leak), "{text} → {}", redact(text));
        }
        for plain in [
            "bypass: true",
            "compass=north",
            "the pwd command",
            "cat: /home/op/.aws/credentials: Permission denied",
            "WebIdentityToken: the credential provider was not enabled",
        ] {
            assert_eq!(redact(plain), plain);
        }
        // A typed value split by a BEL (shown as ␇) or a zero-width space is masked whole.
        let r = Redactor::new(["hunter2-typed".to_string()]);
        for shown in [
            "pw hunter␇2-typed end",
            "pw hun\u{200b}ter2-typed end",
            "pw hunter2-t\u{feff}yped",
        ] {
            let out = r.scrub(shown);
            assert!(
                out.contains(MASK) && !out.contains("typed"),
                "{shown} → {out}"
            );
        }
        // PEM lines that each arrive alone, interleaved with another stream.
        let mut p = PemStreams::default();
        let a = |p: &mut PemStreams, l: &str| p.line("api", l.to_string());
        assert_eq!(
            a(&mut p, "-----BEGIN RSA PRIVATE KEY-----"),
            "-----BEGIN RSA PRIVATE KEY-----"
        );
        assert_eq!(p.line("web", "GET / 200".into()), "GET / 200");
        assert_eq!(a(&mut p, "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn"), MASK);
        assert_eq!(
            a(&mut p, "-----END RSA PRIVATE KEY-----"),
            "-----END RSA PRIVATE KEY-----"
        );
        assert_eq!(a(&mut p, "next line"), "next line");
    }

    #[test]
    fn known_values_and_streams() {
        let mut r = Redactor::new(["hunter2".to_string(), "ab".to_string()]);
        assert_eq!(
            r.scrub("pw is hunter2, ab stays"),
            format!("pw is {MASK}, ab stays")
        );
        let lines = [
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAA",
            "-----END OPENSSH PRIVATE KEY-----",
            "after",
        ];
        let out: Vec<String> = lines.iter().map(|l| r.line(l)).collect();
        assert!(!out.iter().any(|l| l.contains("b3Blbn")), "{out:?}");
        assert_eq!(out[3], "after");
    }
}

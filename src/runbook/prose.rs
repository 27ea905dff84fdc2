//! Placeholders written as prose: values a runbook's author meant to be replaced but wrote as
//! ordinary text — `your-domain.com`, `sg-xxx`, `arn:aws:elasticloadbalancing:...`,
//! `app:PREVIOUS_VERSION`, `arn:aws:iam::ACCOUNT:role/x`, `core-agent:previous-tag`,
//! `s3-bucket-name`. Run literally, they fail at best and act on the wrong thing at worst, so
//! each becomes a placeholder the operator is asked for, exactly like `<name>`
//! ([`super::placeholders`]); [`super::render`] replaces the literal with a quoted reference.
//!
//! Each shape is a pattern over the commands (comments excluded) with a boundary rule, so a
//! shape is recognised only in a value position: `$PREVIOUS_VERSION` is a variable, `ERROR`
//! after `--filter-pattern` is a value. What looks like a placeholder but is not certain
//! (`--state CUSTOM_VALUE`, a word with `xxx` in it) is reported by [`ambiguous`] for lint.

use regex::Regex;
use std::sync::LazyLock;

/// A prose placeholder found in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The text as written, replaced wherever it stands in a value position.
    pub text: String,
    /// The placeholder's name (`security-group-id`, `domain`, `previous-version`).
    pub name: String,
    /// Which shape it is (for lint and the note on the form).
    pub shape: Shape,
    /// 0-based line in the block.
    pub line: usize,
}

/// The shapes recognised, each with a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `your-domain.com`, `my-bucket`, `your_api_key`.
    YourMy,
    /// `api.example.com`, `example.org`.
    ExampleHost,
    /// `sg-xxx`, `subnet-XXXX`, `vpc-…`, `i-0123456789abcdef0`.
    AwsIdFiller,
    /// `arn:aws:elasticloadbalancing:...`, `app/...`, `loadbalancer/app/.../123`.
    Elision,
    /// `ACCOUNT` or `REGION` in an ARN, `123456789012`.
    ArnSegment,
    /// `app:PREVIOUS_VERSION`: an ALL-CAPS tag or revision after a name.
    CapsTag,
    /// `core-agent:previous-tag`, `api:prev-release`.
    PreviousTag,
    /// `s3-bucket-name`, `bucket-name`, `BUCKET_NAME`.
    BucketName,
    /// `CHANGEME`, `REPLACE_ME`, `TODO`.
    ChangeMe,
    /// `--cluster CLUSTER_NAME`: an ALL-CAPS value named like what it stands for.
    CapsValue,
    /// `{execution-arn}`, `{query-id}`: a name in braces (not bash's `${x}` or `{a,b}`).
    Braces,
    /// `xyz789`, `abc123`, `us-east-1_abc123`: a sample id.
    SampleId,
    /// `AKIAIOSFODNN7EXAMPLE`, `i-1234567890EXAMPLE`: AWS's documentation values.
    ExampleValue,
    /// `--overrides ...`: an argument elided whole.
    Ellipsis,
    /// `--password NewPassword123!`: a literal after a secret flag (asked for, masked).
    LiteralSecret,
    /// `MESSAGE="$1"`: a script argument (a step has none; under `set -u` it aborts).
    ScriptArg,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::YourMy => "a your-/my- name",
            Shape::ExampleHost => "an example host",
            Shape::AwsIdFiller => "a filler AWS id",
            Shape::Elision => "an elided ARN or id",
            Shape::ArnSegment => "a placeholder inside an ARN",
            Shape::CapsTag => "an ALL-CAPS tag",
            Shape::PreviousTag => "a previous-tag",
            Shape::BucketName => "a bucket-name",
            Shape::ChangeMe => "a CHANGEME marker",
            Shape::CapsValue => "an ALL-CAPS value",
            Shape::Braces => "a name in braces",
            Shape::SampleId => "a sample id",
            Shape::ExampleValue => "an AWS documentation example value",
            Shape::Ellipsis => "an elided argument",
            Shape::LiteralSecret => "a literal secret",
            Shape::ScriptArg => "a script argument",
        }
    }
}

/// Number of shapes recognised (for `runbook lint --stats` and the docs).
pub const SHAPES: usize = 16;

static POSITIONAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$(?:\{([1-9])\}|([1-9]))").expect("constant regex"));
static ASSIGNED_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:local\s+|export\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=["']?$"#)
        .expect("constant regex")
});

/// Inside single quotes at `at` (on its line), command substitutions opening a quoting
/// context of their own (`eval "$(… | awk '{print $1}')"`): awk's `$1` is not the script's.
fn in_single_quotes(src: &str, at: usize) -> bool {
    super::shell::quote_at(src, at, true) == super::shell::Quote::Single
}

static BRACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\}").expect("constant regex"));
static SAMPLE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b|_)((?:abc|xyz|abcd|abcdef)[0-9]{3,6})\b").expect("constant regex")
});
static EXAMPLE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9/+_-]*EXAMPLE[A-Za-z0-9/+_-]*").expect("constant regex")
});
static ELLIPSIS_ARG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)(?:^|[ \t=])(\.\.\.|…)(?:[ \t]|$)").expect("constant regex"));
static SECRET_FLAG_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"--((?:[a-z0-9]+-)*(?:password|passwd|secret|token|api-key|secret-key|passphrase))[ =]['"]?([^\s'"$<`{][^\s'"]*)"#)
        .expect("constant regex")
});
/// A 9-digit sample account (`123456789`) where an account id goes: after `::` or `.com/`.
static SHORT_ACCOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:::|amazonaws\.com/)(123456789)\b").expect("constant regex"));

static YOUR_MY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:your|my)[-_]([a-z0-9][a-z0-9_.-]*[a-z0-9])").expect("constant regex")
});
static EXAMPLE_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[a-z0-9-]+\.)*example\.(?:com|org|net)\b").expect("constant regex")
});
static AWS_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(sg|subnet|vpc|i|ami|vol|snap|eni|igw|rtb|nat|acl|eipalloc|lt|tgw|pcx|vpce)-(x{3,}|X{3,}|\.\.\.|…|0?123456789abcdef0?|1234567890abcdef0|12345678)(?:[^A-Za-z0-9]|$)")
        .expect("constant regex")
});
/// A word with `...`/`…` next to an id or ARN part: `arn:aws:x:...`, `app/...`, `.../123`.
static ELISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9:/._=-]*(?:[:/]\.\.\.|[:/]…|\.\.\.[:/]|…[:/])[A-Za-z0-9:/._=…-]*")
        .expect("constant regex")
});
static ARN_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"arn:aws[a-z-]*:[^\s'\x22]*").expect("constant regex"));
static DOCS_ACCOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(123456789012|111122223333)\b").expect("constant regex"));
static CAPS_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-z][a-z0-9._/-]*:([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})\b")
        .expect("constant regex")
});
static PREVIOUS_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-z][a-z0-9._/-]*:((?:previous|prev|old|last-good|last-known-good)(?:[-_][a-z0-9]+)*|[a-z]+-tag)\b")
        .expect("constant regex")
});
static BUCKET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:[a-z0-9]+-)*bucket-name|BUCKET_NAME|BUCKET)\b").expect("constant regex")
});
static CHANGE_ME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(CHANGEME|CHANGE_ME|REPLACE_ME|REPLACEME|TODO|FIXME|TBD)\b")
        .expect("constant regex")
});
/// `--flag VALUE` / `--flag=VALUE` where VALUE is ALL-CAPS.
static CAPS_FLAG_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"--?[a-z][a-z0-9-]*[ =]['"]?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\b"#)
        .expect("constant regex")
});

/// The nouns that make an ALL-CAPS value a placeholder (`CLUSTER_NAME`, `FUNCTION`, `ARN`).
const VALUE_NOUNS: &[&str] = &[
    "NAME",
    "ID",
    "ARN",
    "URL",
    "HOST",
    "HOSTNAME",
    "REGION",
    "ACCOUNT",
    "VERSION",
    "TAG",
    "BUCKET",
    "CLUSTER",
    "SERVICE",
    "FUNCTION",
    "TABLE",
    "QUEUE",
    "TOPIC",
    "ENDPOINT",
    "IP",
    "PORT",
    "DOMAIN",
    "INSTANCE",
    "ALIAS",
    "REVISION",
    "IMAGE",
    "KEY",
    "USER",
    "USERNAME",
    "DATABASE",
    "DB",
    "GROUP",
    "ROLE",
    "PROFILE",
    "ENV",
    "ENVIRONMENT",
    "STAGE",
    "PATH",
    "FILE",
    "DIR",
    "SNAPSHOT",
    "TASK",
    "CONTAINER",
    "NAMESPACE",
    "DEPLOYMENT",
    "POD",
];

/// ALL-CAPS words that are values in their own right (log levels, states, methods, SQL).
const CAPS_CONSTANTS: &[&str] = &[
    "ERROR",
    "WARN",
    "WARNING",
    "INFO",
    "DEBUG",
    "TRACE",
    "FATAL",
    "OK",
    "ALARM",
    "INSUFFICIENT_DATA",
    "ENABLED",
    "DISABLED",
    "ACTIVE",
    "INACTIVE",
    "PENDING",
    "RUNNING",
    "STOPPED",
    "DRAINING",
    "PRIMARY",
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
    "OPTIONS",
    "ASC",
    "DESC",
    "TRUE",
    "FALSE",
    "NONE",
    "ALL",
    "JSON",
    "TEXT",
    "TABLE",
    "YAML",
    "UTF8",
    "UTF-8",
    "UTC",
    "FIFO",
    "LATEST",
    "TRIM_HORIZON",
    "AT_TIMESTAMP",
    "NEW_IMAGE",
    "OLD_IMAGE",
    "KEYS_ONLY",
    "NEW_AND_OLD_IMAGES",
    "PAY_PER_REQUEST",
    "PROVISIONED",
    "SUM",
    "AVERAGE",
    "MAXIMUM",
    "MINIMUM",
    "EXPIRED",
    "FAILED",
    "SUCCEEDED",
    "ABORTED",
    "TIMED_OUT",
    "ALLOW",
    "DENY",
    "TCP",
    "UDP",
    "HTTP",
    "HTTPS",
    "AND",
    "OR",
    "NOT",
    "STANDARD",
    "ONE_ZONE_IA",
    "GLACIER",
    "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING",
    "STANDARD_IA",
    "AWS_PROXY",
    "REQUEST",
    "RESPONSE",
    "EOF",
    "END",
    "USD",
];

/// `CLUSTER_NAME` → `cluster-name`.
fn kebab(s: &str) -> String {
    s.to_ascii_lowercase().replace('_', "-")
}

/// A character that continues a word: a match must not start or end inside one.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `text` stands in a value position of `code` at `at`: not part of a longer word,
/// not a `$VARIABLE`, not the name of an assignment.
pub fn boundary_ok(code: &str, at: usize, len: usize) -> bool {
    let prev = code[..at].chars().next_back();
    let next = code[at + len..].chars().next();
    let after_next = code[at + len..].chars().nth(1);
    let joins_prev = prev.is_some_and(|p| word_char(p) || matches!(p, '$' | '{' | '-' | '.'));
    let joins_next = next.is_some_and(|n| word_char(n) || n == '=' || n == '-')
        // `name.` at a sentence end is fine; `name.x` continues the word.
        || (next == Some('.') && after_next.is_some_and(word_char));
    !(joins_prev || joins_next)
}

/// The code without comments (`# …` lines and trailing comments), same length per line so
/// offsets stay valid. A `#` starts a comment where bash says so: unquoted (by the one quote
/// reader, [`super::shell::QuoteReader`]: escapes, `$'…'`, substitutions), at the start of
/// a word; read line by line, as the prose shapes are.
fn without_comments(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut quotes = super::shell::QuoteReader::new(body);
        let bytes = body.as_bytes();
        let cut = (0..bytes.len())
            .find(|&i| {
                bytes[i] == b'#'
                    && (i == 0 || starts_word(bytes, i))
                    && quotes.at(i) == super::shell::Quote::Unquoted
            })
            .unwrap_or(body.len());
        out.push_str(&body[..cut]);
        out.extend(std::iter::repeat_n(' ', body.len() - cut));
        out.push_str(nl);
    }
    out
}

/// Whether byte `i` starts a word: after an unescaped blank or an operator (`;`, `|`, `&`,
/// `(`, `)`), or at the line's start.
fn starts_word(bytes: &[u8], i: usize) -> bool {
    let prev = bytes[i - 1];
    let blank_or_op = matches!(prev, b' ' | b'\t' | b';' | b'|' | b'&' | b'(' | b')');
    // An escaped blank is part of the word (`a\ #b` is one word).
    let escaped = bytes[..i - 1]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1;
    blank_or_op && !escaped
}

/// The prose placeholders of a block, in order of first appearance, one per distinct text.
pub fn find(code: &str) -> Vec<Literal> {
    // Long on purpose: one pass per shape, each a few lines; the order is the priority.
    let src = without_comments(code);
    let mut hits: Vec<(usize, usize, String, Shape)> = Vec::new();
    let mut add = |start: usize, end: usize, name: String, shape: Shape| {
        if start < end && boundary_ok(&src, start, end - start) {
            hits.push((start, end, name, shape));
        }
    };
    for m in ELISION.find_iter(&src) {
        let t = m.as_str();
        if t.chars().filter(|c| c.is_ascii_alphanumeric()).count() < 2 {
            continue;
        }
        let name = flag_before(&src, m.start())
            .unwrap_or_else(|| if t.contains("arn:") { "arn" } else { "id" }.to_string());
        add(m.start(), m.start() + t.len(), name, Shape::Elision);
    }
    for c in AWS_ID.captures_iter(&src) {
        let (Some(whole), Some(kind), Some(fill)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let name = match kind.as_str() {
            "sg" => "security-group-id",
            "subnet" => "subnet-id",
            "vpc" => "vpc-id",
            "i" => "instance-id",
            "ami" => "ami-id",
            "vol" => "volume-id",
            "snap" => "snapshot-id",
            "eni" => "network-interface-id",
            "igw" => "internet-gateway-id",
            "rtb" => "route-table-id",
            "nat" => "nat-gateway-id",
            "acl" => "network-acl-id",
            "eipalloc" => "allocation-id",
            "lt" => "launch-template-id",
            "tgw" => "transit-gateway-id",
            "pcx" => "peering-connection-id",
            _ => "endpoint-id",
        };
        add(
            whole.start(),
            fill.end(),
            name.to_string(),
            Shape::AwsIdFiller,
        );
    }
    for c in YOUR_MY.captures_iter(&src) {
        let (Some(whole), Some(rest)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let base = rest
            .as_str()
            .trim_end_matches(".com")
            .trim_end_matches(".org")
            .trim_end_matches(".net")
            .replace('.', "-");
        add(whole.start(), whole.end(), kebab(&base), Shape::YourMy);
    }
    for m in EXAMPLE_HOST.find_iter(&src) {
        let name = match m.as_str().split('.').next() {
            Some(sub) if sub != "example" && sub != "www" => format!("{sub}-host"),
            _ => "host".to_string(),
        };
        add(m.start(), m.end(), name, Shape::ExampleHost);
    }
    for m in ARN_WORD.find_iter(&src) {
        let mut at = m.start();
        for seg in m.as_str().split([':', '/']) {
            let caps = seg.len() >= 3
                && seg.starts_with(|c: char| c.is_ascii_uppercase())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && seg.chars().filter(|c| c.is_ascii_uppercase()).count() >= 3;
            if caps {
                add(at, at + seg.len(), kebab(seg), Shape::ArnSegment);
            }
            at += seg.len() + 1;
        }
    }
    for m in DOCS_ACCOUNT.find_iter(&src) {
        add(m.start(), m.end(), "account-id".into(), Shape::ArnSegment);
    }
    for c in CAPS_TAG.captures_iter(&src) {
        let Some(tag) = c.get(1) else { continue };
        if !CAPS_CONSTANTS.contains(&tag.as_str()) && !c[0].starts_with("arn:") {
            add(tag.start(), tag.end(), kebab(tag.as_str()), Shape::CapsTag);
        }
    }
    for c in PREVIOUS_TAG.captures_iter(&src) {
        let Some(tag) = c.get(1) else { continue };
        if !c[0].starts_with("arn:") && !c[0].contains("://") {
            add(
                tag.start(),
                tag.end(),
                tag.as_str().to_string(),
                Shape::PreviousTag,
            );
        }
    }
    for c in BUCKET.captures_iter(&src) {
        let Some(b) = c.get(1) else { continue };
        // A bare `BUCKET` only as a value (`s3://BUCKET/`, `--bucket BUCKET`).
        if b.as_str() == "BUCKET"
            && flag_before(&src, b.start()).is_none()
            && !src[..b.start()].ends_with("s3://")
        {
            continue;
        }
        add(b.start(), b.end(), "bucket-name".into(), Shape::BucketName);
    }
    for c in BRACES.captures_iter(&src) {
        let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else {
            continue;
        };
        // `${a-b}` is bash's default expansion, not a name in braces.
        if src[..whole.start()].ends_with('$') {
            continue;
        }
        add(
            whole.start(),
            whole.end(),
            name.as_str().to_string(),
            Shape::Braces,
        );
    }
    for c in SAMPLE_ID.captures_iter(&src) {
        let Some(id) = c.get(1) else { continue };
        // `us-east-1_abc123` (a Cognito pool id): the whole word is the sample.
        let word = src[..id.start()]
            .rfind(|ch: char| ch.is_whitespace() || matches!(ch, '\'' | '"' | '='))
            .map_or(0, |i| i + 1);
        let start = if src[word..id.start()].ends_with('_') {
            word
        } else {
            id.start()
        };
        let name = flag_before(&src, start).unwrap_or_else(|| "id".into());
        add(start, id.end(), name, Shape::SampleId);
    }
    // Values named by the flag before them, else `value`.
    for (re, shape) in [
        (&*EXAMPLE_VALUE, Shape::ExampleValue),
        (&*ELLIPSIS_ARG, Shape::Ellipsis),
        (&*CHANGE_ME, Shape::ChangeMe),
    ] {
        for c in re.captures_iter(&src) {
            let Some(v) = c.get(1).or_else(|| c.get(0)) else {
                continue;
            };
            // AWS's example access key pair (`AKIAIOSFODNN7EXAMPLE`, `wJalr…EXAMPLEKEY`) has a
            // secret's shape: it stays text (masked wherever shown), never a form field whose
            // spelling would show it.
            let line_start = src[..v.start()].rfind('\n').map_or(0, |i| i + 1);
            let line_end = src[v.end()..].find('\n').map_or(src.len(), |i| v.end() + i);
            if !crate::redact::redact(&src[line_start..line_end]).contains(v.as_str()) {
                continue;
            }
            let name = flag_before(&src, v.start()).unwrap_or_else(|| "value".into());
            add(v.start(), v.end(), name, shape);
        }
    }
    for c in SECRET_FLAG_VALUE.captures_iter(&src) {
        let (Some(flag), Some(v)) = (c.get(1), c.get(2)) else {
            continue;
        };
        add(
            v.start(),
            v.end(),
            flag.as_str().to_string(),
            Shape::LiteralSecret,
        );
    }
    for c in SHORT_ACCOUNT.captures_iter(&src) {
        let Some(a) = c.get(1) else { continue };
        add(a.start(), a.end(), "account-id".into(), Shape::ArnSegment);
    }
    // `$1`…`$9`: a step gets no arguments. Named after what it is assigned to (`MESSAGE="$1"`
    // asks for `message`); left alone when one is inside single quotes (awk's fields).
    let quoted_positional: Vec<String> = POSITIONAL
        .find_iter(&src)
        .filter(|m| in_single_quotes(&src, m.start()))
        .map(|m| m.as_str().to_string())
        .collect();
    for c in POSITIONAL.captures_iter(&src) {
        let (Some(whole), Some(n)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else {
            continue;
        };
        if quoted_positional.iter().any(|q| q == whole.as_str()) {
            continue;
        }
        let line_start = src[..whole.start()].rfind('\n').map_or(0, |i| i + 1);
        let name = ASSIGNED_FROM
            .captures(&src[line_start..whole.start()])
            .and_then(|a| a.get(1))
            .map(|a| kebab(a.as_str()))
            .unwrap_or_else(|| format!("arg-{}", n.as_str()));
        add(whole.start(), whole.end(), name, Shape::ScriptArg);
    }
    for c in CAPS_FLAG_VALUE.captures_iter(&src) {
        let Some(v) = c.get(1) else { continue };
        let words: Vec<&str> = v.as_str().split('_').collect();
        let named = words.iter().any(|w| VALUE_NOUNS.contains(w));
        if named && !CAPS_CONSTANTS.contains(&v.as_str()) {
            add(v.start(), v.end(), kebab(v.as_str()), Shape::CapsValue);
        }
    }
    // Overlaps: the earliest (then longest) wins; the same text is one placeholder.
    hits.sort_by_key(|h| (h.0, std::cmp::Reverse(h.1)));
    let mut out: Vec<Literal> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let index = crate::text::LineIndex::new(&src);
    let mut end = 0;
    for (s, e, name, shape) in hits {
        if s < end {
            continue;
        }
        end = e;
        if !seen.insert(&src[s..e]) {
            continue;
        }
        let text = src[s..e].to_string();
        let line = index.line(s);
        out.push(Literal {
            text,
            name,
            shape,
            line,
        });
    }
    out
}

/// `--load-balancer-arn VALUE` → `load-balancer-arn`: the flag a value at `at` belongs to.
fn flag_before(src: &str, at: usize) -> Option<String> {
    let before = src[..at].trim_end_matches(['\'', '"', '=', ' ']);
    let word = before.rsplit([' ', '\t', '\n']).next()?;
    word.strip_prefix("--")
        .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
}

/// An ALL_CAPS word one of whose parts names what a value would be (`CLUSTER_NAME`,
/// `YOUR_BUCKET`, `DB_HOST`): a placeholder look-alike. API constants (`ADMIN_NO_SRP_AUTH`,
/// `CAPABILITY_IAM`, `PAY_PER_REQUEST`, `NEW_AND_OLD_IMAGES`) name no such thing.
fn names_a_thing(w: &str) -> bool {
    w.split('_').any(|p| {
        VALUE_NOUNS.contains(&p)
            || matches!(
                p,
                "YOUR" | "MY" | "ME" | "HERE" | "VALUE" | "PASSWORD" | "TOKEN" | "SECRET"
            )
    })
}

/// Words that look like placeholders but fit no shape for certain: (0-based line, word, why).
pub fn ambiguous(code: &str) -> Vec<(usize, String, &'static str)> {
    let src = without_comments(code);
    let known = find(code);
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        for w in line.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | '=')) {
            if w.is_empty() || known.iter().any(|k| w.contains(k.text.as_str())) {
                continue;
            }
            let lower = w.to_ascii_lowercase();
            let why = if lower.contains("xxx") {
                Some("has `xxx` in it")
            } else if w.len() >= 5
                && w.contains('_')
                && !w.starts_with('$')
                && !w.contains("${")
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !CAPS_CONSTANTS.contains(&w)
                && names_a_thing(w)
                && !line.contains(&format!("{w}="))
                && !line.contains(&format!("${w}"))
            {
                Some("is an ALL-CAPS value")
            } else if lower.contains("placeholder") || lower.contains("replace-") {
                Some("says it is a placeholder")
            } else {
                None
            };
            if let Some(why) = why {
                out.push((i, w.to_string(), why));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(code: &str) -> Vec<(String, String)> {
        find(code).into_iter().map(|l| (l.text, l.name)).collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn every_shape() {
        assert_eq!(
            texts("curl https://your-domain.com/health"),
            [pair("your-domain.com", "domain")]
        );
        assert_eq!(
            texts("curl -f https://api.example.com/v1/health"),
            [pair("api.example.com", "api-host")]
        );
        assert_eq!(
            texts("aws ec2 describe-security-groups --group-ids sg-xxx subnet-XXXX vpc-…"),
            [
                pair("sg-xxx", "security-group-id"),
                pair("subnet-XXXX", "subnet-id"),
                pair("vpc-…", "vpc-id")
            ]
        );
        assert_eq!(
            texts(
                "aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:..."
            ),
            [pair("arn:aws:elasticloadbalancing:...", "target-group-arn")]
        );
        assert_eq!(
            texts("aws elbv2 describe-load-balancers --names app/..."),
            [pair("app/...", "names")]
        );
        assert_eq!(
            texts("aws sts assume-role --role-arn arn:aws:iam::ACCOUNT:role/ops"),
            [pair("ACCOUNT", "account")]
        );
        assert_eq!(
            texts("aws sns publish --topic-arn arn:aws:sns:us-east-1:123456789012:alerts"),
            [pair("123456789012", "account-id")]
        );
        assert_eq!(
            texts("aws ecs update-service --task-definition app:PREVIOUS_VERSION"),
            [pair("PREVIOUS_VERSION", "previous-version")]
        );
        assert_eq!(
            texts("docker pull registry/core-agent:previous-tag"),
            [pair("previous-tag", "previous-tag")]
        );
        assert_eq!(
            texts("aws s3 ls s3://s3-bucket-name/logs/"),
            [pair("s3-bucket-name", "bucket-name")]
        );
        assert_eq!(
            texts("aws ssm put-parameter --name /app/flag --value CHANGEME"),
            [pair("CHANGEME", "value")]
        );
        assert_eq!(
            texts("aws ecs describe-services --cluster CLUSTER_NAME --services SERVICE"),
            [
                pair("CLUSTER_NAME", "cluster-name"),
                pair("SERVICE", "service")
            ]
        );
    }

    #[test]
    fn not_placeholders() {
        for code in [
            "echo $PREVIOUS_VERSION ${MY_BUCKET}",
            "PREVIOUS_VERSION=5",
            "aws logs filter-log-events --log-group-name /aws/lambda/x --filter-pattern ERROR",
            "aws cloudwatch describe-alarms --state-value ALARM",
            "echo 'Waiting...'",
            "cd ../infra && ls ..",
            "# curl https://your-domain.com (a comment)",
            "aws ecs describe-services --cluster prod --services api",
            "docker pull nginx:latest",
            "kubectl rollout undo deployment/api",
            "curl https://status.mycompany.com",
        ] {
            assert!(find(code).is_empty(), "{code}: {:?}", find(code));
        }
    }

    #[test]
    fn script_arguments_but_not_awk_fields() {
        let names =
            |code: &str| -> Vec<String> { find(code).into_iter().map(|l| l.name).collect() };
        assert_eq!(names("MESSAGE=\"$1\"\necho \"$MESSAGE\""), ["message"]);
        assert_eq!(names("echo $2"), ["arg-2"]);
        assert!(names("awk '{print $1}' f").is_empty());
        // Inside a command substitution in double quotes, single quotes open again.
        assert!(
            names("eval \"$(aws sts x | awk '{print \"A=\"$1\" B=\"$2}')\"").is_empty(),
            "{:?}",
            names("eval \"$(aws sts x | awk '{print \"A=\"$1\" B=\"$2}')\"")
        );
    }

    #[test]
    fn ambiguous_words_are_reported_not_asked() {
        let a = ambiguous(
            "aws ecs update-service --cluster prod --service api-xxx-blue\naws ec2 x --filters Name=tag:Env,Values=SOME_VALUE",
        );
        let words: Vec<_> = a.iter().map(|(l, w, _)| (*l, w.as_str())).collect();
        assert_eq!(words, [(0, "api-xxx-blue"), (1, "SOME_VALUE")]);
    }

    /// Comments are cut where bash cuts them: for generated lines (quotes, escapes, `#` at
    /// and inside words, `$'…'`), whenever bash runs `printf` with the line's words, it
    /// prints the same words for the line with its comment removed by [`without_comments`].
    #[test]
    fn comments_end_where_bash_says() {
        use rand::{Rng, SeedableRng};
        const PIECES: &[&str] = &[
            "a", " ", " ", "'", "\"", "#", "\\", "\\#", "'a #b'", "\"a #b\"", "x#y", "\\ ", "$'#'",
            "$'\\'#'", "\"\\\"\"", "\\'", "\t",
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut seen = std::collections::HashSet::new();
        let (mut compared, mut wrong) = (0, Vec::new());
        let bash = |line: &str| {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("printf '<%s>' {line}"))
                .env_clear()
                .output()
                .expect("bash runs");
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        };
        while seen.len() < 500 {
            let n = rng.random_range(1..8);
            let line: String = (0..n)
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            if !line.contains('#') || !seen.insert(line.clone()) {
                continue;
            }
            let Some(expected) = bash(&line) else {
                continue;
            };
            compared += 1;
            let stripped = without_comments(&line);
            assert_eq!(stripped.len(), line.len(), "offsets kept");
            if bash(&stripped).as_deref() != Some(expected.as_str()) {
                wrong.push(format!("{line:?} → {stripped:?}"));
            }
        }
        assert!(compared > 200, "only {compared} lines ran in bash");
        assert!(
            wrong.is_empty(),
            "{} of {compared} lines cut otherwise than bash:\n{}",
            wrong.len(),
            wrong[..wrong.len().min(12)].join("\n")
        );
    }
}

//! Where bash evaluates a variable's *value* as an arithmetic expression — `(( ))`, `$(( ))`,
//! `[[ a -eq b ]]`, `let`, array subscripts, `${s:off:len}`, `test -v`, `printf -v`, `read`,
//! `declare -i/-n`, `${!ref}` — a value such as `a[$(cmd)]` runs `cmd`, quoting or not. A
//! placeholder used there must hold a whole number; [`arithmetic_vars`] finds which
//! variables a rendered script uses so, and `exec::prepare` refuses other values.
//!
//! Conservative on purpose: a variable is reported when it appears anywhere inside such a
//! region (bare names count: `(( N > 3 ))` evaluates `$N`'s value too). A false report only
//! asks for a number where text would have been harmless.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

static NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("constant regex"));
static ARITH_TEST_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s-(eq|ne|lt|le|gt|ge|v)\s").expect("constant regex"));
/// Commands that take variable names (and evaluate a subscript in them) or evaluate.
static NAME_TAKERS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)(?:^|[;&|({`]|\bthen|\bdo|\belse)\s*(?:builtin\s+|command\s+)?(let|read|printf\s+-v|test\s+(?:!\s+)?-v|\[\s+(?:!\s+)?-v|unset|mapfile|readarray|(?:declare|local|typeset|readonly|export)\s+-[A-Za-z]*[in][A-Za-z]*)\b",
    )
    .expect("constant regex")
});

/// The variables whose values `script` may evaluate as arithmetic.
pub fn arithmetic_vars(script: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (a, b) in regions(script) {
        for m in NAME_RE.find_iter(&script[a..b]) {
            out.insert(m.as_str().to_string());
        }
    }
    out
}

/// Byte ranges of `script` where bash evaluates arithmetic or variable names.
fn regions(script: &str) -> Vec<(usize, usize)> {
    let bytes = script.as_bytes();
    let mut quotes = super::shell::QuoteReader::new(script);
    let mut out = Vec::new();
    let mut single = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if single {
            single = c != b'\'';
            i += 1;
            continue;
        }
        match c {
            b'\\' => {
                i += 2;
                continue;
            }
            b'\'' => single = true,
            b'(' if bytes.get(i + 1) == Some(&b'(') => {
                let end = close(bytes, i, b'(', b')');
                out.push((i, end));
            }
            b'[' if bytes.get(i + 1) == Some(&b'[') => {
                let end = find(bytes, i + 2, b"]]");
                let inner = &script[i..end];
                if ARITH_TEST_RE.is_match(inner) {
                    out.push((i, end));
                }
            }
            // `${!ref}`, `${a[…]}`, `${s:off:len}`: up to the closing brace.
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let end = close(bytes, i + 1, b'{', b'}');
                let inner = &script[i + 2..end.saturating_sub(1).max(i + 2)];
                let name_len = inner
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                let rest = &inner[name_len..];
                if inner.starts_with('!') || rest.starts_with('[') || is_substring_op(rest) {
                    out.push((i + 2, end));
                }
            }
            // An unquoted `name[…]`: an assignment or a name given to a builtin.
            b'[' if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') => {
                let mut s = i;
                while s > 0 && (bytes[s - 1].is_ascii_alphanumeric() || bytes[s - 1] == b'_') {
                    s -= 1;
                }
                let at_word_start = s == 0
                    || matches!(
                        bytes[s - 1],
                        b' ' | b'\t' | b'\n' | b';' | b'(' | b'&' | b'|'
                    );
                if at_word_start && quotes.at(s) != super::shell::Quote::Double {
                    let end = close(bytes, i, b'[', b']');
                    out.push((i, end));
                }
            }
            _ => {}
        }
        i += 1;
    }
    for m in NAME_TAKERS_RE.find_iter(script) {
        let end = script[m.end()..]
            .find(['\n', ';', '|', '&'])
            .map_or(script.len(), |e| m.end() + e);
        out.push((m.end(), end));
    }
    out
}

/// `:off`, `:off:len` (but not `:-`, `:=`, `:?`, `:+`).
fn is_substring_op(rest: &str) -> bool {
    let mut it = rest.chars();
    it.next() == Some(':') && !matches!(it.next(), Some('-' | '=' | '?' | '+'))
}

/// The index after the bracket closing the one at `open_at` (nesting counted), or the end.
fn close(bytes: &[u8], open_at: usize, open: u8, shut: u8) -> usize {
    let mut depth = 0usize;
    let mut i = open_at;
    while i < bytes.len() {
        if bytes[i] == open {
            depth += 1;
        } else if bytes[i] == shut {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    bytes.len()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    bytes[from.min(bytes.len())..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map_or(bytes.len(), |p| from + p + needle.len())
}

/// Whether `value` is a whole number bash reads as nothing but that number.
pub fn is_integer(value: &str) -> bool {
    let v = value.strip_prefix(['-', '+']).unwrap_or(value);
    !v.is_empty() && v.len() <= 19 && v.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(script: &str, var: &str) -> bool {
        arithmetic_vars(script).contains(var)
    }

    #[test]
    fn every_arithmetic_context_is_found() {
        for s in [
            r#"if (( THRESHOLD > 100 )); then echo hi; fi"#,
            r#"echo $(( "${THRESHOLD}" + 1 ))"#,
            r#"[[ "${THRESHOLD}" -gt 100 ]] && echo big"#,
            r#"let "x = THRESHOLD * 2""#,
            r#"declare -a a; a["${THRESHOLD}"]=1"#,
            r#"echo "${a[${THRESHOLD}]}""#,
            r#"echo "${s:${THRESHOLD}:2}""#,
            r#"test -v "a[${THRESHOLD}]""#,
            r#"printf -v "a[${THRESHOLD}]" %s 1"#,
            r#"read "${THRESHOLD}" <<< x"#,
            r#"declare -n r="${THRESHOLD}"; echo "$r""#,
            r#"declare -i n="${THRESHOLD}""#,
            r#"echo "${!THRESHOLD}""#,
        ] {
            assert!(has(s, "THRESHOLD"), "not found in {s}");
        }
    }

    #[test]
    fn ordinary_uses_are_not_arithmetic() {
        for s in [
            r#"aws ecs update-service --cluster prod --service "${SERVICE}" --desired-count 2"#,
            r#"aws ecs describe-services --query "services[?serviceName=='${THRESHOLD}'].status""#,
            r#"[[ "${THRESHOLD}" == ok ]] && echo fine"#,
            r#"echo "${THRESHOLD:-default}" '$(( THRESHOLD ))'"#,
            r#"grep -E '[0-9]+' <<< "${THRESHOLD}""#,
        ] {
            assert!(!has(s, "THRESHOLD"), "reported in {s}");
        }
    }

    #[test]
    fn integers() {
        assert!(is_integer("100") && is_integer("-5") && is_integer("+7"));
        for bad in [
            "",
            "-",
            "1.5",
            "a[$(id)]",
            "0x10",
            " 1",
            "1 ",
            "12345678901234567890",
        ] {
            assert!(!is_integer(bad), "{bad}");
        }
    }
}

//! Splits a shell block into the commands a person would run one at a time.
//!
//! The block is tokenised with brush-parser's POSIX/bash tokenizer (quotes, `\` continuations,
//! heredocs and `$(…)` handled by a real lexer); a newline ends a command only outside
//! compound commands (`if…fi`, `for/while/until…done`, `case…esac`, `{…}`, `(…)`, function
//! bodies). Comments, which the tokenizer drops, are read from the lines between commands:
//! a comment directly above a command is its title, and `# Expected…:` comment blocks become
//! the step's expectation instead.

use brush_parser::{Token, TokenizerError, TokenizerOptions, uncached_tokenize_str};
use regex::Regex;
use std::sync::LazyLock;

/// A `<name>` placeholder (constant pattern: compiled once; a typo fails every test).
pub static PLACEHOLDER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([A-Za-z][A-Za-z0-9_.:-]*)>").expect("constant regex"));

/// Deepest nesting of `(`/`{` opsdeck reads: the tokenizer recurses per level, and 20 000
/// nested `$(` overflowed the stack. Real commands stay far below.
pub const MAX_NESTING: usize = 256;

/// How deeply `(` and `{` nest in `s` (quotes not considered: an over-count only refuses
/// sooner).
pub fn nesting_depth(s: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in s.bytes() {
        match b {
            b'(' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The line (1-based) where nesting first passes [`MAX_NESTING`], if it does.
pub fn too_deep_at(s: &str) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1usize);
    for b in s.bytes() {
        match b {
            b'\n' => line += 1,
            b'(' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(line);
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// brush-parser's tokenizer without its global cache: runbook blocks are tokenised once, and
/// the cache's locking and copying cost more than they save here. Text nested deeper than
/// [`MAX_NESTING`] is not tokenised (an unterminated-expansion error: not read, so unknown).
pub fn tokenize(s: &str) -> Result<Vec<Token>, TokenizerError> {
    if nesting_depth(s) > MAX_NESTING {
        return Err(TokenizerError::UnterminatedExpansion);
    }
    uncached_tokenize_str(s, &TokenizerOptions::default())
}

/// `<name>` → `_name_`: same length (offsets stay valid), and no longer read as redirections.
pub fn mask_placeholders(s: &str) -> String {
    let mut out = s.to_string();
    for m in PLACEHOLDER_RE.find_iter(s) {
        out.replace_range(m.start()..m.start() + 1, "_");
        out.replace_range(m.end() - 1..m.end(), "_");
    }
    out
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub title: Option<String>,
    pub text: String,
    /// 0-based line within the block where the command starts.
    pub line: usize,
    /// The command's tokens (placeholders masked), so risk needs no second tokenisation.
    pub tokens: Option<Vec<Token>>,
}

#[derive(Debug, Clone, Default)]
pub struct Split {
    pub commands: Vec<Segment>,
    pub expect: Option<String>,
    /// False when the tokenizer rejected the block (an unterminated quote, say) and lines
    /// were used instead.
    pub tokenized: bool,
}

/// Removes `$ ` prompts. In a block with prompts, lines that have no prompt (and do not
/// continue a prompted line) are output: they are returned as expected output and blanked so line
/// numbers stay put.
pub fn strip_prompts(code: &str) -> (String, Option<String>) {
    let is_prompt = |l: &str| l.trim_start().starts_with("$ ") || l.trim() == "$";
    // Lines that start a command: not blank, not a comment, not a `\` continuation.
    let mut meaningful: Vec<&str> = Vec::new();
    let mut continued = false;
    for l in code.lines() {
        if !continued && !l.trim().is_empty() && !l.trim_start().starts_with('#') {
            meaningful.push(l);
        }
        continued = l.trim_end().ends_with('\\');
    }
    // One `$ ` prompt makes the block a transcript, whatever its fence says (`console`,
    // `bash`…): the prompted lines are the commands, the others their output (`Task timed
    // out after 30.00 seconds` is never run).
    if !meaningful.iter().any(|l| is_prompt(l)) {
        return (code.to_string(), None);
    }
    let mut out = Vec::new();
    let mut output = Vec::new();
    let mut in_command = false;
    for l in code.lines() {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix("$ ") {
            in_command = rest.trim_end().ends_with('\\');
            out.push(rest.to_string());
        } else if t.trim() == "$" {
            out.push(String::new());
        } else if in_command {
            in_command = t.trim_end().ends_with('\\');
            out.push(l.to_string());
        } else if !t.is_empty() && !t.starts_with('#') {
            output.push(l.to_string());
            out.push(String::new());
        } else {
            out.push(l.to_string());
        }
    }
    let expect = (!output.is_empty()).then(|| output.join("\n"));
    (out.join("\n"), expect)
}

fn comment_text(line: &str) -> Option<&str> {
    let t = line.trim();
    t.strip_prefix('#')
        .filter(|_| !t.starts_with("#!"))
        .map(|c| c.trim())
}

fn expect_start(comment: &str) -> Option<&str> {
    let lower = comment.to_ascii_lowercase();
    if !lower.starts_with("expected") {
        return None;
    }
    // `Expected: 200`, `Expected output:`, `Expected response:`, `Expected result`
    let rest = match comment.find(':') {
        Some(i) if comment[..i].split_whitespace().count() <= 3 => &comment[i + 1..],
        _ if comment.split_whitespace().count() <= 3 => "",
        _ => return None,
    };
    Some(rest.trim())
}

pub fn split(code: &str) -> Split {
    let lines: Vec<&str> = code.lines().collect();
    // Expectation blocks first: those comment lines are neither titles nor commands.
    let mut expect_lines = vec![false; lines.len()];
    let mut expect = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(first) = comment_text(lines[i]).and_then(expect_start) {
            expect_lines[i] = true;
            if !first.is_empty() {
                expect.push(first.to_string());
            }
            let mut j = i + 1;
            while j < lines.len() {
                let raw = lines[j].trim_start();
                let Some(body) = raw.strip_prefix('#') else {
                    break;
                };
                expect_lines[j] = true;
                expect.push(
                    body.strip_prefix(' ')
                        .unwrap_or(body)
                        .trim_end()
                        .to_string(),
                );
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let expect = (!expect.is_empty()).then(|| expect.join("\n"));

    if code.trim_start().starts_with("#!") {
        let title = lines
            .iter()
            .skip(1)
            .find_map(|l| comment_text(l))
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        return Split {
            commands: vec![Segment {
                title,
                text: code.trim().to_string(),
                line: 0,
                tokens: None,
            }],
            expect,
            tokenized: true,
        };
    }
    let (extents, tokens, tokenized) = match tokenize(&mask_placeholders(code)) {
        Ok(tokens) => (extents(code, &tokens), Some(tokens), true),
        Err(_) => (
            line_extents(code)
                .into_iter()
                .map(|(s, e)| (s, e, 0, 0))
                .collect(),
            None,
            false,
        ),
    };
    let index = crate::text::LineIndex::new(code);
    let line_of = |byte: usize| index.line(byte);
    let commands = extents
        .into_iter()
        .map(|(s, e, ts, te)| {
            let line = line_of(s);
            let title = line
                .checked_sub(1)
                .filter(|above| !expect_lines[*above])
                .and_then(|above| comment_text(lines[above]))
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            Segment {
                title,
                text: code[s..e].trim_end().to_string(),
                line,
                tokens: tokens.as_ref().map(|t| t[ts..te].to_vec()),
            }
        })
        .collect();
    Split {
        commands,
        expect,
        tokenized,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Keyword,
    Case,
    Brace,
    Paren,
}

/// Byte ranges of top-level commands, with the range of their tokens.
fn extents(code: &str, tokens: &[Token]) -> Vec<(usize, usize, usize, usize)> {
    let byte_at: Vec<usize> = code
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(code.len()))
        .collect();
    let to_byte = |ci: usize| byte_at.get(ci).copied().unwrap_or(code.len());
    let mut out = Vec::new();
    let mut stack: Vec<Block> = Vec::new();
    let mut current: Option<(usize, usize, usize, usize)> = None;
    let mut command_position = true;
    // `name()` followed by a newline: the body on the next line still belongs to it.
    let mut function_header = false;
    let mut prev_ops: [&str; 2] = ["", ""];
    for (ti, t) in tokens.iter().enumerate() {
        let (text, span, is_op) = match t {
            Token::Operator(s, sp) => (s.as_str(), sp, true),
            Token::Word(s, sp) => (s.as_str(), sp, false),
        };
        if is_op && text == "\n" {
            if stack.is_empty()
                && !function_header
                && let Some(c) = current.take()
            {
                out.push(c);
            }
            command_position = true;
            prev_ops = ["", ""];
            continue;
        }
        let (s, e) = (to_byte(span.start.index), to_byte(span.end.index));
        current = Some(match current {
            Some((cs, ce, ts, _)) => (cs.min(s), ce.max(e), ts, ti + 1),
            None => (s, e, ti, ti + 1),
        });
        let in_case = stack.last() == Some(&Block::Case);
        if is_op {
            match text {
                "(" if !in_case => stack.push(Block::Paren),
                ")" if !in_case && stack.last() == Some(&Block::Paren) => {
                    stack.pop();
                }
                _ => {}
            }
            function_header =
                prev_ops[1] == "(" && text == ")" || (function_header && text == "\n");
            prev_ops = [prev_ops[1], text];
            command_position = matches!(text, ";" | "&&" | "||" | "|" | "&" | "(" | ";;" | "|&");
            continue;
        }
        prev_ops = [prev_ops[1], ""];
        if text == "{" {
            stack.push(Block::Brace);
            function_header = false;
            command_position = true;
            continue;
        }
        if text == "}" {
            if stack.last() == Some(&Block::Brace) {
                stack.pop();
            }
            command_position = false;
            continue;
        }
        if command_position {
            match text {
                "if" | "for" | "while" | "until" | "select" => stack.push(Block::Keyword),
                "case" => stack.push(Block::Case),
                "fi" | "done" if stack.last() == Some(&Block::Keyword) => {
                    stack.pop();
                }
                "esac" if stack.last() == Some(&Block::Case) => {
                    stack.pop();
                }
                _ => {}
            }
            command_position = matches!(
                text,
                "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "!" | "time"
            );
        }
        function_header = false;
    }
    if let Some(c) = current {
        out.push(c);
    }
    out
}

/// Fallback when the tokenizer gives up: non-comment lines, joined over `\` continuations.
fn line_extents(code: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let t = line.trim();
        let begin = offset;
        offset += line.len();
        if start.is_none() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        let s = *start.get_or_insert(begin + (line.len() - line.trim_start().len()));
        if !t.ends_with('\\') {
            out.push((s, begin + line.trim_end().len()));
            start = None;
        }
    }
    if let Some(s) = start {
        out.push((s, code.trim_end().len()));
    }
    out
}

/// Variables whose value changes what code runs or where it is found: assigning them is never
/// a plain read.
pub fn is_vital(name: &str) -> bool {
    const VITAL: &[&str] = &[
        "PATH",
        "BASH_ENV",
        "ENV",
        "IFS",
        "PS4",
        "PROMPT_COMMAND",
        "SHELLOPTS",
        "BASHOPTS",
        "CDPATH",
        "GLOBIGNORE",
        "HOME",
        "SHELL",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "MANPAGER",
        "LESSOPEN",
        "LESSCLOSE",
        "BROWSER",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PERL5LIB",
        "PERL5OPT",
        "RUBYOPT",
        "RUBYLIB",
        "NODE_OPTIONS",
        "NODE_PATH",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "XDG_CONFIG_HOME",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "KUBECONFIG",
        "DOCKER_HOST",
        "PSQLRC",
        "EXECIGNORE",
        "HISTFILE",
        "TMOUT",
    ];
    VITAL.contains(&name)
        || ["LD_", "DYLD_", "GIT_", "BASH_FUNC_", "OPSDECK_"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// How a position in shell text is quoted, as bash reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Unquoted,
    /// Inside `'…'` (or `$'…'`): nothing expands.
    Single,
    /// Inside `"…"`: `$` and backticks expand, quotes of the other kind are literal.
    Double,
}

/// How byte `at` of `text` is quoted: the one quote scanner of opsdeck. A command
/// substitution (`$(…)`, backticks) opens a quoting context of its own, so awk's `'{print
/// $1}'` inside `"$(…)"` is single-quoted; `\` escapes outside single quotes; within one
/// line only when `line` is true (a runbook's prose shapes are read per line).
pub fn quote_at(text: &str, at: usize, line: bool) -> Quote {
    let start = if line {
        text[..at].rfind('\n').map_or(0, |i| i + 1)
    } else {
        0
    };
    QuoteReader::new(&text[start..]).at(at - start)
}

/// [`quote_at`] for increasing positions of one text, reading it once (a scanner asking at
/// every `$` of a large block stays linear).
pub struct QuoteReader<'a> {
    text: &'a str,
    /// Bytes read so far.
    pos: usize,
    stack: Vec<Q>,
    /// The character at `pos` is escaped by a `\` before it.
    escaped: bool,
}

#[derive(PartialEq)]
enum Q {
    Single,
    /// `$'…'`: nothing expands, but `\` escapes (`$'it\'s'` is one quoted word).
    AnsiC,
    Double,
    /// `$(…)` (and `$((…))`) with its depth of parentheses: a subshell's `(…)` inside does
    /// not close it.
    Subst(u32),
    Backtick,
}

impl<'a> QuoteReader<'a> {
    pub fn new(text: &'a str) -> Self {
        QuoteReader {
            text,
            pos: 0,
            stack: Vec::new(),
            escaped: false,
        }
    }

    /// How byte `at` is quoted; `at` never goes back (an earlier one reads as the furthest
    /// asked).
    pub fn at(&mut self, at: usize) -> Quote {
        let at = at.min(self.text.len());
        while self.pos < at {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else { break };
            self.pos += c.len_utf8();
            if std::mem::take(&mut self.escaped) {
                continue;
            }
            let stack = &mut self.stack;
            match (stack.last_mut(), c) {
                (Some(Q::Single), '\'') => {
                    stack.pop();
                }
                (Some(Q::Single), _) => {}
                (Some(Q::AnsiC), '\'') => {
                    stack.pop();
                }
                (Some(Q::AnsiC), '\\') => self.escaped = true,
                (Some(Q::AnsiC), _) => {}
                (_, '\\') => self.escaped = true,
                (None | Some(Q::Subst(_) | Q::Backtick), '$') if rest[1..].starts_with('\'') => {
                    self.pos += 1;
                    stack.push(Q::AnsiC);
                }
                (_, '$') if rest[1..].starts_with('(') => {
                    self.pos += 1;
                    stack.push(Q::Subst(1));
                }
                (Some(Q::Subst(d)), '(') => *d += 1,
                (Some(Q::Subst(d)), ')') => {
                    *d -= 1;
                    if *d == 0 {
                        stack.pop();
                    }
                }
                (Some(Q::Backtick), '`') => {
                    stack.pop();
                }
                (_, '`') => stack.push(Q::Backtick),
                (Some(Q::Double), '"') => {
                    stack.pop();
                }
                (Some(Q::Double), _) => {}
                (_, '\'') => stack.push(Q::Single),
                (_, '"') => stack.push(Q::Double),
                _ => {}
            }
        }
        match self.stack.last() {
            Some(Q::Single | Q::AnsiC) => Quote::Single,
            Some(Q::Double) => Quote::Double,
            _ => Quote::Unquoted,
        }
    }
}

/// The command substitutions of a word (`$(…)` and backticks, inside double quotes too, not
/// inside single quotes), read by brush-parser's word parser. Its pieces do not open
/// parameter or arithmetic expansions (`${x:-$(cmd)}`, `$(( $(cmd) ))`), and a word it
/// cannot parse (a runbook's typo) has no pieces: those are scanned by [`scan_substitutions`]
/// too, so a substitution is never missed.
pub fn substitutions(word: &str) -> Vec<String> {
    use brush_parser::word::{WordPiece, WordPieceWithSource};
    /// Whether a piece may hold a substitution the walk does not reach.
    fn walk(pieces: &[WordPieceWithSource], out: &mut Vec<String>) -> bool {
        let mut opaque = false;
        for p in pieces {
            match &p.piece {
                WordPiece::CommandSubstitution(s) | WordPiece::BackquotedCommandSubstitution(s) => {
                    out.push(s.clone())
                }
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => opaque |= walk(inner, out),
                WordPiece::ParameterExpansion(_) | WordPiece::ArithmeticExpression(_) => {
                    opaque = true
                }
                _ => {}
            }
        }
        opaque
    }
    if nesting_depth(word) > MAX_NESTING {
        return Vec::new();
    }
    let mut out = Vec::new();
    let opaque = match brush_parser::word::parse(word, &brush_parser::ParserOptions::default()) {
        Ok(pieces) => walk(&pieces, &mut out),
        Err(_) => true,
    };
    if opaque {
        for s in scan_substitutions(word) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Every `$(…)` body (balanced) and backtick body outside single quotes, by position.
fn scan_substitutions(word: &str) -> Vec<String> {
    let b = word.as_bytes();
    let mut out = Vec::new();
    let mut quotes = QuoteReader::new(word);
    let mut i = 0;
    while i < b.len() {
        let subst = b[i] == b'$' && b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(');
        if !(subst || b[i] == b'`') || quotes.at(i) == Quote::Single {
            i += 1;
            continue;
        }
        if subst {
            let (start, mut depth, mut j) = (i + 2, 0usize, i + 1);
            while j < b.len() {
                match b[j] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            out.push(word[start..j.min(b.len())].to_string());
            i = j + 1;
        } else {
            let start = i + 1;
            let end = word[start..].find('`').map_or(word.len(), |e| start + e);
            out.push(word[start..end].to_string());
            i = end + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn substitutions_inside_parameter_and_arithmetic_expansions_are_found() {
        for (word, inner) in [
            ("${x:-$(touch /tmp/a)}", "touch /tmp/a"),
            ("$(( $(touch /tmp/a) ))", "touch /tmp/a"),
            ("\"${x:=`touch /tmp/a`}\"", "touch /tmp/a"),
            ("\"$(touch /tmp/a)\"", "touch /tmp/a"),
        ] {
            assert!(
                substitutions(word).iter().any(|s| s.trim() == inner),
                "{word}: {:?}",
                substitutions(word)
            );
        }
        assert!(substitutions("'$(touch /tmp/a)'").is_empty());
    }

    use super::*;

    fn texts(code: &str) -> Vec<String> {
        split(code).commands.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn one_command_per_line_with_comment_titles() {
        let s = split(
            "# Check ECS\naws ecs describe-services --cluster c\n\n# Check Lambda\naws lambda get-function --function-name f\n",
        );
        assert_eq!(s.commands.len(), 2);
        assert_eq!(s.commands[0].title.as_deref(), Some("Check ECS"));
        assert_eq!(s.commands[1].title.as_deref(), Some("Check Lambda"));
        assert_eq!(s.commands[1].line, 4);
        assert!(s.tokenized);
    }

    #[test]
    fn continuations_heredocs_loops_functions_and_quotes_stay_whole() {
        let code = [
            "aws ecs update-service \\",
            "    --cluster c \\",
            "    --desired-count 0",
            "cat <<END > /tmp/x",
            "line one",
            "line two",
            "END",
            "for fn in a b; do",
            "  aws lambda delete-function --function-name \"$fn\"",
            "done",
            "if [ -f x ]; then",
            "  echo yes",
            "fi",
            "cleanup() {",
            "  rm -f /tmp/x",
            "}",
            "check()",
            "{",
            "  echo ok",
            "}",
            "curl -d '{",
            "  \"a\": 1",
            "}' https://x",
            "case \"$1\" in",
            "  a) echo a ;;",
            "  *) echo other ;;",
            "esac",
            "echo last",
        ]
        .join("\n");
        let t = texts(&code);
        assert_eq!(t.len(), 9, "{t:#?}");
        assert!(t[0].ends_with("--desired-count 0"));
        assert!(t[1].starts_with("cat <<END") && t[1].ends_with("END"));
        assert!(t[2].starts_with("for fn") && t[2].ends_with("done"));
        assert!(t[3].starts_with("if") && t[3].ends_with("fi"));
        assert!(t[4].starts_with("cleanup()") && t[4].ends_with('}'));
        assert!(t[5].starts_with("check()") && t[5].ends_with('}'));
        assert!(t[6].starts_with("curl -d") && t[6].ends_with("https://x"));
        assert!(t[7].starts_with("case") && t[7].ends_with("esac"));
        assert_eq!(t[8], "echo last");
    }

    #[test]
    fn expectations_are_not_commands_or_titles() {
        let s = split(
            "# Check API\ncurl https://x/health\n\n# Expected response:\n# {\n#   \"status\": \"healthy\"\n# }\n",
        );
        assert_eq!(s.commands.len(), 1);
        assert_eq!(s.expect.as_deref(), Some("{\n  \"status\": \"healthy\"\n}"));
        let s = split("curl -s -o /dev/null -w '%{http_code}' https://x\n# Expected: 200\n");
        assert_eq!(s.expect.as_deref(), Some("200"));
    }

    #[test]
    fn shebang_block_is_one_command() {
        let s = split("#!/bin/bash\n# Daily health check\nset -e\necho a\necho b\n");
        assert_eq!(s.commands.len(), 1);
        assert_eq!(s.commands[0].title.as_deref(), Some("Daily health check"));
    }

    #[test]
    fn prompts_are_removed_and_console_output_becomes_expectation() {
        let (code, out) = strip_prompts(
            "$ aws sts get-caller-identity\n{\n  \"Account\": \"1\"\n}\n$ echo hi\nhi\n",
        );
        assert_eq!(texts(&code), vec!["aws sts get-caller-identity", "echo hi"]);
        assert_eq!(out.as_deref(), Some("{\n  \"Account\": \"1\"\n}\nhi"));
        let (code, out) = strip_prompts("$ ls \\\n  -la\n");
        assert_eq!(texts(&code), vec!["ls \\\n  -la"]);
        assert_eq!(out, None);
        // A bash fence with prompts: the unprompted line after one is output, never run.
        let (code, out) = strip_prompts(
            "# invoke it\n$ aws lambda invoke --function-name f out.json\nTask timed out after 30.00 seconds\n",
        );
        assert_eq!(
            texts(&code),
            vec!["aws lambda invoke --function-name f out.json"]
        );
        assert_eq!(out.as_deref(), Some("Task timed out after 30.00 seconds"));
        // No prompt: a script, untouched.
        assert_eq!(strip_prompts("echo a\necho b\n").1, None);
    }

    #[test]
    fn untokenizable_blocks_fall_back_to_lines() {
        let s = split("echo 'unterminated\necho b \\\n  c\n");
        assert!(!s.tokenized);
        assert_eq!(s.commands.len(), 2);
    }
}

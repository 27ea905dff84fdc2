//! Neutralises text that comes from outside (log lines, command output, API strings) before it
//! can reach the terminal.
//!
//! ANSI escape sequences (CSI, OSC, DCS, ...) are removed whole: they are what coloured
//! application logs carry and what a hostile line would use to move the cursor or set the
//! title. Any other control character is replaced by a visible placeholder so that nothing is
//! silently hidden. Bidirectional overrides are dropped because they can make a line read
//! differently from what it contains.

use std::borrow::Cow;

/// True for characters that must never be written raw to the terminal.
fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || (0x7f..=0x9f).contains(&u)
        || matches!(u, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// Returns `s` unchanged when it is already safe (the common case, no allocation).
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // 8-bit CSI / OSC / DCS introducers behave like ESC [ / ESC ] / ESC P.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' => out.push_str("    "),
            '\r' if chars.peek().is_none() || chars.peek() == Some(&'\n') => {}
            '\n' => out.push('↵'),
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�'));
            }
            '\u{7f}' => out.push('␡'),
            c if (0x80..=0x9f).contains(&(c as u32)) => out.push('�'),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Sanitises in place, reusing the string when nothing had to change.
pub fn sanitize_owned(s: String) -> String {
    match sanitize(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_string(chars);
        }
        // Two-character sequences (ESC 7, ESC c, ESC ( B ...): drop the introducer and the
        // following intermediate/final bytes.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            chars.next();
            if let Some(n) = chars.peek()
                && ('\u{30}'..='\u{7e}').contains(n)
            {
                chars.next();
            }
        }
        Some(c) if ('\u{30}'..='\u{7e}').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates, then one final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Terminated by BEL, ST (ESC \) or the 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Every line of a multi-line text sanitised, the line breaks kept: text output of the
/// commands (`runbook show`, `targets`, `lint`) that a terminal displays.
pub fn lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, l) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&sanitize(l));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_safe(s: &str) {
        assert!(!s.chars().any(is_unsafe), "unsafe char left in {s:?}");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("plain text ✓ λ"), Cow::Borrowed(_)));
    }

    #[test]
    fn strips_colour_and_cursor_sequences() {
        let s = sanitize("\x1b[31mERROR\x1b[0m moved\x1b[2J\x1b[10;10H here");
        assert_eq!(s, "ERROR moved here");
    }

    #[test]
    fn strips_osc_title_and_hyperlinks() {
        let s = sanitize("a\x1b]0;pwned\x07b\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\c");
        assert_eq!(s, "ablinkc");
    }

    #[test]
    fn eight_bit_controls_and_c0_are_visible_or_gone() {
        let s = sanitize("x\u{9b}31my\u{9d}2;t\u{9c}z\u{0}\u{7}\u{8}\u{7f}");
        assert_eq!(s, "xyz␀␇␈␡");
        assert_safe(&s);
    }

    #[test]
    fn tabs_newlines_and_bidi() {
        let s = sanitize("a\tb\nc\u{202e}d\r\n");
        assert_eq!(s, "a    b↵cd↵");
    }

    #[test]
    fn unterminated_sequences_do_not_leak() {
        for input in [
            "\x1b",
            "\x1b[",
            "\x1b[31",
            "\x1b]0;title",
            "\x1bP",
            "\x1b(",
            "abc\x1b",
        ] {
            assert_safe(&sanitize(input));
        }
    }

    #[test]
    fn arbitrary_bytes_never_leave_controls() {
        // Every single char from 0 to 0x3000 surrounded by ESC sequences.
        for u in 0u32..0x3000 {
            if let Some(c) = char::from_u32(u) {
                let s = format!("\x1b[{c}m{c}\x1b]{c}\x07{c}");
                assert_safe(&sanitize(&s));
            }
        }
    }
}

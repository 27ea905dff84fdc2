//! Small text helpers for views: width-aware truncation and padding, times and ages.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Truncates to `width` terminal cells, marking the cut with `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > width - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Truncates or pads with spaces to exactly `width` cells.
pub fn fit(s: &str, width: usize) -> String {
    let mut t = truncate(s, width);
    let w = t.width();
    t.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    t
}

pub fn fit_right(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    format!("{}{}", " ".repeat(width.saturating_sub(t.width())), t)
}

/// `HH:MM:SS` in UTC.
pub fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Compact age: `4s`, `3m`, `2h`, `5d`.
pub fn age(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// A number in at most ~6 characters with its unit.
pub fn value(v: f64, unit: Option<&str>) -> String {
    let n = if v.abs() >= 10_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    match unit {
        Some("Percent") | Some("%") => format!("{n}%"),
        Some("Milliseconds") | Some("ms") => format!("{n}ms"),
        Some("Seconds") | Some("s") => format!("{n}s"),
        _ => n,
    }
}

/// The last `/` or `:` segment of an ARN or URL (`…:execution:settle:run-42` → `run-42`).
pub fn last_segment(s: &str) -> &str {
    s.rsplit(['/', ':']).next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_width_aware() {
        assert_eq!(truncate("hello world", 8), "hello w…");
        assert_eq!(truncate("λλλλ", 3), "λλ…");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit_right("ab", 4), "  ab");
        assert_eq!(truncate("日本語", 4), "日…");
    }

    #[test]
    fn formats() {
        assert_eq!(clock(3_723_000), "01:02:03");
        assert_eq!(age(61_000), "1m");
        assert_eq!(value(91.234, Some("Percent")), "91.2%");
        assert_eq!(value(0.254, Some("Seconds")), "0.25s");
        assert_eq!(value(12345.0, None), "12.3k");
    }
}

/// Byte offset → 0-based line number in one text, in O(log n) a lookup (counting newlines
/// before each offset made parsing a large block quadratic).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(s: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(s));
        LineIndex { starts }
    }

    /// The line holding byte `at` (a newline belongs to the line it ends).
    pub fn line(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at) - 1
    }
}

fn memchr_newlines(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod line_index_tests {
    use super::LineIndex;

    #[test]
    fn agrees_with_counting_newlines() {
        let s = "a\nbb\n\nccc\n";
        let idx = LineIndex::new(s);
        for at in 0..=s.len() {
            assert_eq!(idx.line(at), s[..at].matches('\n').count(), "at {at}");
        }
    }
}

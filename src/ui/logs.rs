//! Logs pane: the merged tail with time, source and level colour; follow/paused state, rate,
//! search matches highlighted, matches-only filter and wrap.

use super::{pane_block, put_line};
use crate::app::logs::{LogLine, LogsState};
use crate::app::{App, Pane};
use crate::config::Theme;
use crate::text::{clock, fit};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

/// A linked account's id as a line shows it: its last four digits, enough to tell accounts
/// apart (`…2222`).
pub(super) fn short_account(account: &str) -> String {
    let skip = account.chars().count().saturating_sub(4);
    format!("…{}", account.chars().skip(skip).collect::<String>())
}

/// Short source name: the last path component of the log group.
pub fn short_group(group: &str) -> std::borrow::Cow<'_, str> {
    // A context's lines carry its label (`staging:/ecs/api`; `:` is never in a group name).
    let (ctx, group) = match group.split_once(':') {
        Some((c, g)) => (Some(c), g),
        None => (None, group),
    };
    // A linked account's group carries its account id (`222222222222 /ecs/api`; a group name
    // has no spaces): shortened.
    let (account, group) = match group.split_once(' ') {
        Some((a, g)) => (Some(short_account(a)), g),
        None => (None, group),
    };
    let last = group.rsplit('/').find(|s| !s.is_empty()).unwrap_or(group);
    match (ctx, account) {
        (None, None) => std::borrow::Cow::Borrowed(last),
        (c, a) => {
            let mut out = String::new();
            if let Some(c) = c {
                out.push_str(c);
                out.push(' ');
            }
            if let Some(a) = a {
                out.push_str(&a);
                out.push(' ');
            }
            out.push_str(last);
            std::borrow::Cow::Owned(out)
        }
    }
}

fn title(st: &LogsState, app: &App, theme: &Theme) -> Vec<Span<'static>> {
    let mut t = Vec::new();
    if st.follow {
        t.push(Span::styled("follow ● ", theme.ok()));
    } else {
        t.push(Span::styled(
            format!("paused ‖ {} waiting ", st.waiting),
            theme.warn(),
        ));
    }
    t.push(Span::styled(
        format!("{:.0} l/s ", st.rate.per_second(app.now_ms)),
        theme.muted(),
    ));
    if let Some(s) = &st.search {
        t.push(Span::styled(format!("/{} ", s.text), theme.accent()));
        t.push(Span::styled(
            format!("{} matches ", st.total_matches),
            theme.muted(),
        ));
    }
    if st.filter {
        t.push(Span::styled("[only matches] ", theme.accent()));
    }
    if st.wrap {
        t.push(Span::styled("[wrap] ", theme.muted()));
    }
    t.push(Span::styled(
        format!("{}/{} ", st.len(), st.capacity()),
        theme.muted(),
    ));
    t
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let st = &app.logs;
    let block = pane_block(Pane::Logs, app, theme, title(st, app, theme));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 20 {
        return;
    }
    let h = inner.height as usize;
    let tail = st.tail(h);
    if tail.is_empty() {
        let msg = if st.is_empty() {
            "waiting for log lines…"
        } else {
            "no line matches the search"
        };
        put_line(buf, inner, 0, &Line::styled(msg, theme.muted()));
        return;
    }
    let max_src = if inner.width < 100 { 10 } else { 16 };
    let src_w = tail
        .iter()
        .map(|l| short_group(&l.group).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, max_src);
    let prefix_w = 8 + 1 + src_w + 1 + 5 + 1;
    let msg_w = (inner.width as usize).saturating_sub(prefix_w).max(1);
    // Rows per line, newest at the bottom; when wrapping, older lines fall off the top.
    let mut rows: Vec<Line<'static>> = Vec::with_capacity(h);
    for l in tail.iter().rev() {
        let mut lines = render_line(l, st, src_w, msg_w, prefix_w, theme);
        if !st.wrap {
            lines.truncate(1);
        }
        while let Some(last) = lines.pop() {
            if rows.len() == h {
                break;
            }
            rows.push(last);
        }
        if rows.len() == h {
            break;
        }
    }
    rows.reverse();
    for (i, line) in rows.iter().enumerate() {
        put_line(buf, inner, i as u16, line);
    }
}

/// One log line as one row (truncated by the buffer) or several when wrapped.
fn render_line(
    l: &LogLine,
    st: &LogsState,
    src_w: usize,
    msg_w: usize,
    prefix_w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let level_style = theme.level(l.level);
    let current = st.current_match == Some(l.seq);
    let time_style = if current {
        theme.selection()
    } else {
        theme.muted()
    };
    let level = l.level.map(|v| v.as_str()).unwrap_or("");
    let prefix = vec![
        Span::styled(clock(l.time_ms), time_style),
        Span::raw(" "),
        Span::styled(fit(&short_group(&l.group), src_w), theme.accent()),
        Span::raw(" "),
        Span::styled(fit(level, 5), level_style),
        Span::raw(" "),
    ];
    // Message segments: (text, highlighted?)
    let mut segs: Vec<(&str, bool)> = Vec::new();
    match (&st.search, l.matched) {
        (Some(s), true) => {
            let mut last = 0;
            let text = l.text();
            for m in s.regex.find_iter(text) {
                if m.start() > last {
                    segs.push((&text[last..m.start()], false));
                }
                if m.end() > m.start() {
                    segs.push((&text[m.start()..m.end()], true));
                }
                last = m.end();
            }
            if last < text.len() {
                segs.push((&text[last..], false));
            }
        }
        _ => segs.push((l.text(), false)),
    }
    let body_style = match l.level {
        Some(crate::model::Level::Error) => level_style,
        Some(crate::model::Level::Debug) => theme.muted(),
        _ => theme.text(),
    };
    let style_for = |hl: bool| -> Style { if hl { theme.highlight() } else { body_style } };
    let mut out: Vec<Vec<Span<'static>>> = vec![prefix];
    let mut col = 0;
    'segments: for (text, hl) in segs {
        let mut cur = String::new();
        for c in text.chars() {
            let cw = c.width().unwrap_or(0);
            if col + cw > msg_w {
                if !cur.is_empty()
                    && let Some(row) = out.last_mut()
                {
                    row.push(Span::styled(std::mem::take(&mut cur), style_for(hl)));
                }
                if !st.wrap {
                    // The rest is off-screen; the buffer clips at the pane edge anyway.
                    break 'segments;
                }
                col = 0;
                out.push(vec![Span::raw(" ".repeat(prefix_w))]);
            }
            cur.push(c);
            col += cw;
        }
        if !cur.is_empty()
            && let Some(row) = out.last_mut()
        {
            row.push(Span::styled(cur, style_for(hl)));
        }
    }
    out.into_iter().map(Line::from).collect()
}

/// Colour carries meaning here: the cells themselves are checked.
#[cfg(test)]
mod tests {
    use crate::action::Action;
    use crate::testing::{act, demo_app, find, render, theme};

    #[test]
    fn short_group_keeps_context_and_linked_account() {
        use super::short_group;
        assert_eq!(short_group("/ecs/prod/api"), "api");
        assert_eq!(short_group("staging:/ecs/prod/api"), "staging api");
        assert_eq!(short_group("222222222222 /ecs/prod/api"), "…2222 api");
        assert_eq!(
            short_group("mon:222222222222 /ecs/prod/api"),
            "mon …2222 api"
        );
        // Outside text never panics, whatever it holds.
        assert_eq!(short_group("ééé /x"), "…ééé x");
    }

    #[test]
    fn error_level_and_search_matches_are_coloured() {
        let mut app = demo_app(150, 160, 48);
        act(&mut app, &[Action::FocusLogs, Action::Search]);
        for c in "pool exhausted".chars() {
            crate::testing::type_text(&mut app, &c.to_string());
        }
        crate::testing::press(&mut app, "enter");
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, "ERROR db connection refused (pool exhausted)");
        assert_eq!(
            buf[(x, y)].style().fg,
            theme().level(Some(crate::model::Level::Error)).fg
        );
        let (x, y) = find(&buf, "(pool exhausted)");
        assert_eq!(buf[(x + 1, y)].style().bg, theme().highlight().bg);
        assert_ne!(
            buf[(x, y)].style().bg,
            theme().highlight().bg,
            "only the match is highlighted"
        );
    }
}

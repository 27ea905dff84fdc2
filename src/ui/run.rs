//! Run pane: output of the shown step run (stdout and stderr told apart), its status,
//! elapsed time, the step's expectation beside the output when there is room, and the list
//! of this session's runs with their status when there are several.

use crate::app::App;
use crate::config::Theme;
use crate::exec::Stream;
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    // Long on purpose: title, the run list, then the output, as drawn.
    let shown = app
        .session
        .run_shown
        .unwrap_or(app.session.runs.len().saturating_sub(1));
    let Some(run) = app.session.runs.get(shown) else {
        return;
    };
    let running = app
        .session
        .runs
        .iter()
        .filter(|r| r.status.is_none())
        .count();
    let (status, style) = match &run.status {
        None => ("running… Ctrl-C cancels".to_string(), theme.accent()),
        Some(s) if run.dry_run => (format!("dry run (demo) · {}", s.label()), theme.muted()),
        Some(s) if s.success() => (s.label(), theme.ok()),
        Some(s) => (s.label(), theme.danger()),
    };
    let elapsed = run
        .elapsed_ms
        .unwrap_or_else(|| (app.now_ms - run.started_ms).max(0) as u64);
    let title = Line::from(vec![
        Span::styled(format!(" Run: {} ", run.title), theme.title()),
        Span::styled(
            format!("─ {status} ─ {:.1}s ", elapsed as f64 / 1000.0),
            style,
        ),
        Span::styled(
            format!(
                "run {}/{} · {running} running · {{ }} switch ",
                shown + 1,
                app.session.runs.len()
            ),
            theme.muted(),
        ),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(false))
        .title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    // Several runs: a list of them on the right (newest first), the shown one marked.
    let list_w = if app.session.runs.len() > 1 && inner.width >= 90 {
        34
    } else {
        0
    };
    let inner = if list_w > 0 {
        let x = inner.x + inner.width - list_w;
        let h = inner.height as usize;
        for (row, (i, r)) in app
            .session
            .runs
            .iter()
            .enumerate()
            .rev()
            .take(h)
            .enumerate()
        {
            let (label, st) = match &r.status {
                None => (
                    format!("{:.0}s", (app.now_ms - r.started_ms).max(0) as f64 / 1000.0),
                    theme.accent(),
                ),
                Some(s) if r.dry_run => ("dry".to_string(), theme.muted()),
                Some(s) if s.success() => (s.label(), theme.ok()),
                Some(s) => (s.label(), theme.danger()),
            };
            let mark = if i == shown { "▶ " } else { "  " };
            let title_w = (list_w as usize).saturating_sub(label.len() + 4);
            buf.set_line(
                x + 1,
                inner.y + row as u16,
                &Line::from(vec![
                    Span::styled(mark, theme.accent()),
                    Span::styled(
                        format!("{:<title_w$} ", truncate(&r.title, title_w)),
                        if i == shown {
                            theme.text()
                        } else {
                            theme.muted()
                        },
                    ),
                    Span::styled(label, st),
                ]),
                list_w - 1,
            );
        }
        Rect {
            width: inner.width - list_w - 1,
            ..inner
        }
    } else {
        inner
    };
    let show_expect = run.expect.is_some() && inner.width >= 100;
    let out_w = if show_expect {
        inner.width * 3 / 5
    } else {
        inner.width
    };
    let h = inner.height as usize;
    let start = run.lines.len().saturating_sub(h);
    for (row, (stream, line)) in run.lines.iter().skip(start).enumerate() {
        let st = if *stream == Stream::Stderr {
            theme.warn()
        } else {
            theme.text()
        };
        buf.set_line(
            inner.x,
            inner.y + row as u16,
            &Line::styled(truncate(line, out_w as usize), st),
            out_w,
        );
    }
    if show_expect && let Some(e) = &run.expect {
        let x = inner.x + out_w + 1;
        let w = inner.width - out_w - 1;
        buf.set_line(x, inner.y, &Line::styled("expected:", theme.muted()), w);
        for (row, l) in e.lines().take(h.saturating_sub(1)).enumerate() {
            buf.set_line(
                x,
                inner.y + 1 + row as u16,
                &Line::styled(truncate(l, w as usize), theme.muted()),
                w,
            );
        }
    }
}

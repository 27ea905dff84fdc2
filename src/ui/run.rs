//! Run pane: output of the latest step run (stdout and stderr told apart), its status,
//! elapsed time, and the step's expectation beside the output when there is room.

use super::text::truncate;
use crate::app::App;
use crate::config::Theme;
use crate::exec::Stream;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let shown = app.run_shown.unwrap_or(app.runs.len().saturating_sub(1));
    let Some(run) = app.runs.get(shown) else {
        return;
    };
    let running = app.runs.iter().filter(|r| r.status.is_none()).count();
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
                app.runs.len()
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

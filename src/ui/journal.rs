//! Journal overlay: this session's timeline, newest at the bottom.

use super::widgets::{centered, framed};
use crate::app::App;
use crate::config::Theme;
use crate::journal::Kind;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(scroll) = app.timeline_scroll() else {
        return;
    };
    let r = centered(
        area,
        area.width.saturating_sub(6),
        area.height.saturating_sub(4),
    );
    let title = vec![
        Span::styled(" Journal ", theme.title()),
        Span::styled(
            format!(
                "{} entries this session · Ctrl-N note · Esc close ",
                app.timeline.len()
            ),
            theme.muted(),
        ),
    ];
    let inner = framed(buf, r, title, theme);
    if app.timeline.is_empty() {
        buf.set_line(
            inner.x + 1,
            inner.y,
            &Line::styled(
                "Nothing done yet: actions, confirmations, results and notes appear here.",
                theme.muted(),
            ),
            inner.width.saturating_sub(1),
        );
        return;
    }
    let h = inner.height as usize;
    let end = app.timeline.len().saturating_sub(scroll as usize);
    let start = end.saturating_sub(h);
    for (row, e) in app.timeline.range(start..end).enumerate() {
        let time = e.time.get(11..19).unwrap_or("");
        let kind_style = match e.kind {
            Kind::Refused | Kind::Blocked => theme.warn(),
            Kind::End if e.status.as_deref().is_some_and(|s| s != "ok") => theme.danger(),
            Kind::End => theme.ok(),
            Kind::Note => theme.accent(),
            _ => theme.text(),
        };
        let line = Line::from(vec![
            Span::styled(format!("{time} "), theme.muted()),
            Span::styled(format!("{:<10}", e.kind.label()), kind_style),
            Span::styled(e.what.replace('\n', " ↵ "), theme.text()),
            Span::styled(
                e.status
                    .as_ref()
                    .map(|s| format!("  → {s}"))
                    .unwrap_or_default(),
                kind_style,
            ),
        ]);
        buf.set_line(
            inner.x + 1,
            inner.y + row as u16,
            &line,
            inner.width.saturating_sub(1),
        );
    }
}

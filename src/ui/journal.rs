//! Timeline overlay: this session's journal — system events (◆) and operator entries (▸)
//! interleaved, newest at the bottom, filtered to all, events or actions.

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
    let shown: Vec<&crate::journal::Entry> = app
        .timeline
        .iter()
        .filter(|e| app.timeline_filter.keeps(e))
        .collect();
    let title = vec![
        Span::styled(" Timeline ", theme.title()),
        Span::styled(
            format!(
                "{} of {} entries · f {} · Enter select · Ctrl-N note · Esc close ",
                shown.len(),
                app.timeline.len(),
                app.timeline_filter.label()
            ),
            theme.muted(),
        ),
    ];
    let inner = framed(buf, r, title, theme);
    if shown.is_empty() {
        buf.set_line(
            inner.x + 1,
            inner.y,
            &Line::styled(
                "Nothing yet: system events (alarms, rollouts, health changes) and operator actions, confirmations, results and notes appear here.",
                theme.muted(),
            ),
            inner.width.saturating_sub(1),
        );
        return;
    }
    let h = inner.height as usize;
    let end = shown.len().saturating_sub(scroll as usize);
    let start = end.saturating_sub(h);
    let marked = end.checked_sub(1);
    for (row, e) in shown[start..end].iter().enumerate() {
        let time = e.time.get(11..19).unwrap_or("");
        // System events and operator entries are told apart by symbol and colour.
        let (symbol, kind_style) = match e.kind {
            Kind::Event => {
                let after = e.after.as_deref().unwrap_or("");
                let style = match after {
                    "crit" | "ALARM" | "failing" | "FAILED" => theme.danger(),
                    "ok" | "OK" | "COMPLETED" => theme.ok(),
                    _ if after.starts_with("running") && e.what.contains("below") => theme.warn(),
                    _ if e.what.contains("back at desired") => theme.ok(),
                    _ => theme.warn(),
                };
                ("◆", style)
            }
            Kind::Refused | Kind::Blocked => ("▸", theme.warn()),
            Kind::End if e.status.as_deref().is_some_and(|s| s != "ok") => ("▸", theme.danger()),
            Kind::End => ("▸", theme.ok()),
            Kind::Note => ("▸", theme.accent()),
            _ => ("▸", theme.text()),
        };
        // The marked entry (Enter selects its resource): a pointer, readable in monochrome.
        let mark = if Some(start + row) == marked {
            "›"
        } else {
            " "
        };
        let line = Line::from(vec![
            Span::styled(mark, theme.accent()),
            Span::styled(format!("{time} "), theme.muted()),
            Span::styled(format!("{symbol} "), kind_style),
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
        buf.set_line(inner.x, inner.y + row as u16, &line, inner.width);
    }
}

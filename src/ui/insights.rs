//! Logs Insights overlay: the query, its range, and its rows (time, message), scrollable.

use super::widgets::{centered, framed};
use crate::app::App;
use crate::config::Theme;
use crate::text::{age, clock};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(ins) = app.insights.as_ref().filter(|_| app.insights_open()) else {
        return;
    };
    let r = centered(
        area,
        area.width.saturating_sub(6),
        area.height.saturating_sub(4),
    );
    let status = match &ins.result {
        None => "running…".to_string(),
        Some(Ok(rows)) => format!("{} rows", rows.len()),
        Some(Err(_)) => "failed".to_string(),
    };
    let title = vec![
        Span::styled(" Logs Insights ", theme.title()),
        Span::styled(
            format!(
                "last {} · {status} · ↑↓ scroll · y copy · i new query · Esc close ",
                age(app.now_ms - ins.since_ms)
            ),
            theme.muted(),
        ),
    ];
    let inner = framed(buf, r, title, theme);
    let w = inner.width.saturating_sub(1);
    buf.set_line(
        inner.x + 1,
        inner.y,
        &Line::from(vec![
            Span::styled("query ", theme.muted()),
            Span::styled(ins.query.clone(), theme.accent()),
            Span::styled(
                if ins.groups.is_empty() {
                    String::new()
                } else {
                    format!("  on {}", ins.groups.join(", "))
                },
                theme.muted(),
            ),
        ]),
        w,
    );
    let body = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    match &ins.result {
        None => {
            buf.set_line(
                body.x + 1,
                body.y,
                &Line::styled("Waiting for CloudWatch Logs Insights…", theme.muted()),
                w,
            );
        }
        Some(Err(e)) => {
            buf.set_line(
                body.x + 1,
                body.y,
                &Line::styled(e.clone(), theme.danger()),
                w,
            );
        }
        Some(Ok(rows)) if rows.is_empty() => {
            buf.set_line(
                body.x + 1,
                body.y,
                &Line::styled("No rows matched in this range.", theme.muted()),
                w,
            );
        }
        Some(Ok(rows)) => {
            let start = (ins.scroll as usize).min(rows.len().saturating_sub(1));
            for (i, e) in rows
                .iter()
                .skip(start)
                .take(body.height as usize)
                .enumerate()
            {
                let mut spans = vec![Span::styled(
                    format!("{} ", clock(e.time_ms)),
                    theme.muted(),
                )];
                // A row's group when the query gave `@log` (several groups, linked accounts').
                if &*e.group != crate::model::INSIGHTS_GROUP {
                    spans.push(Span::styled(format!("{} ", e.group), theme.accent()));
                }
                spans.push(Span::styled(e.message.replace('\n', " ↵ "), theme.text()));
                let line = Line::from(spans);
                buf.set_line(body.x + 1, body.y + i as u16, &line, w);
            }
        }
    }
}

//! Value form overlay (the desired count of a scale).

use super::palette::{centered, draw_lines, framed};
use crate::app::App;
use crate::config::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    render_step_form(buf, area, app, theme);
    let Some(f) = &app.form else { return };
    let r = centered(area, 64, 7);
    let inner = framed(
        buf,
        r,
        vec![Span::styled(format!(" {} ", f.title), theme.title())],
        theme,
    );
    let lines = [
        Line::from(vec![
            Span::styled(format!("{}: ", f.label), theme.muted()),
            Span::styled(format!("{}█", f.value), theme.accent()),
        ]),
        match &f.error {
            None if !f.suggestions.is_empty() => Line::styled(
                format!(
                    "Tab: {}",
                    f.suggestions
                        .iter()
                        .take(12)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                theme.muted(),
            ),
            Some(e) => Line::styled(e.clone(), theme.danger()),
            None => Line::raw(""),
        },
        Line::styled("Enter continue · Esc cancel · Ctrl-U clear", theme.muted()),
    ];
    draw_lines(buf, inner, &lines);
}

/// One field per placeholder; secret values are masked as they are typed.
fn render_step_form(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(f) = &app.step_form else { return };
    let r = centered(area, 90, f.fields.len() as u16 * 2 + 5);
    let inner = framed(
        buf,
        r,
        vec![Span::styled(
            format!(" Values for: {} ", f.title),
            theme.title(),
        )],
        theme,
    );
    let mut lines = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let shown = if field.secret {
            "•".repeat(field.value.chars().count())
        } else {
            field.value.clone()
        };
        let cursor = if i == f.focus { "█" } else { "" };
        let label_style = if i == f.focus {
            theme.selection()
        } else {
            theme.muted()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{}{}: ",
                    field.name,
                    if field.secret { " (secret)" } else { "" }
                ),
                label_style,
            ),
            Span::styled(format!("{shown}{cursor}"), theme.accent()),
        ]));
        let mut help = field.hint.clone().unwrap_or_default();
        if !field.suggestions.is_empty() {
            let known = field
                .suggestions
                .iter()
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            help = if help.is_empty() {
                format!("Tab: {known}")
            } else {
                format!("{help} · Tab: {known}")
            };
        }
        lines.push(Line::styled(format!("  {help}"), theme.muted()));
    }
    lines.push(Line::styled("↑↓ field · Enter next / continue · Esc cancel · values reach commands as environment variables only", theme.muted()));
    draw_lines(buf, inner, &lines);
}

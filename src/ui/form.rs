//! Value form overlay (the desired count of a scale).

use super::widgets::{centered, draw_lines, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let k = |a| keys(keymap, Mode::Form, a);
    if let Some(crate::app::Overlay::StepForm(_)) = app.overlays.last() {
        return render_step_form(buf, area, app, theme, keymap);
    }
    let Some(f) = app.form() else { return };
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
                    "{}: {}",
                    k(Action::Complete),
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
        Line::styled(
            format!(
                "{} continue · {} cancel · {} clear",
                k(Action::Submit),
                k(Action::Close),
                k(Action::ClearLine)
            ),
            theme.muted(),
        ),
    ];
    draw_lines(buf, inner, &lines);
}

/// One field per placeholder; secret values are masked as they are typed.
fn render_step_form(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let k = |a| keys(keymap, Mode::Form, a);
    let Some(f) = app.step_form() else { return };
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
            let tab = k(Action::Complete);
            help = if help.is_empty() {
                format!("{tab}: {known}")
            } else {
                format!("{help} · {tab}: {known}")
            };
        }
        lines.push(Line::styled(format!("  {help}"), theme.muted()));
    }
    lines.push(Line::styled(
        format!(
            "{}{} field · {} next / continue · {} cancel · values reach commands as environment variables only",
            k(Action::Up),
            k(Action::Down),
            k(Action::Submit),
            k(Action::Close)
        ),
        theme.muted(),
    ));
    draw_lines(buf, inner, &lines);
}

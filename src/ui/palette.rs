//! Action palette overlay: the query, matches with their risk badge and matched characters.

use super::widgets::{centered, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let Some(p) = app.palette() else { return };
    let k = |a| keys(keymap, Mode::Palette, a);
    let r = centered(area, 90, (p.matches.len() as u16 + 4).clamp(6, 18));
    let subject = app.services.selected_row().map(|s| s.display_name());
    let title = vec![
        Span::styled(" Actions ", theme.title()),
        Span::styled(
            subject.map(|s| format!("· {s} ")).unwrap_or_default(),
            theme.muted(),
        ),
        Span::styled(
            format!(
                "{}{} choose · {} run · {} close ",
                k(Action::Up),
                k(Action::Down),
                k(Action::Submit),
                k(Action::Close)
            ),
            theme.muted(),
        ),
    ];
    let inner = framed(buf, r, title, theme);
    if inner.height == 0 {
        return;
    }
    let prompt = Line::from(vec![
        Span::styled("› ", theme.accent()),
        Span::styled(format!("{}█", p.query), theme.text()),
    ]);
    buf.set_line(inner.x + 1, inner.y, &prompt, inner.width.saturating_sub(1));
    if p.entries.is_empty() {
        let msg = "No built-in action for this row: select an ECS service in the Services pane";
        buf.set_line(
            inner.x + 1,
            inner.y + 1,
            &Line::styled(truncate(msg, inner.width as usize - 1), theme.muted()),
            inner.width - 1,
        );
        return;
    }
    for (row, m) in p
        .matches
        .iter()
        .enumerate()
        .take(inner.height.saturating_sub(1) as usize)
    {
        let e = &p.entries[m.entry];
        let risk = e.risk();
        let mut spans = vec![
            Span::styled(format!(" {:<11}", format!("[{risk}]")), theme.risk(risk)),
            Span::raw(" "),
        ];
        for (i, ch) in e.label().chars().enumerate() {
            let style = if m.indices.contains(&(i as u32)) {
                theme.highlight()
            } else {
                theme.text()
            };
            spans.push(Span::styled(ch.to_string(), style));
        }
        let mut line = Line::from(spans);
        if row == p.selected {
            line = line.patch_style(theme.selection());
        }
        buf.set_line(inner.x, inner.y + 1 + row as u16, &line, inner.width);
    }
}

//! Value form overlay (the desired count of a scale).

use super::palette::{centered, framed};
use crate::app::App;
use crate::config::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
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
            Some(e) => Line::styled(e.clone(), theme.danger()),
            None => Line::raw(""),
        },
        Line::styled("Enter continue · Esc cancel · Ctrl-U clear", theme.muted()),
    ];
    for (i, l) in lines.iter().enumerate().take(inner.height as usize) {
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            l,
            inner.width.saturating_sub(1),
        );
    }
}

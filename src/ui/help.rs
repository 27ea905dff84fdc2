//! Help overlay: every binding of the active keymap with its description, grouped by mode.

use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::text::fit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};

pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for mode in Mode::ALL {
        let bindings = keymap.bindings(*mode);
        if bindings.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(mode.name().to_uppercase(), theme.title()));
        for b in bindings {
            let keys = b
                .keys
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(fit(&keys, 22), theme.key()),
                Span::styled(b.desc.clone(), theme.text()),
                Span::styled(format!("  ({})", b.action), theme.muted()),
            ]));
        }
    }
    out
}

pub fn render(
    buf: &mut Buffer,
    area: Rect,
    scroll: u16,
    _app: &App,
    theme: &Theme,
    keymap: &Keymap,
) {
    let w = (area.width.saturating_sub(4)).min(100);
    let h = area.height.saturating_sub(2);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(vec![
            Span::styled(format!(" Help · keymap {} ", keymap.name), theme.title()),
            Span::styled("Esc close · ↑↓ scroll ", theme.muted()),
        ]));
    let inner = block.inner(r);
    block.render(r, buf);
    buf.set_style(inner, theme.text());
    let all = lines(keymap, theme);
    let max_scroll = all.len().saturating_sub(inner.height as usize);
    let start = (scroll as usize).min(max_scroll);
    for (i, l) in all
        .iter()
        .skip(start)
        .take(inner.height as usize)
        .enumerate()
    {
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            l,
            inner.width.saturating_sub(1),
        );
    }
}

//! Pieces the overlays share: a centred framed box, body lines, and key hints read from
//! the active keymap (so a user's keymap shows in every hint).

use crate::action::Action;
use crate::config::keys::{KeyCodeOrd, KeyCombo};
use crate::config::{Keymap, Mode, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};

/// A centred box `w` wide and `h` high (clamped to the area).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 3,
        w,
        h,
    )
}

pub fn framed<'a>(buf: &mut Buffer, r: Rect, title: Vec<Span<'a>>, theme: &Theme) -> Rect {
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(title));
    let inner = block.inner(r);
    block.render(r, buf);
    buf.set_style(inner, theme.text());
    inner
}

/// Lines of an overlay body, one per row from the top, indented by one cell, clipped.
pub fn draw_lines(buf: &mut Buffer, inner: Rect, lines: &[Line<'_>]) {
    for (i, l) in lines.iter().enumerate().take(inner.height as usize) {
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            l,
            inner.width.saturating_sub(1),
        );
    }
}

/// How a key is written in a hint: arrows as arrows, the rest as the help screen writes it.
pub fn key_label(k: KeyCombo) -> String {
    if k.mods == 0 {
        match k.code {
            KeyCodeOrd::Up => return "↑".into(),
            KeyCodeOrd::Down => return "↓".into(),
            KeyCodeOrd::Left => return "←".into(),
            KeyCodeOrd::Right => return "→".into(),
            _ => {}
        }
    }
    k.to_string()
}

/// The first key bound to `action` in `mode` (`?` when none is).
pub fn keys(keymap: &Keymap, mode: Mode, action: Action) -> String {
    keymap
        .key_for(mode, action)
        .map_or_else(|| "?".to_string(), key_label)
}

/// Every key bound to `action` in `mode`, `a / b / c`.
pub fn all_keys(keymap: &Keymap, mode: Mode, action: Action) -> String {
    keymap
        .bindings(mode)
        .iter()
        .filter(|b| b.action == action)
        .flat_map(|b| b.keys.iter().map(|k| key_label(*k)))
        .collect::<Vec<_>>()
        .join(" / ")
}

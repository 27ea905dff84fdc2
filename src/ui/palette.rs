//! Action palette overlay: the query, matches with their risk badge and matched characters.

use crate::app::App;
use crate::config::Theme;
use crate::text::truncate;
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

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(p) = &app.palette else { return };
    let r = centered(area, 90, (p.matches.len() as u16 + 4).clamp(6, 18));
    let subject = app.services.selected_row().map(|s| match &s.cluster {
        Some(c) => format!("{c}/{}", s.name),
        None => s.name.clone(),
    });
    let title = vec![
        Span::styled(" Actions ", theme.title()),
        Span::styled(
            subject.map(|s| format!("· {s} ")).unwrap_or_default(),
            theme.muted(),
        ),
        Span::styled("↑↓ choose · Enter run · Esc close ", theme.muted()),
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

//! Watches pane: each pinned command watch stacked, a header (health, name, interval, exit
//! status, age) and its latest output, the lines that changed since the run before
//! highlighted (like `watch -d`).

use crate::app::App;
use crate::config::Theme;
use crate::duration::human as human_interval;
use crate::model::Health;
use crate::text::{age, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let worst = app
        .watches
        .iter()
        .map(|w| w.health(app.now_ms))
        .min_by_key(|h| h.rank())
        .unwrap_or(Health::Unknown);
    let title = Line::from(vec![
        Span::styled(format!(" Watches {} ", app.watches.len()), theme.title()),
        Span::styled(format!("{} ", worst.symbol()), theme.health(worst)),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(false))
        .title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || app.watches.is_empty() {
        return;
    }
    let n = app.watches.len() as u16;
    let share = (inner.height / n).max(1);
    let w = inner.width as usize;
    let mut y = inner.y;
    for (i, watch) in app.watches.iter().enumerate() {
        if y >= inner.y + inner.height {
            break;
        }
        // The last watch takes what is left.
        let h = if i + 1 == app.watches.len() {
            inner.y + inner.height - y
        } else {
            share
        };
        let health = watch.health(app.now_ms);
        let state = match (&watch.note, &watch.status, watch.running) {
            (Some(note), _, _) => note.clone(),
            (None, None, Some(_)) => "first run…".into(),
            (None, None, None) => "waiting".into(),
            (None, Some(s), running) => {
                let ago = watch
                    .last_ms
                    .map(|t| format!(" · {} ago", age((app.now_ms - t).max(0))))
                    .unwrap_or_default();
                let spin = if running.is_some() { " · ⟳" } else { "" };
                format!("{}{ago}{spin}", s.label())
            }
        };
        let head = Line::from(vec![
            Span::styled(format!("{} ", health.symbol()), theme.health(health)),
            Span::styled(truncate(&watch.name, w.saturating_sub(30)), theme.title()),
            Span::styled(
                format!("  every {} · {}", human_interval(watch.interval_ms), state),
                theme.muted(),
            ),
        ]);
        buf.set_line(inner.x, y, &head, inner.width);
        let rows = h.saturating_sub(1) as usize;
        // The top of the output, as `watch` shows it.
        for (k, line) in watch.lines.iter().enumerate().take(rows) {
            let row = y + 1 + k as u16;
            let changed = watch.changed.get(k).copied().unwrap_or(false);
            let text = crate::sanitize::sanitize(line);
            let style = if changed {
                theme.highlight()
            } else {
                theme.text()
            };
            let mark = if changed { "▌" } else { " " };
            buf.set_line(
                inner.x,
                row,
                &Line::from(vec![
                    Span::styled(mark, theme.accent()),
                    Span::styled(truncate(&text, w.saturating_sub(1)), style),
                ]),
                inner.width,
            );
        }
        y += h;
    }
}

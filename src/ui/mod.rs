//! Views: pure functions of the application state, one file per pane or overlay. They style
//! through theme roles only.

pub mod alarms;
pub mod confirm;
pub mod form;
pub mod help;
pub mod insights;
pub mod journal;
pub mod logs;
pub mod metrics;
pub mod palette;
pub mod procedure;
pub mod run;
pub mod services;
pub mod status;
pub mod watches;
pub mod widgets;

use crate::app::freshness::Freshness;
use crate::app::layout;
use crate::app::{App, Overlay, Pane};
use crate::config::{Keymap, Theme};
use crate::text;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

pub fn render(frame: &mut Frame<'_>, app: &App, theme: &Theme, keymap: &Keymap) {
    let area = frame.area();
    let areas = layout::compute(area, app);
    let buf = frame.buffer_mut();
    if areas.too_small {
        let msg = format!(
            "opsdeck needs at least {}x{}",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        Paragraph::new(msg).style(theme.warn()).render(area, buf);
        return;
    }
    if let Some(r) = areas.services {
        services::render(buf, r, app, theme);
    }
    if let Some(r) = areas.metrics {
        metrics::render(buf, r, app, theme);
    }
    if let Some(r) = areas.alarms {
        alarms::render(buf, r, app, theme);
    }
    if let Some(r) = areas.logs {
        logs::render(buf, r, app, theme);
    }
    if let Some(r) = areas.run {
        run::render(buf, r, app, theme);
    }
    if let Some(r) = areas.watches {
        watches::render(buf, r, app, theme);
    }
    if let Some(r) = areas.strip {
        status::render_strip(buf, r, app, theme);
    }
    status::render(buf, areas.status, app, theme, keymap);
    // Overlays in stack order: the one with the keys is drawn last, on top.
    for o in &app.overlays {
        match o {
            Overlay::Help(scroll) => help::render(buf, area, *scroll, app, theme, keymap),
            Overlay::Timeline(_) => journal::render(buf, area, app, theme),
            Overlay::Insights => insights::render(buf, area, app, theme),
            Overlay::Procedure(_) => match areas.procedure {
                Some(r) => procedure::render(buf, r, true, app, theme, keymap),
                None => procedure::render(buf, area, false, app, theme, keymap),
            },
            Overlay::Palette(_) => palette::render(buf, area, app, theme, keymap),
            Overlay::Form(_) | Overlay::StepForm(_) => form::render(buf, area, app, theme, keymap),
            Overlay::Confirm(_) => confirm::render(buf, area, app, theme, keymap),
            Overlay::Quit(_) => confirm::render_quit(buf, area, app, theme, keymap),
            Overlay::PickContext(_) => palette::render_contexts(buf, area, app, theme, keymap),
            // The prompt lives in the status bar.
            Overlay::Prompt(_) => {}
        }
    }
}

/// Renders into an off-screen buffer (snapshot, tests, benches).
pub fn render_buffer(app: &App, theme: &Theme, keymap: &Keymap, width: u16, height: u16) -> Buffer {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal =
        ratatui::Terminal::new(backend).expect("TestBackend never fails to initialise");
    terminal
        .draw(|f| render(f, app, theme, keymap))
        .expect("TestBackend draw is infallible");
    terminal.backend().buffer().clone()
}

/// Plain text of a buffer, one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The frame of a pane: title, focus, and the freshness of the feeds behind it. A failing
/// feed puts its error in the title (with the data age) so the problem shows where the data
/// is, while the rest of the cockpit keeps updating.
pub fn pane_block<'a>(pane: Pane, app: &App, theme: &Theme, mut title: Vec<Span<'a>>) -> Block<'a> {
    let focused = app.focus == pane;
    let mut spans = vec![Span::styled(format!(" {} ", pane.title()), theme.title())];
    spans.append(&mut title);
    for (id, st) in app.feeds.feeds.iter().filter(|(f, _)| pane.shows(f.feed)) {
        let feed = app.feed_name(*id);
        match st.freshness(app.now_ms) {
            Freshness::Failing => {
                let age = st
                    .age_ms(app.now_ms)
                    .map(|a| format!(", data {} old", text::age(a)))
                    .unwrap_or_default();
                let msg = st.error.as_deref().unwrap_or("error");
                spans.push(Span::styled(
                    format!(" ✗ {feed}: {}{age} ", text::truncate(msg, 60)),
                    theme.danger(),
                ));
            }
            Freshness::Stale => {
                let age = st.age_ms(app.now_ms).unwrap_or(0);
                spans.push(Span::styled(
                    format!(" ⚠ {feed} stale {} ", text::age(age)),
                    theme.warn(),
                ));
            }
            Freshness::Waiting => spans.push(Span::styled(format!(" … {feed} "), theme.muted())),
            Freshness::Fresh => {}
        }
    }
    if focused && app.zoomed {
        spans.push(Span::styled(" [zoom] ", theme.accent()));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(Line::from(spans))
}

/// Draws `line` into one row, clipped to `area`.
pub fn put_line(buf: &mut Buffer, area: Rect, row: u16, line: &Line<'_>) {
    if row < area.height {
        buf.set_line(area.x, area.y + row, line, area.width);
    }
}

/// Colour carries meaning here: the cells themselves are checked.
#[cfg(test)]
mod tests {
    use crate::action::Action;
    use crate::testing::{act, demo_app, find, render, theme};

    #[test]
    fn focused_pane_border_differs() {
        let mut app = demo_app(5, 160, 48);
        act(&mut app, &[Action::FocusMetrics]);
        assert_eq!(app.focus, crate::app::Pane::Metrics);
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, "Metrics");
        // The corner left of the title belongs to the focused block.
        assert_eq!(buf[(x - 2, y)].symbol(), "┏");
        assert_eq!(buf[(x - 2, y)].style().fg, theme().border(true).fg);
        let (x, y) = find(&buf, "Services");
        assert_eq!(buf[(x - 2, y)].symbol(), "┌");
    }
}

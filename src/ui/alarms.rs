//! Alarms pane: the count in ALARM in the title, alarms in ALARM first and marked.

use super::{pane_block, put_line};
use crate::app::{App, Pane};
use crate::config::Theme;
use crate::text::{age, fit, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let st = &app.alarms;
    let n = st.in_alarm();
    let title = if n > 0 {
        vec![Span::styled(
            format!(" {n} in ALARM "),
            theme
                .danger()
                .add_modifier(ratatui::style::Modifier::REVERSED),
        )]
    } else if st.shown() == 0 {
        vec![]
    } else {
        vec![Span::styled(format!("all {} OK ", st.shown()), theme.ok())]
    };
    let block = pane_block(Pane::Alarms, app, theme, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if st.shown() == 0 {
        put_line(buf, inner, 0, &Line::styled("no alarms", theme.muted()));
        return;
    }
    let h = inner.height as usize;
    let offset = st.selected.saturating_sub(h.saturating_sub(1));
    let w = inner.width as usize;
    for (i, a) in st.visible().enumerate().skip(offset).take(h) {
        let hs = theme.health(a.health());
        let state = match a.state.as_str() {
            "ALARM" => "ALARM",
            "OK" => "OK",
            _ => "NODATA",
        };
        let since = a
            .updated_ms
            .map(|t| age(app.now_ms - t))
            .unwrap_or_default();
        let name_w = (w.saturating_sub(13) * 2 / 3).max(8);
        let reason_w = w.saturating_sub(2 + 7 + name_w + 1 + 5);
        let mut spans = vec![
            Span::styled(format!("{} ", a.health().symbol()), hs),
            Span::styled(fit(state, 7), hs),
            Span::styled(fit(&a.name, name_w), theme.text()),
            Span::styled(format!(" {:>4}", since), theme.muted()),
        ];
        if reason_w > 4 {
            spans.push(Span::styled(
                format!(
                    " {}",
                    truncate(a.reason.as_deref().unwrap_or(""), reason_w - 1)
                ),
                theme.muted(),
            ));
        }
        let mut line = Line::from(spans);
        if i == st.selected && app.focus == Pane::Alarms {
            line = line.patch_style(theme.selection());
        }
        put_line(buf, inner, (i - offset) as u16, &line);
    }
}

/// Colour carries meaning here: the cells themselves are checked.
#[cfg(test)]
mod tests {
    use crate::testing::{demo_app, find, render, theme};

    #[test]
    fn alarm_count_stands_out_in_the_title() {
        let app = demo_app(150, 160, 48);
        assert!(app.alarms.in_alarm() >= 2);
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, "in ALARM");
        let style = buf[(x, y)].style();
        assert_eq!(style.fg, theme().danger().fg);
        assert!(
            style
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );
        // ALARM rows come first.
        assert_eq!(app.alarms.alarms[0].state, "ALARM");
    }
}

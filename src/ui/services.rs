//! Services pane: ECS services, Lambda functions and HTTP checks, worst first. Health is shown
//! by colour and by symbol so it reads in monochrome and on a projector.

use super::{pane_block, put_line};
use crate::app::{App, Pane};
use crate::config::Theme;
use crate::model::Resource;
use crate::text::{fit, fit_right, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let st = &app.services;
    let mut title = vec![Span::styled(format!("{} ", st.total()), theme.muted())];
    let loading = st.loading();
    if loading > 0 {
        title.push(Span::styled(
            format!("loading {}/{} ", st.total() - loading, st.total()),
            theme.accent(),
        ));
    }
    if !st.filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ({} shown) ", st.filter, st.rows().len()),
            theme.accent(),
        ));
    }
    title.push(Span::styled(
        format!("sort:{} ", st.sort.label()),
        theme.muted(),
    ));
    let block = pane_block(Pane::Services, app, theme, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    let rows = st.rows();
    if rows.is_empty() {
        let msg = if st.total() == 0 {
            "waiting for data…"
        } else {
            "no row matches the filter"
        };
        put_line(buf, inner, 0, &Line::styled(msg, theme.muted()));
        return;
    }
    // The selected row's detail takes the last line when there is room for it.
    let detail_room = inner.height >= 6 && app.focus == Pane::Services;
    let list_h = if detail_room {
        inner.height - 1
    } else {
        inner.height
    } as usize;
    let offset = st.selected.saturating_sub(list_h.saturating_sub(1));
    let w = inner.width as usize;
    for (i, s) in rows.iter().enumerate().skip(offset).take(list_h) {
        let selected = i == st.selected && app.focus == Pane::Services;
        let mut line = row_line(s, w, theme);
        if selected {
            line = line.patch_style(theme.selection());
        }
        put_line(buf, inner, (i - offset) as u16, &line);
    }
    if detail_room && let Some(s) = st.selected_row() {
        let text = detail(s);
        put_line(
            buf,
            inner,
            inner.height - 1,
            &Line::styled(truncate(&format!("» {text}"), w), theme.muted()),
        );
    }
}

/// The count column: the kind's own (`3/4 +1`, `live→v12`, `200`).
fn counts(s: &Resource) -> String {
    s.counts_text()
}

fn status_text(s: &Resource) -> String {
    match s.http_detail().and_then(|d| d.latency_ms) {
        Some(ms) => format!("{ms}ms {}", s.status),
        None => s.status.clone(),
    }
}

fn display_name(s: &Resource) -> String {
    s.display_name()
}

fn detail(s: &Resource) -> String {
    s.detail_line()
}

fn row_line(s: &Resource, w: usize, theme: &Theme) -> Line<'static> {
    let hs = theme.health(s.health);
    let counts_w = 8;
    // Several contexts: a short column with the row's, before its kind.
    let ctx_w = if s.context.is_some() && w >= 60 {
        11
    } else {
        0
    };
    let fixed = 2 + ctx_w + 6 + counts_w + 1;
    let rest = w.saturating_sub(fixed);
    let name_w = (rest * 55 / 100).clamp(8.min(rest), 32);
    let status_w = rest.saturating_sub(name_w + 1);
    let mut spans = vec![Span::styled(format!("{} ", s.health.symbol()), hs)];
    if ctx_w > 0 {
        spans.push(Span::styled(
            fit(s.context.as_deref().unwrap_or(""), ctx_w - 1),
            theme.accent(),
        ));
        spans.push(Span::raw(" "));
    }
    spans.extend([
        Span::styled(fit(s.kind.label(), 6), theme.muted()),
        Span::styled(fit(&display_name(s), name_w), theme.text()),
        Span::raw(" "),
        Span::styled(fit_right(&counts(s), counts_w), hs),
        Span::raw(" "),
    ]);
    if status_w > 0 {
        spans.push(Span::styled(fit(&status_text(s), status_w), hs));
    }
    Line::from(spans)
}

/// Colour carries meaning here: the cells themselves are checked.
#[cfg(test)]
mod tests {
    use crate::testing::{demo_app, find, render, theme};

    #[test]
    fn crit_service_symbol_uses_the_danger_role() {
        let app = demo_app(150, 160, 48);
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, "✗ ECS   prod/api");
        assert_eq!(buf[(x, y)].style().fg, theme().danger().fg);
        let (x, y) = find(&buf, "✓ ECS   internal/auth");
        assert_eq!(buf[(x, y)].style().fg, theme().ok().fg);
    }
}

//! Metrics pane: one sparkline per series over the selected window, each bar coloured by the
//! series' thresholds, with the last value, min/max and a health badge.

use super::{pane_block, put_line};
use crate::app::{App, Pane};
use crate::config::Theme;
use crate::model::{Health, MetricSeries};
use crate::text::{fit, fit_right, value};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let st = &app.metrics;
    let title = vec![Span::styled(
        format!("{} ", st.window.label()),
        theme.accent(),
    )];
    let block = pane_block(Pane::Metrics, app, theme, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 16 {
        return;
    }
    if st.visible().next().is_none() {
        put_line(
            buf,
            inner,
            0,
            &Line::styled("waiting for data…", theme.muted()),
        );
        return;
    }
    let h = inner.height as usize;
    let offset = st.selected.saturating_sub(h.saturating_sub(1));
    for (i, s) in st.visible().enumerate().skip(offset).take(h) {
        let mut line = row(
            s,
            inner.width as usize,
            app.now_ms,
            st.window.millis(),
            theme,
        );
        if i == st.selected && app.focus == Pane::Metrics {
            // Only the label takes the selection colour so the bars keep their meaning.
            if let Some(first) = line.spans.first_mut() {
                first.style = theme.selection();
            }
        }
        put_line(buf, inner, (i - offset) as u16, &line);
    }
}

/// Buckets the window into `cols` columns; each column holds the largest value that fell in
/// it (a spike must not be averaged away), or `None` where there was no data.
pub fn buckets(
    points: &[(i64, f64)],
    start_ms: i64,
    window_ms: i64,
    cols: usize,
) -> Vec<Option<f64>> {
    let mut out = vec![None; cols];
    if cols == 0 || window_ms <= 0 {
        return out;
    }
    for (t, v) in points {
        if *t < start_ms || !v.is_finite() {
            continue;
        }
        let c = (((t - start_ms) as i128 * cols as i128) / window_ms as i128).min(cols as i128 - 1)
            as usize;
        out[c] = Some(out[c].map_or(*v, |o: f64| o.max(*v)));
    }
    out
}

/// A linked account's series is labelled with its account id (`222222222222 api CPU`); in the
/// narrow label column the id's last four digits stand for it (`…2222 api CPU`), as in the
/// logs pane.
fn short_accounts(label: &str) -> std::borrow::Cow<'_, str> {
    let is_account = |w: &str| w.len() == 12 && w.bytes().all(|b| b.is_ascii_digit());
    if !label.split(' ').any(is_account) {
        return std::borrow::Cow::Borrowed(label);
    }
    let words: Vec<String> = label
        .split(' ')
        .map(|w| {
            if is_account(w) {
                super::logs::short_account(w)
            } else {
                w.to_string()
            }
        })
        .collect();
    std::borrow::Cow::Owned(words.join(" "))
}

fn row(s: &MetricSeries, w: usize, now_ms: i64, window_ms: i64, theme: &Theme) -> Line<'static> {
    let start = now_ms - window_ms;
    let pts = s.window(start);
    let label_w = (w / 4).clamp(8, 18);
    let last_w = 8;
    let show_range = w >= 60;
    let range_w = if show_range { 16 } else { 0 };
    let spark_w = w.saturating_sub(label_w + 1 + last_w + 1 + range_w + 2);
    let health = s.health();
    let hs = theme.health(health);
    let unit = s.unit.as_deref();

    let mut spans = vec![
        Span::styled(fit(&short_accounts(&s.label), label_w), theme.text()),
        Span::raw(" "),
    ];
    let cols = buckets(pts, start, window_ms, spark_w);
    let vals: Vec<f64> = cols.iter().flatten().copied().collect();
    let (lo, hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    for c in &cols {
        match c {
            None => spans.push(Span::styled(" ", theme.muted())),
            Some(v) => {
                // A flat series draws as a flat low line, not a wall.
                let frac = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                let idx = ((frac * 7.0).round() as usize).min(7);
                let style = match s.thresholds.classify(*v) {
                    _ if s.thresholds.is_empty() => theme.accent(),
                    Health::Ok | Health::Unknown => theme.accent(),
                    h => theme.health(h),
                };
                spans.push(Span::styled(BARS[idx].to_string(), style));
            }
        }
    }
    spans.push(Span::raw(" "));
    let last = s
        .last()
        .map(|v| value(v, unit))
        .unwrap_or_else(|| "—".into());
    spans.push(Span::styled(fit_right(&last, last_w), hs));
    spans.push(Span::styled(format!(" {}", health.symbol()), hs));
    if show_range {
        let range = if vals.is_empty() {
            String::new()
        } else {
            let min = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let max = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            format!("↓{} ↑{}", value(min, unit), value(max, unit))
        };
        spans.push(Span::styled(
            format!(" {}", fit(&range, range_w - 1)),
            theme.muted(),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    #[test]
    fn linked_accounts_are_shortened_in_the_label_column() {
        use super::short_accounts;
        assert_eq!(short_accounts("222222222222 api CPU"), "…2222 api CPU");
        assert_eq!(
            short_accounts("mon 222222222222 api CPU"),
            "mon …2222 api CPU"
        );
        assert_eq!(short_accounts("api CPU"), "api CPU");
        // Not an account: other lengths, non-digits.
        assert_eq!(short_accounts("1234 api"), "1234 api");
        assert_eq!(short_accounts("12345678901x api"), "12345678901x api");
    }

    use super::*;

    #[test]
    fn buckets_keep_spikes() {
        let pts = vec![(0, 1.0), (10, 9.0), (20, 2.0), (90, 3.0)];
        let b = buckets(&pts, 0, 100, 4);
        assert_eq!(b, vec![Some(9.0), None, None, Some(3.0)]);
    }
}

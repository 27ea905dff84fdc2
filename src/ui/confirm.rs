//! Confirmation dialog, graded by risk: write asks y/N (default No); destructive wants the
//! target's name typed; read-only says the action cannot run.

use super::palette::{centered, draw_lines, framed};
use crate::app::App;
use crate::config::Theme;
use crate::runbook::Risk;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(c) = &app.confirm else { return };
    let call: Vec<String> = c.subject.describe().lines().map(str::to_string).collect();
    let shown = call.len().min(12);
    let r = centered(area, 100, 9 + shown as u16);
    let badge = format!(" {} ", c.risk.as_str().to_uppercase());
    let inner = framed(
        buf,
        r,
        vec![
            Span::styled(" Confirm ", theme.title()),
            Span::styled(badge, theme.risk(c.risk)),
            Span::raw(" "),
        ],
        theme,
    );
    let mut lines = vec![
        Line::styled(c.title.clone(), theme.title()),
        Line::from(vec![
            Span::styled("target  ", theme.muted()),
            Span::styled(app.source_label.clone(), theme.text()),
        ]),
    ];
    for (i, l) in call.iter().take(shown).enumerate() {
        let label = if i == 0 { "runs    " } else { "        " };
        lines.push(Line::from(vec![
            Span::styled(label, theme.muted()),
            Span::styled(l.clone(), theme.accent()),
        ]));
    }
    if call.len() > shown {
        lines.push(Line::styled(
            format!("        … {} more lines", call.len() - shown),
            theme.muted(),
        ));
    }
    lines.push(Line::raw(""));
    if c.blocked_read_only {
        if app.read_only {
            lines.push(Line::styled(
                "Read-only mode: this action cannot run. Esc closes.",
                theme.danger(),
            ));
        }
        if let Some(why) = c
            .refused
            .as_deref()
            .filter(|w| !w.starts_with("Read-only mode"))
        {
            lines.push(Line::styled(why.to_string(), theme.muted()));
        }
    } else if c.risk == Risk::Destructive {
        lines.push(Line::from(vec![
            Span::styled("Destructive. Type ", theme.danger()),
            Span::styled(c.subject.target().to_string(), theme.key()),
            Span::styled(" to confirm, then Enter. Esc cancels.", theme.danger()),
        ]));
        let ok = if c.typed_ok() {
            theme.ok()
        } else {
            theme.text()
        };
        lines.push(Line::from(vec![
            Span::styled("› ", theme.accent()),
            Span::styled(format!("{}█", c.typed), ok),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled("y", theme.key()),
            Span::styled(" run   ", theme.text()),
            Span::styled("n", theme.key()),
            Span::styled(" / Esc / Enter cancel (default: No)", theme.text()),
        ]));
    }
    draw_lines(buf, inner, &lines);
}

/// Quitting while steps run: they would be cancelled, so ask (default No).
pub fn render_quit(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let Some(n) = app.quit_pending else { return };
    let r = centered(area, 64, 6);
    let inner = framed(buf, r, vec![Span::styled(" Quit? ", theme.title())], theme);
    let running: Vec<String> = app
        .runs
        .iter()
        .filter(|r| r.status.is_none())
        .map(|r| r.title.clone())
        .collect();
    let lines = vec![
        Line::styled(
            format!("{n} step(s) still running: {}", running.join(", ")),
            theme.warn(),
        ),
        Line::styled(
            "Quitting cancels them (their process groups are killed).",
            theme.text(),
        ),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::styled(" quit and cancel   ", theme.text()),
            Span::styled("n", theme.key()),
            Span::styled(" / Esc stay (default)", theme.text()),
        ]),
    ];
    draw_lines(buf, inner, &lines);
}

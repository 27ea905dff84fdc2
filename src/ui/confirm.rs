//! Confirmation dialog, graded by risk: write asks y/N (default No); destructive wants the
//! target's name typed; read-only says the action cannot run.

use super::widgets::{all_keys, centered, draw_lines, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::runbook::Risk;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let Some(c) = app.confirm() else { return };
    // Runbook text: each line's escapes and control characters shown, never sent.
    let call: Vec<String> = c
        .subject
        .describe()
        .lines()
        .map(|l| crate::sanitize::sanitize(l).into_owned())
        .collect();
    let shown = call.len().min(12);
    let previews = c.preview.len().min(6);
    let r = centered(area, 100, 9 + shown as u16 + previews as u16);
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
        match app
            .contexts
            .get(c.ctx as usize)
            .filter(|_| app.multi_context())
        {
            // Several contexts: the one acted on, in the danger colour when it is production.
            Some(ctx) if ctx.production => Line::from(vec![
                Span::styled("target  ", theme.muted()),
                Span::styled(format!("{} · PRODUCTION", ctx.describe()), theme.danger()),
            ]),
            Some(ctx) => Line::from(vec![
                Span::styled("target  ", theme.muted()),
                Span::styled(ctx.describe(), theme.text()),
            ]),
            None => Line::from(vec![
                Span::styled("target  ", theme.muted()),
                Span::styled(app.source_label.clone(), theme.text()),
            ]),
        },
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
    for (i, p) in c.preview.iter().take(previews).enumerate() {
        let label = if i == 0 { "change  " } else { "        " };
        lines.push(Line::from(vec![
            Span::styled(label, theme.muted()),
            Span::styled(
                crate::sanitize::sanitize(&p.text).into_owned(),
                theme.health(p.severity),
            ),
        ]));
    }
    lines.push(Line::raw(""));
    if c.blocked_read_only {
        if app.read_only {
            lines.push(Line::styled(
                format!(
                    "Read-only mode: this action cannot run. {} closes.",
                    keys(keymap, Mode::Confirm, Action::Close)
                ),
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
            Span::styled(
                format!(
                    " to confirm, then {}. {} cancels.",
                    keys(keymap, Mode::Typed, Action::Submit),
                    keys(keymap, Mode::Typed, Action::Refuse)
                ),
                theme.danger(),
            ),
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
            Span::styled(keys(keymap, Mode::Confirm, Action::Confirm), theme.key()),
            Span::styled(" run   ", theme.text()),
            Span::styled(
                format!(
                    "{} / {}",
                    all_keys(keymap, Mode::Confirm, Action::Refuse),
                    all_keys(keymap, Mode::Confirm, Action::Close)
                ),
                theme.key(),
            ),
            Span::styled(" cancel (default: No)", theme.text()),
        ]));
    }
    draw_lines(buf, inner, &lines);
}

/// Quitting while steps run: they would be cancelled, so ask (default No).
pub fn render_quit(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let Some(n) = app.quit_pending() else { return };
    let r = centered(area, 64, 6);
    let inner = framed(buf, r, vec![Span::styled(" Quit? ", theme.title())], theme);
    let running: Vec<String> = app
        .session
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
            Span::styled(keys(keymap, Mode::Confirm, Action::Confirm), theme.key()),
            Span::styled(" quit and cancel   ", theme.text()),
            Span::styled(all_keys(keymap, Mode::Confirm, Action::Refuse), theme.key()),
            Span::styled(" stay (default)", theme.text()),
        ]),
    ];
    draw_lines(buf, inner, &lines);
}

/// Colour carries meaning here: the cells themselves are checked.
#[cfg(test)]
mod tests {
    use crate::testing::{demo_app, find, open_palette_on, render, theme};

    #[test]
    fn risk_badges_use_their_roles() {
        let mut app = demo_app(150, 160, 48);
        open_palette_on(&mut app, "api", "scale");
        crate::testing::press(&mut app, "enter");
        crate::testing::press(&mut app, "ctrl-u");
        crate::testing::press(&mut app, "0");
        crate::testing::press(&mut app, "enter");
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, " DESTRUCTIVE ");
        assert_eq!(
            buf[(x + 1, y)].style().bg,
            theme().risk(crate::runbook::Risk::Destructive).bg
        );
        let mut app = demo_app(150, 160, 48);
        open_palette_on(&mut app, "api", "");
        let buf = render(&app, 160, 48);
        let (x, y) = find(&buf, "[write]");
        assert_eq!(
            buf[(x, y)].style().fg,
            theme().risk(crate::runbook::Risk::Write).fg
        );
    }
}

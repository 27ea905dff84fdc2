//! Procedure view overlay: the steps of a runbook procedure with phase, risk badge,
//! description, commands, placeholders, expectation and checklist.

use super::widgets::{centered, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    // Long on purpose: the view's rows top to bottom (checklist, then each step's parts).
    let Some((rb, p, sel)) = app.procedure() else {
        return;
    };
    let Some(l) = app.session.runbooks.get(rb) else {
        return;
    };
    let Some(proc_) = l.runbook.procedures.get(p) else {
        return;
    };
    let r = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let title = vec![
        Span::styled(format!(" {} ", proc_.path.join(" › ")), theme.title()),
        Span::styled(hints(keymap), theme.muted()),
    ];
    let inner = framed(buf, r, title, theme);
    let w = inner.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_at = 0;
    for (i, c) in proc_.checklist.iter().enumerate() {
        let checked = app
            .session
            .ticks
            .get(&(rb, p, i))
            .copied()
            .unwrap_or(c.checked);
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", i + 1), theme.key()),
            Span::styled(if checked { "[x] " } else { "[ ] " }, theme.accent()),
            Span::styled(c.text.clone(), theme.text()),
        ]));
    }
    for (i, s) in proc_.steps.iter().enumerate() {
        if i == sel {
            selected_at = lines.len();
        }
        let badge = if s.runnable {
            format!("[{}]", s.risk)
        } else {
            "[reference]".into()
        };
        let badge_style = if s.runnable {
            theme.risk(s.risk)
        } else {
            theme.muted()
        };
        let phase = s.phase_prefix();
        let mut head = Line::from(vec![
            Span::styled(format!("{}. ", i + 1), theme.muted()),
            Span::styled(format!("{badge:<13}"), badge_style),
            Span::styled(format!("{phase}{}", s.title), theme.title()),
        ]);
        if i == sel {
            head = head.patch_style(theme.selection());
        }
        lines.push(head);
        if let Some(d) = &s.description {
            lines.push(Line::styled(
                format!("     {}", truncate(d, w.saturating_sub(5))),
                theme.muted(),
            ));
        }
        for c in &s.commands {
            if let Some(t) = &c.title {
                lines.push(Line::styled(
                    format!("     # {}", truncate(t, w.saturating_sub(7))),
                    theme.muted(),
                ));
            }
            // Runbook text is outside text: escapes neutralised, secret defaults masked.
            let shown = app
                .session
                .secrets
                .scrub(&crate::sanitize::sanitize(&c.text));
            for (k, text) in shown.lines().enumerate() {
                let prefix = if k == 0 { "     $ " } else { "       " };
                lines.push(Line::from(vec![
                    Span::styled(prefix, theme.muted()),
                    Span::styled(truncate(text, w.saturating_sub(7)), theme.text()),
                ]));
            }
        }
        if !s.runnable {
            let code = app
                .session
                .secrets
                .scrub(&crate::sanitize::sanitize(&s.code));
            for text in code.lines().take(6) {
                lines.push(Line::styled(
                    format!("     {}", truncate(text, w.saturating_sub(5))),
                    theme.muted(),
                ));
            }
        }
        if !s.placeholders.is_empty() {
            let names: Vec<String> = s
                .placeholders
                .iter()
                .map(|p| {
                    if p.secret {
                        format!("{} (secret)", p.syntax)
                    } else {
                        p.syntax.clone()
                    }
                })
                .collect();
            lines.push(Line::styled(
                format!("     needs: {}", names.join(", ")),
                theme.accent(),
            ));
        }
        if let Some(e) = &s.expect {
            lines.push(Line::styled(
                format!(
                    "     expect: {}",
                    truncate(&e.replace('\n', " "), w.saturating_sub(13))
                ),
                theme.muted(),
            ));
        }
    }
    // Keep the selected step in view.
    let h = inner.height as usize;
    let start = selected_at
        .saturating_sub(h / 3)
        .min(lines.len().saturating_sub(h));
    for (row, l) in lines.iter().skip(start).take(h).enumerate() {
        buf.set_line(
            inner.x + 1,
            inner.y + row as u16,
            l,
            inner.width.saturating_sub(1),
        );
    }
}

/// The procedure view's keys, from the keymap.
fn hints(keymap: &Keymap) -> String {
    let k = |a| keys(keymap, Mode::Procedure, a);
    format!(
        "{}{} step · {} run · {} dry run · {} run all · {}-{} tick · {} copy · {} insights · {} close ",
        k(Action::Up),
        k(Action::Down),
        k(Action::RunStep),
        k(Action::DryRun),
        k(Action::RunAll),
        k(Action::Tick1),
        k(Action::Tick9),
        k(Action::CopyStep),
        k(Action::Insights),
        k(Action::Close)
    )
}

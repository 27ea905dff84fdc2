//! Procedure view overlay: the steps of a runbook procedure with phase, risk badge,
//! description, commands, placeholders, expectation and checklist.

use super::widgets::{centered, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::runbook::Step;
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// `docked`: `area` is the procedure's own (beside or under the live panes); otherwise the
/// whole screen, with a margin.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    docked: bool,
    app: &App,
    theme: &Theme,
    keymap: &Keymap,
) {
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
    let r = if docked {
        area
    } else {
        centered(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        )
    };
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
    let mut row = 0;
    for (i, s) in proc_.steps.iter().enumerate() {
        if row == sel {
            selected_at = lines.len();
        }
        let (badge, badge_style) = if s.alternatives.is_some() {
            ("[choose one]".to_string(), theme.warn())
        } else if s.choice.is_some() && s.runnable {
            (format!("[{}?]", s.risk), theme.warn())
        } else if s.runnable {
            (format!("[{}]", s.risk), theme.risk(s.risk))
        } else {
            (reference_badge(s), theme.muted())
        };
        let phase = s.phase_prefix();
        let mut head = Line::from(vec![
            Span::styled(format!("{}. ", i + 1), theme.muted()),
            Span::styled(format!("{badge:<13}"), badge_style),
            Span::styled(format!("{phase}{}", s.title), theme.title()),
        ]);
        if row == sel {
            head = head.patch_style(theme.selection());
        }
        lines.push(head);
        row += 1;
        if let Some(d) = &s.description {
            lines.push(Line::styled(
                format!("     {}", truncate(d, w.saturating_sub(5))),
                theme.muted(),
            ));
        }
        if let Some(c) = &s.choice {
            lines.push(Line::styled(
                format!(
                    "     {}",
                    truncate(&format!("a choice: {}", c.why), w.saturating_sub(5))
                ),
                theme.warn(),
            ));
        }
        if let Some(why) = &s.alternatives {
            let numbers: Vec<&str> = s.parts.iter().map(|x| x.number()).collect();
            lines.push(Line::styled(
                format!(
                    "     {}",
                    truncate(
                        &format!(
                            "never runs as a whole ({why}); pick one of {}",
                            numbers.join(", ")
                        ),
                        w.saturating_sub(5)
                    )
                ),
                theme.warn(),
            ));
        }
        if s.parts.is_empty() {
            body(&mut lines, s, false, app, theme, w);
            continue;
        }
        for part in &s.parts {
            if row == sel {
                selected_at = lines.len();
            }
            let (badge, style) = if part.runnable {
                (format!("[{}]", part.risk), theme.risk(part.risk))
            } else {
                (reference_badge(part), theme.muted())
            };
            let mut head = Line::from(vec![
                Span::styled(format!("   {:<5}", part.number()), theme.muted()),
                Span::styled(format!("{badge:<13}"), style),
                Span::styled(part.title.clone(), theme.text()),
            ]);
            if row == sel {
                head = head.patch_style(theme.selection());
            }
            lines.push(head);
            row += 1;
            body(&mut lines, part, true, app, theme, w);
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

/// A step's commands (carried context dimmed), reference text, needs and expectation.
fn body(lines: &mut Vec<Line<'static>>, s: &Step, part: bool, app: &App, theme: &Theme, w: usize) {
    let pad = if part { "         " } else { "     " };
    let room = w.saturating_sub(pad.len() + 2);
    let first_own = s.commands.iter().position(|c| !c.context);
    for (i, c) in s.commands.iter().enumerate() {
        // A sub-step's first title is its row; other titled commands keep their title.
        if let Some(t) = &c.title
            && !c.context
            && !(part && Some(i) == first_own)
        {
            lines.push(Line::styled(
                format!("{pad}# {}", truncate(t, room)),
                theme.muted(),
            ));
        }
        let shown = shown_lines(app, &c.text);
        let style = if c.context {
            theme.muted()
        } else {
            theme.text()
        };
        for (k, text) in shown.iter().enumerate() {
            let prefix = if k == 0 { "$ " } else { "  " };
            let mut spans = vec![
                Span::styled(format!("{pad}{prefix}"), theme.muted()),
                Span::styled(truncate(text, room), style),
            ];
            if c.context && k == 0 {
                spans.push(Span::styled("  (carried)", theme.muted()));
            }
            lines.push(Line::from(spans));
        }
    }
    if !s.runnable {
        for text in shown_lines(app, &s.code).iter().take(6) {
            lines.push(Line::styled(
                format!("{pad}{}", truncate(text, room.saturating_add(2))),
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
                    // Its name, not its spelling: a literal secret is the secret itself.
                    format!("<{}> (secret)", p.name)
                } else {
                    p.syntax.clone()
                }
            })
            .collect();
        // A placeholder's spelling is text from the runbook like any other: redacted too.
        let needs = shown_lines(app, &names.join(", ")).join(" ");
        lines.push(Line::styled(format!("{pad}needs: {needs}"), theme.accent()));
    }
    if let Some(e) = &s.expect {
        lines.push(Line::styled(
            format!(
                "{pad}expect: {}",
                truncate(&e.replace('\n', " "), w.saturating_sub(pad.len() + 8))
            ),
            theme.muted(),
        ));
    }
}

/// Runbook text is outside text: secret defaults masked, then each line's escapes and
/// control characters neutralised (line by line, so a block keeps its lines).
fn shown_lines(app: &App, text: &str) -> Vec<String> {
    app.session
        .secrets
        .scrub(text)
        .lines()
        .map(|l| crate::sanitize::sanitize(l).into_owned())
        .collect()
}

/// The badge of a block that never runs: its language (`[sql]`, `[insights]`).
fn reference_badge(s: &Step) -> String {
    match s.lang.as_deref() {
        Some("logs-insights") => "[insights]".into(),
        Some(l) if s.written_as.is_some() || !l.is_empty() => {
            format!("[{}]", crate::text::truncate(l, 10))
        }
        _ => "[reference]".into(),
    }
}

/// The procedure view's keys, from the keymap.
fn hints(keymap: &Keymap) -> String {
    let k = |a| keys(keymap, Mode::Procedure, a);
    format!(
        "{}{} step · {} run · {} dry run · {} run all · {} watch · {}-{} tick · {} copy · {} insights · {} close ",
        k(Action::Up),
        k(Action::Down),
        k(Action::RunStep),
        k(Action::DryRun),
        k(Action::RunAll),
        k(Action::PinWatch),
        k(Action::Tick1),
        k(Action::Tick9),
        k(Action::CopyStep),
        k(Action::Insights),
        k(Action::Close)
    )
}

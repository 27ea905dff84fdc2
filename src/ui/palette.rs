//! Action palette overlay: the query, matches with their risk badge and matched characters.

use super::widgets::{centered, framed, keys};
use crate::action::Action;
use crate::app::App;
use crate::config::{Keymap, Mode, Theme};
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// A list overlay's title: its name, what it is about, and its keys (move, submit, close)
/// with what they do here.
fn list_title(
    name: &str,
    about: String,
    [moves, submits, closes]: [&str; 3],
    keymap: &Keymap,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let k = |a| keys(keymap, Mode::Palette, a);
    vec![
        Span::styled(format!(" {name} "), theme.title()),
        Span::styled(about, theme.muted()),
        Span::styled(
            format!(
                "{}{} {moves} · {} {submits} · {} {closes} ",
                k(Action::Up),
                k(Action::Down),
                k(Action::Submit),
                k(Action::Close)
            ),
            theme.muted(),
        ),
    ]
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let Some(p) = app.palette() else { return };
    let r = centered(area, 90, (p.matches.len() as u16 + 4).clamp(6, 18));
    let subject = app.services.selected_row().map(|s| s.display_name());
    let title = list_title(
        "Actions",
        subject.map(|s| format!("· {s} ")).unwrap_or_default(),
        ["choose", "run", "close"],
        keymap,
        theme,
    );
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

/// Which context a step acts on, asked when no row says: label, profile, region, account,
/// and its production or read-only mark.
pub fn render_contexts(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    let Some(p) = app.pick_context() else { return };
    let step = app
        .session
        .runbooks
        .get(p.rb)
        .and_then(|l| l.runbook.procedures.get(p.proc_))
        .and_then(|pr| pr.at(p.step))
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let r = centered(area, 90, (app.contexts.len() as u16 + 4).clamp(6, 18));
    let title = list_title(
        "Which context?",
        format!("· {} ", truncate(&step, 40)),
        ["or 1-9 choose", "act there", "cancel"],
        keymap,
        theme,
    );
    let inner = framed(buf, r, title, theme);
    if inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let head = "No row is selected: choose the account and region this step acts on.";
    buf.set_line(
        inner.x + 1,
        inner.y,
        &Line::styled(truncate(head, w.saturating_sub(1)), theme.text()),
        inner.width.saturating_sub(1),
    );
    let label_w = app
        .contexts
        .iter()
        .map(|c| c.label.len())
        .max()
        .unwrap_or(0);
    let profile = |c: &crate::app::ContextView| {
        c.profile
            .clone()
            .unwrap_or_else(|| "default profile".into())
    };
    let profile_w = app
        .contexts
        .iter()
        .map(|c| profile(c).chars().count())
        .max()
        .unwrap_or(0);
    let region_w = app
        .contexts
        .iter()
        .map(|c| c.region.as_deref().unwrap_or("no region").len())
        .max()
        .unwrap_or(0);
    for (i, c) in app
        .contexts
        .iter()
        .enumerate()
        .take(inner.height.saturating_sub(2) as usize)
    {
        let mut spans = vec![
            Span::styled(format!(" {} ", i + 1), theme.accent()),
            Span::styled(format!("{:<label_w$}  ", c.label), theme.text()),
            Span::styled(
                format!(
                    "{:<profile_w$}  {:<region_w$}  {}",
                    profile(c),
                    c.region.as_deref().unwrap_or("no region"),
                    c.account.as_deref().unwrap_or("account unknown")
                ),
                theme.muted(),
            ),
        ];
        if c.production {
            spans.push(Span::styled("  PRODUCTION", theme.danger()));
        }
        if c.read_only {
            spans.push(Span::styled("  read-only", theme.warn()));
        }
        let mut line = Line::from(spans);
        if i == p.sel {
            line = line.patch_style(theme.selection());
        }
        buf.set_line(inner.x, inner.y + 2 + i as u16, &line, inner.width);
    }
}

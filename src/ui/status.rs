//! Status bar: where the data comes from, how fresh each feed is (stale and error badges),
//! and key hints taken from the active keymap. While a prompt is open it shows the prompt.

use crate::app::freshness::Freshness;
use crate::app::{Action, App, InputTarget};
use crate::config::{Keymap, Mode, Theme};
use crate::text::{age, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme, keymap: &Keymap) {
    // Long on purpose: the status bar's parts, left to right.
    let bar = theme.status_bar();
    buf.set_style(area, bar);
    if let Some(input) = app.prompt() {
        let on;
        let label = match input.target {
            InputTarget::LogSearch => "search logs",
            InputTarget::ServiceFilter => "filter services",
            InputTarget::Note => "note for the journal",
            InputTarget::Insights if !input.groups.is_empty() => {
                on = format!("Logs Insights on {} ([-3h] query)", input.groups.join(", "));
                on.as_str()
            }
            InputTarget::Insights => "Logs Insights ([-3h] query)",
        };
        let line = Line::from(vec![
            Span::styled(
                format!(
                    " {label}: {}",
                    if matches!(input.target, InputTarget::Note | InputTarget::Insights) {
                        ""
                    } else {
                        "/"
                    }
                ),
                bar,
            ),
            Span::styled(format!("{}█", input.text), bar),
            Span::styled("   Enter apply · Esc cancel · Ctrl-U clear", bar),
        ]);
        buf.set_line(area.x, area.y, &line, area.width);
        return;
    }
    let mut spans = vec![Span::styled(format!(" {} ", app.source_label), bar)];
    if let Some(c) = app
        .context_filter
        .and_then(|i| app.contexts.get(i as usize))
    {
        spans.push(Span::styled(format!(" only {} ", c.label), theme.accent()));
    }
    if let Some(c) = &app.replay {
        spans.push(Span::styled(
            format!(" {} ", crate::app::replay::status(c)),
            theme.warn(),
        ));
    }
    if app.read_only && app.replay.is_none() {
        // Say which layers enforce it: the kernel's box, AWS's read-only credentials.
        let label = if app.read_only_label.is_empty() {
            "READ-ONLY"
        } else {
            app.read_only_label.as_str()
        };
        spans.push(Span::styled(format!(" {label} "), theme.warn()));
    }
    spans.push(Span::styled("│", bar));
    if let Some((msg, health)) = &app.toast {
        spans.push(Span::styled(
            format!(" {} ", truncate(msg, 60)),
            theme.health(*health),
        ));
        spans.push(Span::styled("│", bar));
    }
    let mut problems = Vec::new();
    for (id, st) in &app.feeds.feeds {
        let name = app.feed_name(*id);
        match st.freshness(app.now_ms) {
            Freshness::Failing => {
                problems.push(Span::styled(format!(" ✗ {name} ERR "), theme.danger()))
            }
            Freshness::Stale => problems.push(Span::styled(
                format!(
                    " ⚠ {name} STALE {} ",
                    age(st.age_ms(app.now_ms).unwrap_or(0))
                ),
                theme.warn(),
            )),
            _ => {}
        }
    }
    let waiting = app
        .feeds
        .feeds
        .values()
        .filter(|f| f.freshness(app.now_ms) == Freshness::Waiting)
        .count();
    match app.feeds.max_age_ms(app.now_ms) {
        Some(a) => spans.push(Span::styled(format!(" data {} old ", age(a)), bar)),
        None => spans.push(Span::styled(" connecting… ", bar)),
    }
    if waiting > 0 && app.feeds.max_age_ms(app.now_ms).is_some() {
        spans.push(Span::styled(format!("({waiting} waiting) "), bar));
    }
    spans.extend(problems);
    spans.push(Span::styled("│", bar));
    let mode = app.mode();
    let mut hints = Vec::new();
    let mut hint_replay: Vec<String> = Vec::new();
    let mut hint = |action: Action, what: &str| {
        if let Some(k) = keymap.key_for(mode, action) {
            hints.push(format!("{k} {what}"));
        }
    };
    // What the keys do now: the top overlay's own keys, else the panes'.
    let own: &[(Action, &str)] = match mode {
        Mode::Help => &[(Action::Close, "close"), (Action::Down, "scroll")],
        Mode::Journal => &[
            (Action::Close, "close"),
            (Action::Up, "older"),
            (Action::Note, "note"),
        ],
        Mode::Insights => &[(Action::Close, "close"), (Action::Yank, "copy")],
        Mode::Procedure => &[
            (Action::RunStep, "run"),
            (Action::DryRun, "dry run"),
            (Action::RunAll, "run all"),
            (Action::Close, "close"),
            (Action::Help, "help"),
        ],
        Mode::Palette => &[(Action::Submit, "open"), (Action::Close, "close")],
        Mode::Form => &[
            (Action::Submit, "next"),
            (Action::Complete, "suggest"),
            (Action::Close, "cancel"),
        ],
        Mode::Confirm => &[(Action::Confirm, "yes"), (Action::Refuse, "no")],
        Mode::Typed => &[(Action::Submit, "confirm"), (Action::Refuse, "cancel")],
        _ => &[],
    };
    if own.is_empty() && app.replaying() {
        hint(Action::Help, "help");
        let key = |a: Action| keymap.key_for(Mode::Replay, a).map(|k| k.to_string());
        if let Some(k) = key(Action::ReplayPause) {
            hint_replay.push(format!("{k} pause"));
        }
        if let (Some(b), Some(f)) = (key(Action::ReplayBack), key(Action::ReplayForward)) {
            hint_replay.push(format!("{b}/{f} ±10s"));
        }
        if let (Some(s), Some(f)) = (key(Action::ReplaySlower), key(Action::ReplayFaster)) {
            hint_replay.push(format!("{s}/{f} speed"));
        }
        hint(Action::Journal, "timeline");
        hint(Action::Quit, "quit");
    } else if own.is_empty() {
        hint(Action::Help, "help");
        hint(Action::Palette, "actions");
        hint(Action::FocusNext, "pane");
        hint(Action::Zoom, "zoom");
        match app.focus {
            crate::app::Pane::Logs => {
                hint(Action::ToggleFollow, "follow");
                hint(Action::Search, "search");
            }
            crate::app::Pane::Services => {
                hint(Action::Search, "filter");
                hint(Action::Sort, "sort");
            }
            crate::app::Pane::Metrics => hint(Action::NextWindow, "window"),
            crate::app::Pane::Alarms => {}
        }
        hint(Action::Quit, "quit");
    } else {
        for (a, what) in own {
            hint(*a, what);
        }
    }
    // The replay keys after help, before the rest.
    if !hint_replay.is_empty() {
        let rest = hints.split_off(hints.len().min(1));
        hints.extend(hint_replay);
        hints.extend(rest);
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(used + 1);
    spans.push(Span::styled(
        format!(" {}", truncate(&hints.join(" · "), room)),
        bar,
    ));
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The one-line live status kept over a procedure that takes a small screen: the worst
/// health and how many rows have it, the alarms in ALARM, then what is worst, by name.
pub fn render_strip(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    use crate::model::Health;
    let rows: Vec<&crate::model::Resource> = app.services.all().collect();
    let worst = rows
        .iter()
        .map(|r| r.health)
        .min_by_key(|h| h.rank())
        .unwrap_or(Health::Unknown);
    let bad: Vec<String> = rows
        .iter()
        .filter(|r| r.health == worst && matches!(worst, Health::Crit | Health::Warn))
        .map(|r| r.display_name())
        .collect();
    let alarms = app.alarms.in_alarm();
    let mut spans = vec![Span::styled(
        match bad.len() {
            0 => format!(" {} {} ", worst.symbol(), worst.as_str()),
            n => format!(" {} {n} {} ", worst.symbol(), worst.as_str()),
        },
        theme.health(worst),
    )];
    spans.push(if alarms == 0 {
        Span::styled("· no alarm in ALARM ", theme.ok())
    } else {
        Span::styled(format!("· {alarms} in ALARM "), theme.danger())
    });
    if !bad.is_empty() {
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        let room = (area.width as usize).saturating_sub(used + 2);
        spans.push(Span::styled(
            format!("· {}", truncate(&bad.join(", "), room)),
            theme.health(worst),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

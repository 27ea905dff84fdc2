//! The one-line prompt (log search, row filter, operator note, Logs Insights query) and the
//! Insights result overlay. Search and filter preview while typing and are restored on
//! close; notes and queries are committed on submit only.

use super::{Action, App, Effect, InputKey, Overlay};
use crate::sources::SourceCommand;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTarget {
    LogSearch,
    ServiceFilter,
    /// An operator note for the journal.
    Note,
    /// A Logs Insights query (committed on Enter, never previewed).
    Insights,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub target: InputTarget,
    pub text: String,
    /// What was in effect before the prompt opened, restored on close.
    previous: String,
    /// An Insights query's log groups when it came from a runbook (empty: the watched ones).
    pub groups: Vec<String>,
}

/// A Logs Insights query, its rows (sanitised, redacted) or its error, and the overlay scroll.
#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub query: String,
    /// The log groups queried (empty: the watched ones).
    pub groups: Vec<String>,
    pub since_ms: i64,
    pub result: Option<Result<Vec<crate::model::LogEvent>, String>>,
    pub scroll: u16,
}

impl App {
    /// Opens the prompt for `target`, starting from what is in effect.
    pub(super) fn open_prompt(&mut self, target: InputTarget) {
        if self.replaying() && matches!(target, InputTarget::Note | InputTarget::Insights) {
            return self.refuse_in_replay(match target {
                InputTarget::Note => "adding a note",
                _ => "Logs Insights",
            });
        }
        let previous = match target {
            InputTarget::ServiceFilter => self.services.filter.clone(),
            InputTarget::LogSearch => self
                .logs
                .search
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default(),
            InputTarget::Insights => self
                .insights
                .as_ref()
                .map(|i| i.query.clone())
                .unwrap_or_default(),
            InputTarget::Note => String::new(),
        };
        self.open(Overlay::Prompt(Input {
            target,
            text: previous.clone(),
            previous,
            groups: Vec::new(),
        }));
    }

    /// The Insights prompt with a runbook's query and the log group it names, to check and
    /// adjust before Enter sends it.
    pub(super) fn open_insights_with(&mut self, query: String, groups: Vec<String>) {
        self.open(Overlay::Prompt(Input {
            target: InputTarget::Insights,
            previous: self
                .insights
                .as_ref()
                .map(|i| i.query.clone())
                .unwrap_or_default(),
            text: query,
            groups,
        }));
    }

    pub(super) fn prompt_input(&mut self, key: InputKey) {
        let Some(input) = self.prompt_mut() else {
            return;
        };
        match key {
            InputKey::Char(c) if !c.is_control() => input.text.push(c),
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                input.text.pop();
            }
        }
        // Live preview while typing.
        let (target, text) = (input.target, input.text.clone());
        self.apply_input(target, &text);
    }

    pub(super) fn prompt_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        match a {
            Action::ClearLine => {
                if let Some(input) = self.prompt_mut() {
                    input.text.clear();
                    let target = input.target;
                    self.apply_input(target, "");
                }
            }
            Action::Submit => {
                let Some(Overlay::Prompt(i)) = self.close_top() else {
                    return true;
                };
                match i.target {
                    InputTarget::Insights => self.start_insights(&i.text, i.groups, fx),
                    InputTarget::Note => {
                        if !i.text.trim().is_empty() {
                            fx.push(
                                self.entry(crate::journal::Kind::Note, i.text.trim().to_string()),
                            );
                        }
                    }
                    target => self.apply_input(target, &i.text),
                }
            }
            Action::Close => {
                if let Some(Overlay::Prompt(i)) = self.close_top() {
                    self.apply_input(i.target, &i.previous);
                }
            }
            _ => return false,
        }
        true
    }

    /// `[-30m|-3h|-2d ]QUERY`: a Logs Insights query over the watched groups, from that long
    /// ago (default one hour) to now. The query goes in the journal.
    fn start_insights(&mut self, text: &str, groups: Vec<String>, fx: &mut Vec<Effect>) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let (range_ms, query) = parse_insights(text);
        let since_ms = self.now_ms - range_ms;
        self.insights = Some(Insights {
            query: query.to_string(),
            groups: groups.clone(),
            since_ms,
            result: None,
            scroll: 0,
        });
        self.open(Overlay::Insights);
        fx.push(self.entry(
            crate::journal::Kind::Action,
            format!(
                "Logs Insights over the last {}{}: {query}",
                crate::text::age(range_ms),
                if groups.is_empty() {
                    String::new()
                } else {
                    format!(" on {}", groups.join(", "))
                }
            ),
        ));
        let ctx = self.context_of(self.services.selected_row());
        fx.push(Effect::Command(SourceCommand::LogsQuery {
            query: query.to_string(),
            since_ms,
            groups,
            ctx,
        }));
    }

    /// The rows (or error) of the query in flight; a stale answer is dropped.
    pub(super) fn insights_result(
        &mut self,
        query: String,
        result: Result<Vec<crate::model::LogEvent>, String>,
    ) {
        if let Some(i) = self.insights.as_mut().filter(|i| i.query == query) {
            i.result = Some(
                result
                    .map(|rows| {
                        rows.into_iter()
                            .map(|mut e| {
                                e.message = super::clean(e.message);
                                if &*e.group != crate::model::INSIGHTS_GROUP {
                                    e.group = super::clean(e.group.to_string()).into();
                                }
                                e
                            })
                            .collect()
                    })
                    .map_err(super::clean),
            );
        }
    }

    /// Keys of the Insights result overlay.
    pub(super) fn insights_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        if matches!(a, Action::Close | Action::Insights) {
            self.close_top();
            return true;
        }
        let Some(ins) = self.insights.as_mut() else {
            return false;
        };
        match a {
            Action::Up => ins.scroll = ins.scroll.saturating_sub(1),
            Action::Down => ins.scroll = ins.scroll.saturating_add(1),
            Action::PageUp => ins.scroll = ins.scroll.saturating_sub(10),
            Action::PageDown => ins.scroll = ins.scroll.saturating_add(10),
            Action::Top => ins.scroll = 0,
            Action::Yank => {
                if let Some(Ok(rows)) = &ins.result {
                    let text: Vec<String> = rows
                        .iter()
                        .map(|e| match &*e.group {
                            crate::model::INSIGHTS_GROUP => {
                                format!("{} {}", crate::text::clock(e.time_ms), e.message)
                            }
                            g => format!("{} {g} {}", crate::text::clock(e.time_ms), e.message),
                        })
                        .collect();
                    let n = rows.len();
                    fx.push(Effect::Copy(text.join("\n")));
                    self.toast = Some((
                        format!("copied {n} rows (OSC 52)"),
                        crate::model::Health::Ok,
                    ));
                }
            }
            _ => return false,
        }
        true
    }

    fn apply_input(&mut self, target: InputTarget, text: &str) {
        match target {
            // Notes and queries are committed on submit only, never previewed.
            InputTarget::Note | InputTarget::Insights => {}
            InputTarget::ServiceFilter => self.services.set_filter(text),
            InputTarget::LogSearch => {
                let same = self.logs.search.as_ref().map(|s| s.text.as_str()) == Some(text)
                    || (self.logs.search.is_none() && text.is_empty());
                if !same {
                    self.logs.set_search(super::logs::Search::new(text));
                }
            }
        }
    }
}

/// Splits an optional leading range (`-30m`, `-3h`, `-2d`) from an Insights query.
pub fn parse_insights(text: &str) -> (i64, &str) {
    const HOUR: i64 = 3_600_000;
    if let Some(rest) = text.strip_prefix('-')
        && let Some((range, query)) = rest.split_once(char::is_whitespace)
    {
        // A range names its unit (`-30m`): `-5 …` is more likely part of the query.
        if range.ends_with(|c: char| c.is_ascii_alphabetic())
            && let Ok(ms) = crate::duration::parse_ms(range)
            && ms > 0
        {
            return (ms, query.trim());
        }
    }
    (HOUR, text)
}

/// A text prompt (search, filter, note, Insights query).
pub struct PromptKeys;

impl super::handler::Handler for PromptKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.prompt_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        let _ = fx;
        app.prompt_input(key)
    }
}

/// The Logs Insights result view.
pub struct InsightsKeys;

impl super::handler::Handler for InsightsKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.insights_action(a, fx)
    }
}

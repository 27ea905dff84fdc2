//! The action palette: fuzzy search (nucleo) over the built-in actions for the selected row
//! and every procedure of the loaded runbooks; recently chosen entries first.

use super::builtin::Builtin;
use super::{Action, App, Effect, InputKey, Overlay, ProcedureView};
use crate::model::Risk;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A palette entry: a built-in action on the selected row, or a runbook procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Builtin(Builtin),
    Procedure {
        rb: usize,
        proc_: usize,
        label: String,
        risk: Risk,
    },
}

impl Item {
    pub fn label(&self) -> String {
        match self {
            Item::Builtin(b) => b.label(),
            Item::Procedure { label, .. } => label.clone(),
        }
    }

    pub fn risk(&self) -> Risk {
        match self {
            Item::Builtin(b) => b.risk(),
            Item::Procedure { risk, .. } => *risk,
        }
    }
}

/// Every procedure of the loaded runbooks, as palette entries.
pub fn procedure_items(runbooks: &[super::LoadedRunbook]) -> Vec<Item> {
    let mut out = Vec::new();
    for (rb, l) in runbooks.iter().enumerate() {
        let title = l.runbook.title.clone().unwrap_or_else(|| l.path.clone());
        for (proc_, p) in l.runbook.procedures.iter().enumerate() {
            let risk = p
                .steps
                .iter()
                .filter(|s| s.runnable)
                .map(|s| s.risk)
                .max()
                .unwrap_or(Risk::Read);
            out.push(Item::Procedure {
                rb,
                proc_,
                label: format!("{title} › {}", p.path.join(" › ")),
                risk,
            });
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub entry: usize,
    pub score: u32,
    /// Char positions of the label that matched, for highlighting.
    pub indices: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub query: String,
    pub entries: Vec<Item>,
    pub matches: Vec<Match>,
    pub selected: usize,
}

impl Palette {
    pub fn new(entries: Vec<Item>, recent: &[String]) -> Palette {
        let mut p = Palette {
            entries,
            ..Palette::default()
        };
        p.refilter(recent);
        p
    }

    /// Fuzzy match with nucleo (smart case); recently run entries first on ties and when the
    /// query is empty.
    pub fn refilter(&mut self, recent: &[String]) {
        let rank = |label: &str| recent.iter().position(|r| r == label).unwrap_or(usize::MAX);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(&self.query, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let mut out: Vec<Match> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let label = e.label();
            let mut indices = Vec::new();
            if self.query.is_empty() {
                out.push(Match {
                    entry: i,
                    score: 0,
                    indices,
                });
                continue;
            }
            if let Some(score) =
                pattern.indices(Utf32Str::new(&label, &mut buf), &mut matcher, &mut indices)
            {
                indices.sort_unstable();
                indices.dedup();
                out.push(Match {
                    entry: i,
                    score,
                    indices,
                });
            }
        }
        out.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(
                    rank(&self.entries[a.entry].label()).cmp(&rank(&self.entries[b.entry].label())),
                )
                .then(a.entry.cmp(&b.entry))
        });
        self.matches = out;
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }

    pub fn chosen(&self) -> Option<&Item> {
        self.matches
            .get(self.selected)
            .map(|m| &self.entries[m.entry])
    }
}

impl App {
    pub(super) fn open_palette(&mut self) {
        if self.replaying() {
            return self.refuse_in_replay("the action palette");
        }
        let mut entries: Vec<Item> = self
            .services
            .selected_row()
            .map(|r| super::builtin::builtins_for(r, self.now_ms))
            .unwrap_or_default()
            .into_iter()
            .map(Item::Builtin)
            .collect();
        entries.extend(procedure_items(&self.session.runbooks));
        let p = Palette::new(entries, &self.recent);
        self.open(Overlay::Palette(p));
    }

    pub(super) fn palette_input(&mut self, key: InputKey) {
        let recent = self.recent.clone();
        let Some(p) = self.palette_mut() else { return };
        match key {
            InputKey::Char(c) if !c.is_control() => p.query.push(c),
            InputKey::Char(_) => return,
            InputKey::Backspace => {
                p.query.pop();
            }
        }
        p.refilter(&recent);
    }

    pub(super) fn palette_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        let recent = self.recent.clone();
        let Some(p) = self.palette_mut() else {
            return false;
        };
        match a {
            Action::ClearLine => {
                p.query.clear();
                p.refilter(&recent);
            }
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::Down => p.selected = (p.selected + 1).min(p.matches.len().saturating_sub(1)),
            Action::Close => {
                self.close_top();
            }
            Action::Submit => {
                let Some(chosen) = p.chosen().cloned() else {
                    return true;
                };
                self.close_top();
                self.recent.retain(|r| *r != chosen.label());
                self.recent.insert(0, chosen.label());
                fx.push(self.entry(crate::journal::Kind::Action, chosen.label()));
                match chosen {
                    Item::Procedure { rb, proc_, .. } => {
                        self.open(Overlay::Procedure(ProcedureView {
                            rb,
                            proc_,
                            sel: 0,
                            ctx: None,
                        }));
                    }
                    Item::Builtin(b) => self.start_builtin(b),
                }
            }
            _ => return false,
        }
        true
    }
}

/// The palette's keys: type to filter, move, run the chosen entry.
pub struct PaletteKeys;

impl super::handler::Handler for PaletteKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.palette_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        let _ = fx;
        app.palette_input(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Item> {
        let mut api = crate::model::Resource::ecs("prod", "api");
        api.counts = Some(crate::model::Counts {
            desired: 6,
            running: 6,
            pending: 0,
        });
        // Force new deployment, scale, roll back.
        api.builtins(0)
            .into_iter()
            .take(2)
            .map(Item::Builtin)
            .collect()
    }

    fn is_scale(i: Option<&Item>) -> bool {
        matches!(i, Some(Item::Builtin(b)) if b.label().starts_with("ECS › Scale prod/api"))
    }

    #[test]
    fn fuzzy_matching_with_positions_and_recency() {
        let mut p = Palette::new(entries(), &[]);
        assert_eq!(p.matches.len(), 2);
        p.query = "scale".into();
        p.refilter(&[]);
        assert_eq!(p.matches.len(), 1);
        assert!(is_scale(p.chosen()));
        let label: Vec<char> = p.entries[p.matches[0].entry].label().chars().collect();
        let hit: String = p.matches[0]
            .indices
            .iter()
            .map(|i| label[*i as usize])
            .collect();
        assert_eq!(hit.to_lowercase(), "scale");
        // Empty query: recently run first.
        p.query.clear();
        p.refilter(&[entries()[1].label()]);
        assert!(is_scale(p.chosen()));
    }
}

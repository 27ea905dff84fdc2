//! The action palette, the value form and the risk-graded confirmation for built-in actions
//! on the selected resource: palette → (form) → confirm → `SourceCommand::Mutate` → result.
//!
//! Confirmation follows gitui's pattern: an operation is only ever carried out from the
//! confirmed state, and the default answer is No. Destructive operations need the target's
//! name typed; read-only mode refuses everything that changes state.

use crate::model::{Service, ServiceKind};
use crate::runbook::Risk;
use crate::sources::Mutation;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builtin {
    ForceNewDeployment {
        cluster: String,
        service: String,
    },
    Scale {
        cluster: String,
        service: String,
        current: i64,
    },
    Rollback {
        cluster: String,
        service: String,
        revision: String,
    },
    SetAlias {
        function: String,
        alias: String,
        current: String,
        versions: Vec<String>,
    },
    SetReservedConcurrency {
        function: String,
        current: Option<i64>,
    },
    SetMemory {
        function: String,
        current: i64,
    },
}

impl Builtin {
    pub fn label(&self) -> String {
        match self {
            Builtin::ForceNewDeployment { cluster, service } => {
                format!("ECS › Force new deployment of {cluster}/{service}")
            }
            Builtin::Scale {
                cluster,
                service,
                current,
            } => format!("ECS › Scale {cluster}/{service} (now {current})"),
            Builtin::Rollback {
                cluster,
                service,
                revision,
            } => {
                format!(
                    "ECS › Roll back {cluster}/{service} to the previous task definition (now {revision})"
                )
            }
            Builtin::SetAlias {
                function,
                alias,
                current,
                ..
            } => format!("Lambda › Point {function}:{alias} at another version (now {current})"),
            Builtin::SetReservedConcurrency { function, current } => format!(
                "Lambda › Set reserved concurrency of {function} (now {})",
                current.map_or("unreserved".to_string(), |c| c.to_string())
            ),
            Builtin::SetMemory { function, current } => {
                format!("Lambda › Set memory of {function} (now {current} MB)")
            }
        }
    }

    pub fn risk(&self) -> Risk {
        match self {
            Builtin::Rollback { .. } => Risk::Destructive,
            _ => Risk::Write,
        }
    }
}

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
pub fn procedure_items(runbooks: &[crate::app::LoadedRunbook]) -> Vec<Item> {
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

/// Built-in actions for a services-pane row.
pub fn builtins_for(s: &Service) -> Vec<Builtin> {
    match (s.kind, &s.cluster) {
        (ServiceKind::Ecs, Some(c)) => vec![
            Builtin::ForceNewDeployment {
                cluster: c.clone(),
                service: s.name.clone(),
            },
            Builtin::Scale {
                cluster: c.clone(),
                service: s.name.clone(),
                current: s.desired.unwrap_or(0),
            },
            Builtin::Rollback {
                cluster: c.clone(),
                service: s.name.clone(),
                revision: s.version.clone().unwrap_or_else(|| "?".into()),
            },
        ],
        (ServiceKind::Lambda, _) => {
            let mut out = Vec::new();
            if let Some((alias, current)) = s.version.as_deref().and_then(|v| v.split_once('→')) {
                out.push(Builtin::SetAlias {
                    function: s.name.clone(),
                    alias: alias.to_string(),
                    current: current.trim_start_matches('v').to_string(),
                    versions: s.versions.clone(),
                });
            }
            out.push(Builtin::SetReservedConcurrency {
                function: s.name.clone(),
                current: s.reserved_concurrency,
            });
            out.push(Builtin::SetMemory {
                function: s.name.clone(),
                current: s.memory_mb.unwrap_or(128),
            });
            out
        }
        _ => Vec::new(),
    }
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

/// A one-field value form (the desired count for a scale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub action: Builtin,
    /// Values to pick from (Tab cycles), e.g. a function's published versions.
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Mutation(Mutation),
    /// A prepared runbook step and its index in the procedure.
    Step(Box<crate::exec::Prepared>, usize),
}

impl Subject {
    pub fn describe(&self) -> String {
        match self {
            Subject::Mutation(m) => m.describe(),
            Subject::Step(s, _) => s.describe(),
        }
    }

    pub fn target(&self) -> &str {
        match self {
            Subject::Mutation(m) => m.target(),
            Subject::Step(s, _) => &s.target,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub subject: Subject,
    pub risk: Risk,
    /// Destructive: what must be typed before Enter is accepted.
    pub typed: String,
    pub blocked_read_only: bool,
    /// Why it cannot run (read-only mode, a reference-only block), when it cannot.
    pub refused: Option<String>,
}

impl Confirm {
    pub fn new(title: String, mutation: Mutation, read_only: bool) -> Confirm {
        let risk = mutation.risk();
        let blocked = read_only && risk != Risk::Read;
        Confirm {
            title,
            risk,
            subject: Subject::Mutation(mutation),
            typed: String::new(),
            blocked_read_only: blocked,
            refused: blocked.then(|| "Read-only mode: this action cannot run.".to_string()),
        }
    }

    /// A prepared step's dialog: what its gate says (ask, ask for the name, or refuse).
    pub fn step(run: crate::exec::Prepared, index: usize) -> Confirm {
        let risk = run.risk;
        let refused = match &run.gate {
            crate::exec::Gate::Refused(why) => Some(why.clone()),
            _ => None,
        };
        Confirm {
            title: format!("Run step: {}", run.title),
            risk,
            blocked_read_only: refused.is_some(),
            refused,
            subject: Subject::Step(Box::new(run), index),
            typed: String::new(),
        }
    }

    pub fn needs_typing(&self) -> bool {
        match &self.subject {
            Subject::Step(run, _) => run.gate == crate::exec::Gate::ConfirmTyped,
            Subject::Mutation(_) => self.risk == Risk::Destructive,
        }
    }

    pub fn typed_ok(&self) -> bool {
        self.typed == self.subject.target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Item> {
        vec![
            Item::Builtin(Builtin::ForceNewDeployment {
                cluster: "prod".into(),
                service: "api".into(),
            }),
            Item::Builtin(Builtin::Scale {
                cluster: "prod".into(),
                service: "api".into(),
                current: 6,
            }),
        ]
    }

    #[test]
    fn fuzzy_matching_with_positions_and_recency() {
        let mut p = Palette::new(entries(), &[]);
        assert_eq!(p.matches.len(), 2);
        p.query = "scale".into();
        p.refilter(&[]);
        assert_eq!(p.matches.len(), 1);
        assert!(matches!(
            p.chosen(),
            Some(Item::Builtin(Builtin::Scale { .. }))
        ));
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
        assert!(matches!(
            p.chosen(),
            Some(Item::Builtin(Builtin::Scale { .. }))
        ));
    }

    #[test]
    fn scale_to_zero_is_destructive_and_needs_the_name() {
        let mut c = Confirm::new(
            "x".into(),
            Mutation::ScaleService {
                cluster: "prod".into(),
                service: "api".into(),
                desired: 0,
            },
            false,
        );
        assert!(c.needs_typing());
        c.typed = "ap".into();
        assert!(!c.typed_ok());
        c.typed = "api".into();
        assert!(c.typed_ok());
        let ro = Confirm::new(
            "x".into(),
            Mutation::ForceNewDeployment {
                cluster: "prod".into(),
                service: "api".into(),
            },
            true,
        );
        assert!(ro.blocked_read_only);
    }
}

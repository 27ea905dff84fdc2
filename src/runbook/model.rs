//! The parsed form of a runbook. Serialised as the stable JSON of `opsdeck runbook show`.

use serde::Serialize;

pub use crate::model::Risk;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Runbook {
    pub title: Option<String>,
    pub procedures: Vec<Procedure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Procedure {
    pub id: String,
    pub title: String,
    pub path: Vec<String>,
    pub line: usize,
    pub checklist: Vec<ChecklistItem>,
    pub steps: Vec<Step>,
}

/// A row of a procedure: a step, or one of its sub-steps (`2.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub step: usize,
    pub part: Option<usize>,
}

/// What "run all" meets next from a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A row to run.
    Run(usize),
    /// A block whose sub-steps are alternatives: the operator picks one; run all stops.
    Choose(usize),
    End,
}

impl Procedure {
    /// The rows in order: each step, then its sub-steps.
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            out.push(Row {
                step: i,
                part: None,
            });
            out.extend((0..s.parts.len()).map(|k| Row {
                step: i,
                part: Some(k),
            }));
        }
        out
    }

    /// The step or sub-step at a row.
    pub fn at(&self, row: usize) -> Option<&Step> {
        let r = self.rows().get(row).copied()?;
        let s = self.steps.get(r.step)?;
        match r.part {
            None => Some(s),
            Some(k) => s.parts.get(k),
        }
    }

    /// The row of step `n` (`2`) or sub-step `n.m` (`2.1`), 1-based as shown.
    pub fn row_of(&self, step: usize, part: Option<usize>) -> Option<usize> {
        let want = Row {
            step: step.checked_sub(1)?,
            part: match part {
                None => None,
                Some(m) => Some(m.checked_sub(1)?),
            },
        };
        self.rows().iter().position(|r| *r == want)
    }

    /// The next unit "run all" runs from `from` on. A block with sub-steps runs them one by
    /// one; a block of alternatives stops it, unless `from` is one of its sub-steps (picked
    /// by the operator), whose siblings are then skipped.
    pub fn next_unit(&self, from: usize, picked: bool) -> Next {
        let rows = self.rows();
        // The choice group of the row just run: its siblings are skipped, not asked again.
        let done = from
            .checked_sub(1)
            .and_then(|r| rows.get(r))
            .and_then(|row| self.steps[row.step].choice.as_ref())
            .map(|c| (c.group, c.branch.as_str()));
        for (r, row) in rows.iter().enumerate().skip(from) {
            let s = &self.steps[row.step];
            if let Some(c) = &s.choice {
                if picked
                    && r == from
                    && s.runnable
                    && row.part.is_none()
                    && s.alternatives.is_none()
                {
                    return Next::Run(r);
                }
                match done {
                    // The rest of the picked branch runs; the other branches are skipped.
                    Some((g, b)) if g == c.group && b == c.branch => {
                        if row.part.is_none() && s.runnable && s.alternatives.is_none() {
                            return Next::Run(r);
                        }
                        continue;
                    }
                    Some((g, _)) if g == c.group => continue,
                    _ => {}
                }
                if row.part.is_none() {
                    return Next::Choose(r);
                }
                continue;
            }
            match row.part {
                None if s.alternatives.is_some() => return Next::Choose(r),
                None if s.parts.is_empty() && s.runnable => return Next::Run(r),
                None => {}
                Some(_) if s.alternatives.is_some() && picked && r == from && s.runnable => {
                    return Next::Run(r);
                }
                Some(_) if s.alternatives.is_some() => {}
                Some(k) if s.parts[k].runnable => return Next::Run(r),
                Some(_) => {}
            }
        }
        Next::End
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub text: String,
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub phase: Option<String>,
    pub description: Option<String>,
    pub lang: Option<String>,
    pub runnable: bool,
    pub risk: Risk,
    pub expect: Option<String>,
    pub line: usize,
    pub placeholders: Vec<Placeholder>,
    pub commands: Vec<Command>,
    /// The block as written (reference-only blocks are shown and copied from this).
    pub code: String,
    /// Fence attributes (`{risk=read timeout=5m interactive=true}`).
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// The fence's language when the content is something else (a `bash` fence holding a
    /// Logs Insights query is `lang: logs-insights`, `written_as: bash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_as: Option<String>,
    /// For a Logs Insights query: the log group the runbook names for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
    /// Sub-steps (`2.1`, `2.2`…): the commands the author titled separately, each runnable
    /// on its own, with the read-only context (`cd`, assignments) of earlier ones carried.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Step>,
    /// Why the sub-steps are alternatives (options, opposite actions, the same target
    /// changed twice): the block never runs as a whole, nor in "run all".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<String>,
    /// One of several blocks under a heading that are choices (`**Option 1: …**` /
    /// `**Option 2: …**`, `If …:` / `If …:`, `Either …` / `Or …`, a later `Rollback if
    /// needed`): "run all" and a whole-procedure run stop at it; the operator runs the one
    /// meant on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
}

/// A step's place among the choices of its procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Steps of one group share it (1-based, per procedure).
    pub group: usize,
    /// The branch within the group (its label): steps sharing it run in sequence once one
    /// of them is picked.
    pub branch: String,
    /// Why, naming the group's steps (`steps 2, 3 are options: …`).
    pub why: String,
}

impl Step {
    /// `2` or `2.1`: the number shown for the step (the end of its id).
    pub fn number(&self) -> &str {
        self.id.rsplit('#').next().unwrap_or(&self.id)
    }

    /// The units "run all" runs for this step: its sub-steps, else itself. `None` when its
    /// sub-steps are alternatives (the operator picks one).
    pub fn units(&self) -> Option<Vec<&Step>> {
        if self.alternatives.is_some() {
            return None;
        }
        Some(if self.parts.is_empty() {
            vec![self]
        } else {
            self.parts.iter().collect()
        })
    }

    /// `Phase › ` when the step has a phase other than its own title (for display).
    pub fn phase_prefix(&self) -> String {
        self.phase
            .as_ref()
            .filter(|ph| **ph != self.title)
            .map(|ph| format!("{ph} › "))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Attributes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `{watch=30s}`: pinned as a live watch when loaded (read steps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch: Option<String>,
    /// `{verify="…"}`: a read command that must exit 0 after the step, retried until it does
    /// or the verification times out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    /// `{expect="…"}`: a regex the step's output must match for the step to be verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
}

impl Attributes {
    pub fn is_empty(&self) -> bool {
        *self == Attributes::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    pub title: Option<String>,
    pub text: String,
    pub risk: Risk,
    /// 1-based line in the runbook file where the command starts.
    pub line: usize,
    /// Carried from an earlier sub-step (`cd`, an assignment) so this one runs as meant.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub context: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    pub name: String,
    /// How it is written: `<name>`, `$NAME`, `${NAME}`, `${NAME:-default}`, `NAME=default`.
    pub syntax: String,
    pub default: Option<String>,
    pub secret: bool,
    /// A sentence from the runbook that says what to enter, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Prose spellings that stand for this value (`sg-xxx`, `your-domain.com`,
    /// `PREVIOUS_VERSION` in `app:PREVIOUS_VERSION`): replaced by the value when it runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub literals: Vec<String>,
}
/// A problem noticed while parsing, for `runbook lint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNote {
    pub line: usize,
    pub message: String,
}

/// Everything the parser saw, for target extraction and lint.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub runbook: Runbook,
    pub notes: Vec<ParseNote>,
    /// Paragraphs and list-item text with their lines (thresholds stated in prose).
    pub paragraphs: Vec<(usize, String)>,
    /// Tables: rows of cells, the header first.
    pub tables: Vec<(usize, Vec<Vec<String>>)>,
}

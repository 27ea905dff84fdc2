//! Pinned command watches: a read step of a runbook (`w` in the procedure view, a
//! `{watch=30s}` fence attribute) or a `[[watch.commands]]` entry of opsdeck.toml, re-run on
//! its interval through the one step pipeline and the one launcher (its own process group,
//! a timeout, secrets masked), shown as a live pane with the lines that changed since the
//! previous run highlighted, like `watch -d`.
//!
//! Only `read` commands are watched, as the classifier's allowlist decides: a fence
//! attribute can raise a step's risk, never lower it, so nothing can make a write repeat.

use super::{App, Effect};
use crate::exec::{Gate, Prepared, RunEvent, RunStatus};
use crate::journal::Kind;
use crate::model::{Health, Risk};
use std::time::Duration;

pub use crate::config::{
    DEFAULT_WATCH_INTERVAL_MS as DEFAULT_INTERVAL_MS, MIN_WATCH_INTERVAL_MS as MIN_INTERVAL_MS,
};
pub use crate::duration::human as human_interval;

/// A watch interval: a duration above zero, in the one grammar ([`crate::duration`]).
pub fn parse_interval(s: &str) -> Option<i64> {
    crate::duration::parse_ms(s).ok().filter(|ms| *ms > 0)
}
/// Longest a single run of a watch may take.
const MAX_RUN: Duration = Duration::from_secs(60);
/// Output lines kept per watch.
const KEEP_LINES: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct CommandWatch {
    /// The step id (`file#proc#2`) or `config:NAME`: pinning the same one again unpins it.
    pub key: String,
    pub name: String,
    pub run: Prepared,
    pub interval_ms: i64,
    /// Healthy only when the output matches (else exit 0 is healthy).
    pub expect: Option<String>,
    /// The latest complete output.
    pub lines: Vec<String>,
    /// Per line of `lines`: it differs from the run before.
    pub changed: Vec<bool>,
    pending: Vec<String>,
    /// The run in flight.
    pub running: Option<u64>,
    pub status: Option<RunStatus>,
    /// When the latest run ended.
    pub last_ms: Option<i64>,
    pub next_ms: i64,
    pub runs: u64,
    /// Whether the latest output matched `expect` (decided once per run, not per frame).
    expect_ok: bool,
    /// Why it is not run (the demo does not call AWS).
    pub note: Option<String>,
}

impl CommandWatch {
    pub fn new(key: String, name: String, run: Prepared, interval_ms: i64, now_ms: i64) -> Self {
        let expect = run.expect.clone().filter(|e| regex::Regex::new(e).is_ok());
        CommandWatch {
            key,
            name,
            run,
            interval_ms: interval_ms.max(MIN_INTERVAL_MS),
            expect,
            lines: Vec::new(),
            changed: Vec::new(),
            pending: Vec::new(),
            running: None,
            status: None,
            last_ms: None,
            next_ms: now_ms,
            runs: 0,
            expect_ok: true,
            note: None,
        }
    }

    /// Exit status (and `expect`) of the latest run; a watch whose result is older than
    /// three intervals is stale (warn): its command hangs or the cockpit fell behind.
    pub fn health(&self, now_ms: i64) -> Health {
        let Some(status) = &self.status else {
            return Health::Unknown;
        };
        let ok = status.success() && self.expect_ok;
        if !ok {
            return Health::Crit;
        }
        match self.last_ms {
            Some(t) if now_ms - t > 3 * self.interval_ms + MAX_RUN.as_millis() as i64 => {
                Health::Warn
            }
            _ => Health::Ok,
        }
    }

    /// How long a run may take: its interval, at most a minute.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.interval_ms as u64).min(MAX_RUN)
    }

    fn finish(&mut self, status: RunStatus, now_ms: i64) {
        let new = std::mem::take(&mut self.pending);
        // Changed: a line that is not the same as the line at its place the run before.
        self.changed = if self.runs == 0 {
            vec![false; new.len()]
        } else {
            new.iter()
                .enumerate()
                .map(|(i, l)| self.lines.get(i) != Some(l))
                .collect()
        };
        self.expect_ok = self
            .expect
            .as_ref()
            .is_none_or(|e| regex::Regex::new(e).is_ok_and(|re| re.is_match(&new.join("\n"))));
        self.lines = new;
        self.status = Some(status);
        self.running = None;
        self.last_ms = Some(now_ms);
        self.next_ms = now_ms + self.interval_ms;
        self.runs += 1;
    }
}

/// Why a prepared step cannot be watched, if it cannot.
pub fn refusal(run: &Prepared) -> Option<String> {
    if run.risk != Risk::Read {
        return Some(format!(
            "`{}` is {}: only read steps can be watched (a watch runs it again and again)",
            run.title, run.risk
        ));
    }
    if run.interactive {
        return Some(format!(
            "`{}` needs a terminal: it cannot run unattended as a watch",
            run.title
        ));
    }
    if !run.missing.is_empty() {
        return Some(format!(
            "`{}` needs values first: {} (pin it with w in its procedure)",
            run.title,
            run.missing.join(", ")
        ));
    }
    if let Gate::Refused(why) = &run.gate {
        return Some(format!("`{}` cannot run: {why}", run.title));
    }
    None
}

/// The script calls AWS (the demo never does).
fn calls_aws(script: &str) -> bool {
    crate::runbook::targets::simple_commands(script)
        .iter()
        .any(|w| w.iter().any(|x| x == "aws"))
}

impl App {
    /// Pins a prepared read step as a watch, or unpins it when it is pinned already.
    pub(super) fn toggle_watch(&mut self, run: Prepared, interval_ms: i64, fx: &mut Vec<Effect>) {
        let key = format!("{}#{}", run.runbook, run.step_id);
        if let Some(i) = self.watches.iter().position(|w| w.key == key) {
            let w = self.watches.remove(i);
            if let Some(id) = w.running {
                fx.push(Effect::CancelRun(id));
            }
            fx.push(self.entry(Kind::Action, format!("unpinned watch `{}`", w.name)));
            self.toast = Some((format!("unpinned `{}`", w.name), Health::Ok));
            return;
        }
        if let Some(why) = refusal(&run) {
            self.toast = Some((why, Health::Warn));
            return;
        }
        let name = run.title.clone();
        let every = human_interval(interval_ms);
        fx.push(self.entry(
            Kind::Action,
            format!(
                "pinned `{name}` as a live watch every {every}: {}",
                run.describe()
            ),
        ));
        self.toast = Some((
            format!("watching `{name}` every {every} (w again to unpin)"),
            Health::Ok,
        ));
        self.add_watch(CommandWatch::new(key, name, run, interval_ms, self.now_ms));
        self.tick_watches(fx);
    }

    pub(super) fn add_watch(&mut self, mut w: CommandWatch) {
        if self.demo && calls_aws(&w.run.script) {
            w.note = Some("demo: AWS commands are not run in the demo".into());
        }
        for s in &w.run.secrets {
            self.session.secrets.add(s);
        }
        self.watches.push(w);
    }

    /// Starts the watches that are due.
    pub(super) fn tick_watches(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now_ms;
        for i in 0..self.watches.len() {
            let w = &self.watches[i];
            if w.running.is_some() || w.note.is_some() || w.next_ms > now {
                continue;
            }
            let id = self.next_run_id();
            let w = &mut self.watches[i];
            w.running = Some(id);
            w.pending.clear();
            let mut run = w.run.clone();
            run.timeout = Some(w.timeout());
            run.interactive = false;
            // A watch is promised to be a read: it runs boxed, read-only mode or not.
            run.boxed = true;
            run.hide_output = crate::exec::prepare::prints_secrets(&run.script);
            self.launch(id, super::RunOwner::Watch, run, fx);
        }
    }

    /// A run event of a watch's run; `false` when the run is no watch's.
    pub(super) fn watch_event(&mut self, ev: &RunEvent) {
        let id = ev.id();
        let now = self.now_ms;
        let Some(w) = self.watches.iter_mut().find(|w| w.running == Some(id)) else {
            return; // unpinned while it ran
        };
        match ev {
            RunEvent::Started { .. } => {}
            RunEvent::Output { line, .. } => {
                if w.pending.len() < KEEP_LINES {
                    w.pending.push(self.session.secrets.scrub(line));
                }
            }
            RunEvent::Truncated { dropped, .. } => {
                w.pending.push(format!("… {dropped} more lines not kept"));
            }
            RunEvent::Finished { status, .. } => w.finish(status.clone(), now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_with_units() {
        assert_eq!(parse_interval("30s"), Some(30_000));
        assert_eq!(parse_interval("2m"), Some(120_000));
        assert_eq!(parse_interval("15"), Some(15_000));
        assert_eq!(parse_interval("500ms"), Some(500));
        assert_eq!(parse_interval("0s"), None);
        assert_eq!(parse_interval("soon"), None);
        assert_eq!(human_interval(30_000), "30s");
        assert_eq!(human_interval(120_000), "2m");
    }
}

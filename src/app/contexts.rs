//! Several AWS contexts in one cockpit: which context a row, feed or step belongs to, the
//! selector (`c`) that narrows the panes to one, and the chooser a step opens when nothing
//! says which context it acts on.

use super::{App, Effect, InputKey};
use super::{Overlay, PickContext};
use crate::action::Action;

impl App {
    /// The variables a step gets to act on context `ctx`.
    pub fn env_for(&self, ctx: u16) -> &std::collections::BTreeMap<String, String> {
        match self.contexts.get(ctx as usize) {
            Some(c) if self.multi_context() => &c.env,
            _ => &self.aws_env,
        }
    }

    /// What is allowed on context `ctx`: the session's policy, read-only when the context
    /// is marked so.
    pub fn policy_for(&self, ctx: u16) -> crate::exec::Policy {
        let mut p = self.policy();
        if self.contexts.get(ctx as usize).is_some_and(|c| c.read_only) {
            p.read_only = true;
        }
        p
    }

    /// Whether several contexts are watched (rows, metrics, alarms and lines are tagged).
    pub fn multi_context(&self) -> bool {
        self.contexts.len() > 1
    }

    /// The label a context's data is tagged with; `None` with one context.
    pub fn context_tag(&self, ctx: u16) -> Option<String> {
        if !self.multi_context() {
            return None;
        }
        self.contexts.get(ctx as usize).map(|c| c.label.clone())
    }

    /// A feed as the status bar names it (`staging ecs` with several contexts).
    pub fn feed_name(&self, id: crate::sources::FeedId) -> String {
        match self.context_tag(id.ctx) {
            Some(l) => format!("{l} {}", id.feed.name()),
            None => id.feed.name().to_string(),
        }
    }

    /// `c`: all contexts → the first → … → the last → all again.
    pub fn next_context(&mut self) {
        if !self.multi_context() {
            self.toast = Some((
                "one AWS context is watched (several: [[contexts]] in opsdeck.toml, or --context)"
                    .into(),
                crate::model::Health::Unknown,
            ));
            return;
        }
        self.context_filter = match self.context_filter {
            None => Some(0),
            Some(i) if (i as usize) + 1 < self.contexts.len() => Some(i + 1),
            Some(_) => None,
        };
        let label = self
            .context_filter
            .and_then(|i| self.contexts.get(i as usize))
            .map(|c| c.label.clone());
        self.services.set_context(label.clone());
        self.logs.set_context(label.as_deref());
        self.metrics.set_context(label.clone());
        self.alarms.set_context(label.clone());
        self.toast = Some((
            match &label {
                Some(l) => format!("context {l} only (c: next)"),
                None => "all contexts".into(),
            },
            crate::model::Health::Unknown,
        ));
    }

    /// The rows of context `ctx` (every row with one context): what a change in that
    /// context is previewed and verified against, never a namesake in another account.
    pub fn rows_in(&self, ctx: u16) -> Vec<&crate::model::Resource> {
        let label = self.context_tag(ctx);
        self.services
            .all()
            .filter(|r| label.is_none() || r.context == label)
            .collect()
    }

    /// The context a row belongs to (by its label), else the first.
    pub fn context_of(&self, row: Option<&crate::model::Resource>) -> u16 {
        row.and_then(|r| r.context.as_deref())
            .and_then(|l| self.contexts.iter().position(|c| c.label == l))
            .unwrap_or(0) as u16
    }
}

impl super::ContextView {
    /// Context `i` of the demo at `--scale`: what a step there would get is its profile
    /// and region.
    pub fn scaled_demo(i: u16) -> Self {
        let (label, region, account, production) = crate::sources::demo::scale::context(i);
        super::ContextView {
            production,
            read_only: false,
            env: [
                ("AWS_PROFILE".to_string(), label.clone()),
                ("AWS_REGION".to_string(), region.clone()),
                ("AWS_DEFAULT_REGION".to_string(), region.clone()),
            ]
            .into(),
            profile: Some(label.clone()),
            region: Some(region),
            account: Some(account),
            label,
        }
    }
}

impl App {
    /// The context a step acts on when something says which: the only one, the selected
    /// row's, the one already chosen for this procedure, or the one the selector (`c`) shows.
    /// `None`: ask (a step never falls back to the first context silently).
    pub fn acting_context(&self) -> Option<u16> {
        if !self.multi_context() {
            return Some(0);
        }
        if let Some(r) = self.services.selected_row() {
            return Some(self.context_of(Some(r)));
        }
        if let Some(c) = self.procedure_view().and_then(|v| v.ctx) {
            return Some(c);
        }
        self.context_filter
    }

    /// Opens the chooser for step `step` of procedure `proc_` in runbook `rb`.
    pub(super) fn ask_context(&mut self, rb: usize, proc_: usize, step: usize) {
        self.open(Overlay::PickContext(PickContext {
            rb,
            proc_,
            step,
            sel: 0,
        }));
    }

    /// The chooser on top, if it is.
    pub fn pick_context(&self) -> Option<&PickContext> {
        match self.overlays.last() {
            Some(Overlay::PickContext(p)) => Some(p),
            _ => None,
        }
    }

    pub(super) fn pick_context_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        let last = self.contexts.len().saturating_sub(1);
        let Some(Overlay::PickContext(p)) = self.overlays.last_mut() else {
            return false;
        };
        match a {
            Action::Up => p.sel = p.sel.saturating_sub(1),
            Action::Down => p.sel = (p.sel + 1).min(last),
            Action::Top => p.sel = 0,
            Action::Bottom => p.sel = last,
            Action::Submit => {
                let p = p.clone();
                self.context_chosen(p, fx);
            }
            Action::Close | Action::Cancel => {
                self.close_top();
                self.session.run_all = None;
                self.session.dry_pending = false;
                self.session.pin_pending = false;
                self.toast = Some((
                    "no context chosen: nothing ran".into(),
                    crate::model::Health::Unknown,
                ));
            }
            _ => return false,
        }
        true
    }

    /// `1`–`9` choose that context at once.
    pub(super) fn pick_context_input(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        let n = self.contexts.len();
        let Some(Overlay::PickContext(p)) = self.overlays.last_mut() else {
            return;
        };
        if let InputKey::Char(c) = key
            && let Some(d) = c.to_digit(10)
            && d >= 1
            && (d as usize) <= n
        {
            p.sel = d as usize - 1;
            let p = p.clone();
            self.context_chosen(p, fx);
        }
    }

    /// The step goes on in the chosen context, and the procedure's next steps act there too.
    fn context_chosen(&mut self, p: PickContext, fx: &mut Vec<Effect>) {
        self.close_top();
        let ctx = p.sel as u16;
        if let Some(v) = self.procedure_view_mut() {
            v.ctx = Some(ctx);
        }
        self.confirm_step_in(ctx, p.rb, p.proc_, p.step, fx);
    }
}

/// Whether a command calls the `aws` CLI (then it means something in each context).
fn calls_aws(command: &str) -> bool {
    // Read by the runbook shell reader: the words of each simple command, substitutions
    // included, quotes removed (`echo "use aws"` names no aws command).
    crate::runbook::targets::simple_commands(command)
        .iter()
        .flatten()
        .any(|w| w == "aws" || w.ends_with("/aws"))
}

impl App {
    /// A `[[watch.commands]]` entry: classified and prepared like a runbook step, in the
    /// context it names, in each context (`*`, or a command calling `aws`), or once.
    pub(super) fn watch_command(&mut self, c: &crate::config::WatchCommand) {
        let Some((p, s)) = crate::runbook::parse::command_step(&c.name, &c.command) else {
            self.load_errors
                .push(format!("watch.commands `{}`: no command", c.name));
            return;
        };
        let targets: Vec<Option<u16>> = match c.context.as_deref() {
            _ if !self.multi_context() => vec![None],
            Some("*") => (0..self.contexts.len() as u16).map(Some).collect(),
            Some(label) => match self.contexts.iter().position(|x| x.label == label) {
                Some(i) => vec![Some(i as u16)],
                None => {
                    let known: Vec<&str> = self.contexts.iter().map(|x| x.label.as_str()).collect();
                    self.load_errors.push(format!(
                        "watch.commands `{}`: no context `{label}` (contexts: {}, or * for each)",
                        c.name,
                        known.join(", ")
                    ));
                    return;
                }
            },
            None if calls_aws(&c.command) => (0..self.contexts.len() as u16).map(Some).collect(),
            None => vec![None],
        };
        for ctx in targets {
            let (env, policy) = match ctx {
                Some(i) => (self.env_for(i).clone(), self.policy_for(i)),
                None => (self.aws_env.clone(), self.policy()),
            };
            let mut run =
                crate::exec::prepare("opsdeck.toml", &p, &s, &Default::default(), &env, &policy);
            let (id, title) = match ctx.and_then(|i| self.context_tag(i)) {
                Some(l) => (
                    format!("config:{}@{l}", c.name),
                    format!("{} · {l}", c.name),
                ),
                None => (format!("config:{}", c.name), c.name.clone()),
            };
            run.title = title.clone();
            run.expect = c.expect.clone();
            run.ctx = ctx.unwrap_or(0);
            if let Some(why) = super::watches::refusal(&run) {
                self.load_errors.push(format!("watch.commands: {why}"));
                return;
            }
            let w = super::watches::CommandWatch::new(id, title, run, c.interval_ms, self.now_ms);
            self.add_watch(w);
        }
    }
}

/// The chooser of the context a step acts on.
pub struct PickContextKeys;

impl super::handler::Handler for PickContextKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.pick_context_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        app.pick_context_input(key, fx)
    }
}

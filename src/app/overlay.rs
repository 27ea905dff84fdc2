//! The overlays over the panes, as one stack owned by [`App`]: help, the journal timeline,
//! Insights results, a text prompt, the palette, value forms, the procedure view, a
//! confirmation, the quit question. The top one decides the keymap mode (so what a key
//! does, what the hints say and whether keys type text) and receives every key; closing it
//! uncovers the one below. Priority is the stack order, decided nowhere else.

use super::builtin::Form;
use super::confirm::Confirm;
use super::handler::Handler;
use super::palette::Palette;
use super::procedure::StepForm;
use super::prompt::Input;
use super::{Action, App, Effect, InputKey};
use crate::config::Mode;

/// The procedure view: which runbook, procedure and step is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcedureView {
    pub rb: usize,
    pub proc_: usize,
    pub sel: usize,
    /// The context chosen for its steps when no row says (several contexts only).
    pub ctx: Option<u16>,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    /// Every key binding, scrolled.
    Help(u16),
    /// The session's journal, scrolled back from the newest.
    Timeline(u16),
    /// The last Logs Insights result (`App::insights`).
    Insights,
    /// Search, row filter, note or Insights query being typed.
    Prompt(Input),
    Palette(Palette),
    /// A built-in action's value.
    Form(Box<Form>),
    Procedure(ProcedureView),
    /// A step's placeholder values.
    StepForm(StepForm),
    Confirm(Box<Confirm>),
    /// Quit was asked while this many steps run.
    Quit(usize),
    /// Which context a step acts on, asked when no row says.
    PickContext(PickContext),
}

impl Overlay {
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help(_) => Mode::Help,
            Overlay::Timeline(_) => Mode::Journal,
            Overlay::Insights => Mode::Insights,
            Overlay::Prompt(_) => Mode::Prompt,
            Overlay::Palette(_) | Overlay::PickContext(_) => Mode::Palette,
            Overlay::Form(_) | Overlay::StepForm(_) => Mode::Form,
            Overlay::Procedure(_) => Mode::Procedure,
            Overlay::Confirm(c) if c.needs_typing() && !c.blocked_read_only => Mode::Typed,
            Overlay::Confirm(_) | Overlay::Quit(_) => Mode::Confirm,
        }
    }
}

/// The chooser a step opens when no row says which context it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickContext {
    pub rb: usize,
    pub proc_: usize,
    pub step: usize,
    /// The highlighted context.
    pub sel: usize,
}

macro_rules! accessor {
    ($name:ident, $mut_name:ident, $variant:ident, $ty:ty) => {
        /// The overlay of this kind nearest the top, if one is open.
        pub fn $name(&self) -> Option<&$ty> {
            self.overlays.iter().rev().find_map(|o| match o {
                Overlay::$variant(x) => Some::<&$ty>(x),
                _ => None,
            })
        }

        pub fn $mut_name(&mut self) -> Option<&mut $ty> {
            self.overlays.iter_mut().rev().find_map(|o| match o {
                Overlay::$variant(x) => Some::<&mut $ty>(x),
                _ => None,
            })
        }
    };
}

impl App {
    accessor!(palette, palette_mut, Palette, Palette);
    accessor!(form, form_mut, Form, Form);
    accessor!(step_form, step_form_mut, StepForm, StepForm);
    accessor!(prompt, prompt_mut, Prompt, Input);
    accessor!(procedure_view, procedure_view_mut, Procedure, ProcedureView);

    pub fn confirm(&self) -> Option<&Confirm> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Confirm(c) => Some(c.as_ref()),
            _ => None,
        })
    }

    pub fn confirm_mut(&mut self) -> Option<&mut Confirm> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Confirm(c) => Some(c.as_mut()),
            _ => None,
        })
    }

    /// The procedure view: (runbook, procedure, selected step).
    pub fn procedure(&self) -> Option<(usize, usize, usize)> {
        self.procedure_view().map(|v| (v.rb, v.proc_, v.sel))
    }

    pub fn help_scroll(&self) -> Option<u16> {
        match self.overlays.last() {
            Some(Overlay::Help(s)) => Some(*s),
            _ => None,
        }
    }

    pub fn timeline_scroll(&self) -> Option<u16> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Timeline(s) => Some(*s),
            _ => None,
        })
    }

    pub fn insights_open(&self) -> bool {
        self.overlays.iter().any(|o| matches!(o, Overlay::Insights))
    }

    pub fn quit_pending(&self) -> Option<usize> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Quit(n) => Some(*n),
            _ => None,
        })
    }

    /// Opens `o` on top of whatever is open.
    pub fn open(&mut self, o: Overlay) {
        self.overlays.push(o);
    }

    /// Closes the top overlay.
    pub fn close_top(&mut self) -> Option<Overlay> {
        self.overlays.pop()
    }

    /// The handler of the overlay on top (a `'static` one, so it can take the app).
    fn handler(&self) -> Option<&'static dyn Handler> {
        Some(match self.overlays.last()? {
            Overlay::Help(_) => &super::help::HelpKeys,
            Overlay::Timeline(_) => &super::timeline::TimelineKeys,
            Overlay::Insights => &super::prompt::InsightsKeys,
            Overlay::Prompt(_) => &super::prompt::PromptKeys,
            Overlay::Palette(_) => &super::palette::PaletteKeys,
            Overlay::Form(_) => &super::builtin::FormKeys,
            Overlay::Procedure(_) => &super::procedure::ProcedureKeys,
            Overlay::StepForm(_) => &super::procedure::StepFormKeys,
            Overlay::Confirm(_) => &super::confirm::ConfirmKeys,
            Overlay::Quit(_) => &super::quit::QuitKeys,
            Overlay::PickContext(_) => &super::contexts::PickContextKeys,
        })
    }

    /// A key the keymap bound in the active mode goes to the top overlay, else to the panes.
    pub(super) fn action(&mut self, a: Action, fx: &mut Vec<Effect>) {
        if self.replaying() && self.replay_action(a, fx) {
            return;
        }
        let handled = match self.handler() {
            None => {
                self.pane_action(a, fx);
                true
            }
            Some(h) => h.action(self, a, fx),
        };
        if !handled {
            self.overlay_global(a, fx);
        }
    }

    /// A typed key goes to the text field on top.
    pub(super) fn input(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        if let Some(h) = self.handler() {
            h.input(self, key, fx);
        }
    }

    /// Global keys that still work over an overlay (help, journal, palette, a note, quit,
    /// cancel, suspend, redraw, switching runs); pane keys wait until it closes.
    fn overlay_global(&mut self, a: Action, fx: &mut Vec<Effect>) {
        match a {
            Action::Quit => self.quit(fx),
            Action::Cancel => self.cancel(fx),
            Action::Help => self.open(Overlay::Help(0)),
            Action::Journal => self.open(Overlay::Timeline(0)),
            Action::Palette => self.open_palette(),
            Action::Note => self.open_prompt(super::InputTarget::Note),
            Action::Suspend => fx.push(Effect::Suspend),
            Action::Redraw => fx.push(Effect::Repaint),
            Action::PrevRun | Action::NextRun => self.switch_run(a == Action::NextRun),
            _ => {}
        }
    }

    /// Ctrl-C: cancel the newest running step; with none, close the top overlay, or quit
    /// when nothing is open.
    pub(super) fn cancel(&mut self, fx: &mut Vec<Effect>) {
        if let Some(r) = self.session.runs.iter().rev().find(|r| r.status.is_none()) {
            fx.push(Effect::CancelRun(r.id));
        } else if self.overlays.is_empty() {
            self.quit(fx);
        } else {
            self.close_top();
        }
    }

    /// `{`/`}`: the run pane shows another run of this session.
    pub(super) fn switch_run(&mut self, next: bool) {
        let runs = &self.session.runs;
        if runs.is_empty() {
            return;
        }
        let last = runs.len() - 1;
        let cur = self.session.run_shown.unwrap_or(last);
        let to = if next {
            (cur + 1).min(last)
        } else {
            cur.saturating_sub(1)
        };
        self.session.run_shown = if to == last { None } else { Some(to) };
    }
}

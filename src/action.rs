//! Actions a key can be bound to. Their snake_case names are the vocabulary of keymap files.

use std::fmt;

macro_rules! actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn from_name(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit",
    Help => "help",
    Close => "close",
    Suspend => "suspend",
    Redraw => "redraw",
    FocusNext => "focus_next",
    FocusPrev => "focus_prev",
    FocusServices => "focus_services",
    FocusMetrics => "focus_metrics",
    FocusAlarms => "focus_alarms",
    FocusLogs => "focus_logs",
    Zoom => "zoom",
    Up => "up",
    Down => "down",
    PageUp => "page_up",
    PageDown => "page_down",
    Top => "top",
    Bottom => "bottom",
    Search => "search",
    ClearSearch => "clear_search",
    NextMatch => "next_match",
    PrevMatch => "prev_match",
    ToggleFollow => "toggle_follow",
    ToggleFilter => "toggle_filter",
    ToggleWrap => "toggle_wrap",
    Sort => "sort",
    NextWindow => "next_window",
    PrevWindow => "prev_window",
    Palette => "palette",
    Journal => "journal",
    Note => "note",
    Yank => "yank",
    Cancel => "cancel",
    PrevRun => "prev_run",
    NextRun => "next_run",
    Insights => "insights",
    Context => "context",
    ReplayPause => "replay_pause",
    ReplayBack => "replay_back",
    ReplayForward => "replay_forward",
    ReplaySlower => "replay_slower",
    ReplayFaster => "replay_faster",
    ReplayStart => "replay_start",
    ReplayEnd => "replay_end",
    Submit => "submit",
    Confirm => "confirm",
    Refuse => "refuse",
    ClearLine => "clear_line",
    Complete => "complete",
    RunStep => "run_step",
    DryRun => "dry_run",
    RunAll => "run_all",
    CopyStep => "copy_step",
    PinWatch => "pin_watch",
    Tick1 => "tick_1",
    Tick2 => "tick_2",
    Tick3 => "tick_3",
    Tick4 => "tick_4",
    Tick5 => "tick_5",
    Tick6 => "tick_6",
    Tick7 => "tick_7",
    Tick8 => "tick_8",
    Tick9 => "tick_9",
}

impl Action {
    /// `tick_N` → the checklist item index N-1.
    pub fn tick_index(self) -> Option<usize> {
        const TICKS: [Action; 9] = [
            Action::Tick1,
            Action::Tick2,
            Action::Tick3,
            Action::Tick4,
            Action::Tick5,
            Action::Tick6,
            Action::Tick7,
            Action::Tick8,
            Action::Tick9,
        ];
        TICKS.iter().position(|t| *t == self)
    }

    pub fn valid_names() -> String {
        Action::ALL
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

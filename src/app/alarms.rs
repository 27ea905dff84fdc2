//! Alarms pane state: ALARM first, then INSUFFICIENT_DATA, then OK; newest change first.

use crate::model::Alarm;

#[derive(Debug, Clone, Default)]
pub struct AlarmsState {
    pub alarms: Vec<Alarm>,
    pub selected: usize,
    /// `c`: only this context's alarms are shown.
    pub context: Option<String>,
}

fn state_rank(s: &str) -> u8 {
    match s {
        "ALARM" => 0,
        "INSUFFICIENT_DATA" => 1,
        _ => 2,
    }
}

impl AlarmsState {
    pub fn replace(&mut self, mut alarms: Vec<Alarm>) {
        alarms.sort_by(|a, b| {
            state_rank(&a.state)
                .cmp(&state_rank(&b.state))
                .then(b.updated_ms.cmp(&a.updated_ms))
                .then(a.name.cmp(&b.name))
        });
        self.alarms = alarms;
        self.selected = self.selected.min(self.alarms.len().saturating_sub(1));
    }

    pub fn in_alarm(&self) -> usize {
        self.visible().filter(|a| a.state == "ALARM").count()
    }

    /// The alarms shown: all, or the narrowed context's.
    pub fn visible(&self) -> impl Iterator<Item = &Alarm> {
        self.alarms
            .iter()
            .filter(|a| self.context.is_none() || a.context == self.context)
    }

    pub fn shown(&self) -> usize {
        self.visible().count()
    }

    pub fn set_context(&mut self, context: Option<String>) {
        self.context = context;
        self.selected = 0;
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.shown();
        if n > 0 {
            self.selected = (self.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarms_first() {
        let a = |n: &str, s: &str, t| Alarm {
            context: None,
            name: n.into(),
            state: s.into(),
            reason: None,
            updated_ms: Some(t),
        };
        let mut st = AlarmsState::default();
        st.replace(vec![
            a("ok", "OK", 5),
            a("old", "ALARM", 1),
            a("insuf", "INSUFFICIENT_DATA", 9),
            a("new", "ALARM", 3),
        ]);
        let names: Vec<_> = st.alarms.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["new", "old", "insuf", "ok"]);
        assert_eq!(st.in_alarm(), 2);
    }
}

//! When each watched resource is described next, so a large fleet costs about one API call
//! per resource per minute while what matters stays fresh: a resource that is changing
//! (rolling out, below its desired count, unhealthy, just listed) or that an action just
//! touched is described at the feed's own interval; a steady one once per `steady`. Steady
//! resources come due spread over that period (by a hash of their id), not all at once.
//!
//! [`Poke`] is how an action asks the feeds to look again at once, at what it changed.

use crate::model::{Health, Resource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// How long a steady resource goes undescribed, at most.
pub const STEADY: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Schedule {
    fast: Duration,
    steady: Duration,
    next: HashMap<String, Instant>,
    /// The selected row's id: described at the feed's pace, as if busy.
    pub focus: Option<String>,
}

/// Whether a row is worth describing at the feed's own pace: not healthy, or its task counts
/// still moving (a rollout, tasks pending or missing), or not described yet.
pub fn busy(r: &Resource) -> bool {
    r.loading
        || r.health != Health::Ok
        || r.counts
            .as_ref()
            .is_some_and(|c| c.pending > 0 || c.running != c.desired)
}

impl Schedule {
    pub fn new(fast: Duration, steady: Duration) -> Self {
        Schedule {
            fast,
            steady: steady.max(fast),
            next: HashMap::new(),
            focus: None,
        }
    }

    /// How long a steady resource goes undescribed.
    pub fn steady(&self) -> Duration {
        self.steady
    }

    /// Due: never described, or its time has come.
    pub fn is_due(&self, id: &str, now: Instant) -> bool {
        self.next.get(id).is_none_or(|t| *t <= now)
    }

    /// What to describe now among `ids`: the due ones, and when the API takes `batch` at a
    /// time, the batches filled up with those due soonest (the call costs the same).
    pub fn pick(&self, ids: &[String], now: Instant, batch: usize) -> Vec<String> {
        let (mut due, mut later): (Vec<&String>, Vec<&String>) =
            ids.iter().partition(|id| self.is_due(id, now));
        if due.is_empty() || batch <= 1 {
            return due.into_iter().cloned().collect();
        }
        let room = due.len().div_ceil(batch) * batch - due.len();
        later.sort_by_key(|id| self.next.get(*id).copied());
        due.extend(later.into_iter().take(room));
        due.into_iter().cloned().collect()
    }

    /// `id` was just described: next at the feed's pace when busy, else after `steady`
    /// (the first time, after a share of it given by the id, so steady resources spread).
    pub fn described(&mut self, id: &str, busy: bool, now: Instant) {
        let wait = if busy || self.focus.as_deref() == Some(id) {
            self.fast
        } else if self.next.contains_key(id) {
            self.steady
        } else {
            self.fast + (self.steady - self.fast).mul_f64(spread(id))
        };
        self.next.insert(id.to_string(), now + wait);
    }

    /// Describe `id` at the next refresh.
    pub fn urgent(&mut self, id: &str) {
        if let Some(t) = self.next.get_mut(id) {
            *t = Instant::now() - Duration::from_millis(1);
        }
    }

    /// Forget what is no longer watched.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.next.retain(|id, _| keep(id));
    }
}

/// A stable fraction in [0, 1) from an id (FNV-1a, mixed), to spread steady resources over the
/// period without a random source.
pub(super) fn spread(id: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // FNV leaves ids that differ in their last characters close in the high bits: mix them
    // (MurmurHash3's finaliser).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The row the operator has selected, shared by a context's feeds: the feed that has it
/// describes it at once when it is newly selected, then at the feed's pace while it stays
/// selected (as if busy).
#[derive(Debug, Default)]
pub struct Focus(Mutex<Option<String>>);

impl Focus {
    pub fn set(&self, id: String) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(id);
    }

    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A feed's wake-up call after an action: notified to refresh early, with the targets the
/// action named so the feed describes them at once whatever their schedule; and the
/// selection, which it keeps fresh.
#[derive(Debug, Default)]
pub struct Poke {
    pub notify: Notify,
    targets: Mutex<Vec<String>>,
    focus: Arc<Focus>,
    /// The selection as this feed last saw it.
    seen: Mutex<Option<String>>,
}

impl Poke {
    pub fn new(focus: Arc<Focus>) -> Self {
        Poke {
            focus,
            ..Poke::default()
        }
    }

    /// The selected row's id, and whether it changed since this feed last asked.
    fn focus(&self) -> (Option<String>, bool) {
        let now = self.focus.get();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *seen != now;
        seen.clone_from(&now);
        (now, changed)
    }

    /// Wake the feed; `target` (a row's id or name) is described at once.
    pub fn poke(&self, target: Option<&str>) {
        if let Some(t) = target {
            self.targets
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(t.to_string());
        }
        self.notify.notify_one();
    }

    /// The targets named since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.targets.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// What to describe at once (the poked targets, and the selection when it was just
    /// selected), and the selection.
    pub fn urgent(&self) -> (Vec<String>, Option<String>) {
        let mut targets = self.take();
        let (focus, changed) = self.focus();
        if changed {
            targets.extend(focus.clone());
        }
        (targets, focus)
    }

    /// Marks the rows [`Self::urgent`] names (by id or name) urgent in `schedule`; the
    /// selection stays busy in `schedule`.
    pub fn apply<'a>(&self, schedule: &mut Schedule, rows: impl Iterator<Item = &'a Resource>) {
        let (targets, focus) = self.urgent();
        schedule.focus = focus;
        if targets.is_empty() {
            return;
        }
        for r in rows {
            if targets.iter().any(|t| *t == r.id || *t == r.name) {
                schedule.urgent(&r.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("prod/svc-{i:03}")).collect()
    }

    #[test]
    fn steady_resources_come_back_once_per_period_spread_busy_ones_every_refresh() {
        let fast = Duration::from_secs(10);
        let mut s = Schedule::new(fast, STEADY);
        let t0 = Instant::now();
        let all = ids(300);
        assert_eq!(s.pick(&all, t0, 10).len(), 300, "never described: all due");
        for id in &all {
            s.described(id, id.ends_with('7'), t0);
        }
        // Over ten minutes of refreshes every 10 s, count describes per resource.
        let mut count: HashMap<String, usize> = HashMap::new();
        let mut calls = 0;
        for tick in 1..=60u32 {
            let now = t0 + fast * tick;
            let picked = s.pick(&all, now, 1);
            calls += picked.len();
            for id in picked {
                s.described(&id, id.ends_with('7'), now);
                *count.entry(id).or_default() += 1;
            }
        }
        let busy = all.iter().filter(|i| i.ends_with('7')).count();
        assert_eq!(count["prod/svc-007"], 60, "busy: every refresh");
        let steady_max = all
            .iter()
            .filter(|i| !i.ends_with('7'))
            .map(|i| count[i])
            .max()
            .unwrap();
        assert!(
            steady_max <= 10,
            "steady: at most once a minute, got {steady_max}"
        );
        // Spread: no refresh describes more than a fifth of the steady ones.
        let mut s2 = Schedule::new(fast, STEADY);
        for id in &all {
            s2.described(id, false, t0);
        }
        let worst = (1..=12u32)
            .map(|k| {
                s2.pick(&all, t0 + fast * k, 1).len() - s2.pick(&all, t0 + fast * (k - 1), 1).len()
            })
            .max()
            .unwrap();
        assert!(
            worst < 100,
            "steady resources bunched: {worst} due in one refresh"
        );
        assert!(calls < busy * 60 + 300 * 10 + 1);
    }

    #[test]
    fn batches_fill_up_with_the_soonest_due_and_pokes_jump_the_queue() {
        let fast = Duration::from_secs(5);
        let mut s = Schedule::new(fast, STEADY);
        let t0 = Instant::now();
        let all = ids(25);
        for (i, id) in all.iter().enumerate() {
            s.described(id, i < 3, t0);
        }
        let picked = s.pick(&all, t0 + fast, 10);
        assert_eq!(picked.len(), 10, "3 due, filled to one batch of 10");
        assert!(picked[..3].iter().all(|p| all[..3].contains(p)));
        assert!(s.pick(&all, t0 + fast, 1).len() == 3);
        let poke = Poke::default();
        poke.poke(Some("svc-020"));
        let rows: Vec<Resource> = all
            .iter()
            .map(|id| Resource::ecs("prod", id.trim_start_matches("prod/")))
            .collect();
        poke.apply(&mut s, rows.iter());
        let now = Instant::now();
        assert!(s.is_due("prod/svc-020", now), "poked by its name");
        assert!(!s.is_due("prod/svc-021", now));
        assert!(poke.take().is_empty(), "taken once");
        // The selection: at once when newly selected, then every refresh while selected.
        let focus = Arc::new(Focus::default());
        let poke = Poke::new(focus.clone());
        focus.set("prod/svc-015".into());
        poke.apply(&mut s, rows.iter());
        let now = Instant::now();
        assert!(s.is_due("prod/svc-015", now), "just selected");
        s.described("prod/svc-015", false, now);
        assert!(
            s.is_due("prod/svc-015", now + fast),
            "selected: at the feed's pace"
        );
        poke.apply(&mut s, rows.iter());
        s.described("prod/svc-015", false, now);
        assert!(s.is_due("prod/svc-015", now + fast), "still selected");
        focus.set("prod/svc-016".into());
        poke.apply(&mut s, rows.iter());
        s.described("prod/svc-015", false, now);
        assert!(
            !s.is_due("prod/svc-015", now + fast),
            "no longer selected: steady"
        );
        s.retain(|id| id != "prod/svc-000");
        assert!(s.is_due("prod/svc-000", t0), "forgotten: due again");
    }
}

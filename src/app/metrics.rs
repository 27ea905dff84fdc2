//! Metrics pane state: series by key, the time window, the selected row.

use crate::model::{MetricKey, MetricSeries};
use crate::sources::Window;

/// History kept per series: the widest window.
pub const KEEP_MS: i64 = 12 * 3_600_000;

#[derive(Debug, Clone, Default)]
pub struct MetricsState {
    pub series: Vec<MetricSeries>,
    pub window: Window,
    pub selected: usize,
    /// `c`: only this context's series are shown.
    pub context: Option<String>,
}

impl MetricsState {
    pub fn replace(&mut self, series: Vec<MetricSeries>) {
        self.series = series;
        self.selected = self.selected.min(self.series.len().saturating_sub(1));
    }

    /// One context's series replace that context's (`None`: the only context's).
    pub fn replace_context(&mut self, context: Option<&str>, series: Vec<MetricSeries>) {
        if context.is_none() {
            return self.replace(series);
        }
        let mut all: Vec<MetricSeries> = std::mem::take(&mut self.series)
            .into_iter()
            .filter(|s| s.context.as_deref() != context)
            .collect();
        all.extend(series);
        // The contexts in a stable order, whichever delivered last.
        all.sort_by(|a, b| a.context.cmp(&b.context));
        self.replace(all);
    }

    /// Points for one context's series.
    pub fn add_context_points(
        &mut self,
        context: Option<&str>,
        batch: Vec<(MetricKey, Vec<(i64, f64)>)>,
        now_ms: i64,
    ) {
        for (key, points) in batch {
            if let Some(s) = self
                .series
                .iter_mut()
                .find(|s| s.key == key && s.context.as_deref() == context)
            {
                s.merge_points(points, now_ms - KEEP_MS);
            }
        }
    }

    pub fn add_points(&mut self, batch: Vec<(MetricKey, Vec<(i64, f64)>)>, now_ms: i64) {
        for (key, points) in batch {
            if let Some(s) = self.series.iter_mut().find(|s| s.key == key) {
                s.merge_points(points, now_ms - KEEP_MS);
            }
        }
    }

    /// The series shown: all, or the narrowed context's.
    pub fn visible(&self) -> impl Iterator<Item = &MetricSeries> {
        self.series
            .iter()
            .filter(|s| self.context.is_none() || s.context == self.context)
    }

    pub fn set_context(&mut self, context: Option<String>) {
        self.context = context;
        self.selected = 0;
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.visible().count();
        if n > 0 {
            self.selected = (self.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
        }
    }
}

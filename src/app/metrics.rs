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
}

impl MetricsState {
    pub fn replace(&mut self, series: Vec<MetricSeries>) {
        self.series = series;
        self.selected = self.selected.min(self.series.len().saturating_sub(1));
    }

    pub fn add_points(&mut self, batch: Vec<(MetricKey, Vec<(i64, f64)>)>, now_ms: i64) {
        for (key, points) in batch {
            if let Some(s) = self.series.iter_mut().find(|s| s.key == key) {
                s.merge_points(points, now_ms - KEEP_MS);
            }
        }
    }

    pub fn move_by(&mut self, delta: i64) {
        if !self.series.is_empty() {
            self.selected =
                (self.selected as i64 + delta).clamp(0, self.series.len() as i64 - 1) as usize;
        }
    }
}

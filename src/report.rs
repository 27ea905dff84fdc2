//! The postmortem report: `opsdeck journal export --format markdown|html [--recording FILE]`.
//!
//! The journal gives the window, the people, the accounts, the timeline and the health
//! transitions; a recording of the same session adds the metrics themselves. Markdown gets a
//! Unicode sparkline per metric that changed health, with the operator's actions marked on a
//! line above; HTML gets one self-contained page (inline CSS and SVG, no script, no external
//! asset) readable on a projector and printed.

use crate::journal::{Entry, Kind};
use crate::model::{Health, MetricKey, MetricSeries, Thresholds};
use crate::sources::Payload;
use crate::sources::recording::Recording;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Lead-up shown before the first journal entry, so a chart shows how it started: as long
/// as the window itself, from 2 to 10 minutes (a short incident is not squeezed into a
/// corner of its charts).
const LEAD_MS: i64 = 10 * 60_000;

pub fn lead_ms(start: i64, end: i64) -> i64 {
    (end - start).clamp(2 * 60_000, LEAD_MS)
}

fn minutes(ms: i64) -> String {
    let s = ms / 1000;
    if s % 60 == 0 {
        format!("{} min", s / 60)
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}
/// Cells of a Markdown sparkline.
const CELLS: usize = 48;

/// A metric over the report's window.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub label: String,
    pub unit: Option<String>,
    pub thresholds: Thresholds,
    pub points: Vec<(i64, f64)>,
}

impl Chart {
    fn worst(&self) -> Health {
        self.points
            .iter()
            .map(|p| self.thresholds.classify(p.1))
            .max_by_key(|h| health_rank(*h))
            .unwrap_or(Health::Unknown)
    }

    /// Whether its health changed in the window (a threshold crossed one way or the other).
    pub fn changed_health(&self) -> bool {
        let mut seen = self.points.iter().map(|p| self.thresholds.classify(p.1));
        let Some(first) = seen.next() else {
            return false;
        };
        seen.any(|h| h != first)
    }
}

fn health_rank(h: Health) -> u8 {
    match h {
        Health::Ok => 0,
        Health::Unknown => 1,
        Health::Warn => 2,
        Health::Crit => 3,
    }
}

fn ms(e: &Entry) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(&e.time)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// The window the report covers: the entries', else the recording's.
pub fn window(entries: &[&Entry], rec: Option<&Recording>) -> Option<(i64, i64)> {
    let times: Vec<i64> = entries.iter().filter_map(|e| ms(e)).collect();
    match (times.iter().min(), times.iter().max(), rec) {
        (Some(a), Some(b), _) => Some((*a, *b)),
        (_, _, Some(r)) => Some((r.start_ms(), r.end_ms())),
        _ => None,
    }
}

/// The metrics a recording saw from `start - lead` to `end`, each series rebuilt from its
/// definitions and points; only those whose health changed in the window.
pub fn charts_from_recording(rec: &Recording, start: i64, end: i64) -> Vec<Chart> {
    let from = start - lead_ms(start, end);
    let mut series: BTreeMap<MetricKey, MetricSeries> = BTreeMap::new();
    let mut order: Vec<MetricKey> = Vec::new();
    for (t, ev) in &rec.events {
        if *t > end {
            break;
        }
        match &ev.payload {
            Payload::MetricSeries(all) => {
                for s in all {
                    match series.get_mut(&s.key) {
                        Some(have) => {
                            have.label = s.label.clone();
                            have.thresholds = s.thresholds;
                            have.unit = s.unit.clone();
                            have.merge_points(s.points.clone(), i64::MIN);
                        }
                        None => {
                            order.push(s.key.clone());
                            series.insert(s.key.clone(), s.clone());
                        }
                    }
                }
            }
            Payload::MetricPoints(points) => {
                for (k, p) in points {
                    if let Some(have) = series.get_mut(k) {
                        have.merge_points(p.clone(), i64::MIN);
                    }
                }
            }
            _ => {}
        }
    }
    order
        .into_iter()
        .filter_map(|k| series.remove(&k))
        .map(|s| Chart {
            points: s
                .points
                .iter()
                .copied()
                .filter(|(t, _)| *t >= from && *t <= end)
                .collect(),
            label: s.label,
            unit: s.unit,
            thresholds: s.thresholds,
        })
        .filter(Chart::changed_health)
        .collect()
}

/// Resources and alarms whose health changed, from the journal's events: per subject its
/// state before the first change and each change after (time, new state).
/// A subject whose health changed: its name, its state before, and each change (time, state).
pub type HealthChanges = (String, String, Vec<(i64, String)>);

pub fn health_changes(entries: &[&Entry]) -> Vec<HealthChanges> {
    let mut out: Vec<HealthChanges> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == Kind::Event) {
        let (Some(r), Some(b), Some(a), Some(t)) = (&e.resource, &e.before, &e.after, ms(e)) else {
            continue;
        };
        if level(a).is_none() {
            continue;
        }
        match out.iter_mut().find(|s| &s.0 == r) {
            Some(s) => s.2.push((t, a.clone())),
            None => out.push((r.clone(), b.clone(), vec![(t, a.clone())])),
        }
    }
    out
}

/// A health word as 0 (ok) … 3 (crit); `None` for a state that is not a health.
fn level(s: &str) -> Option<u8> {
    match s {
        "ok" | "OK" => Some(0),
        "unknown" | "INSUFFICIENT_DATA" => Some(1),
        "warn" => Some(2),
        "crit" | "ALARM" => Some(3),
        _ => None,
    }
}

/// Operator actions worth a marker on the charts: confirmed changes and notes.
fn markers<'a>(entries: &[&'a Entry]) -> Vec<(i64, &'a Entry)> {
    entries
        .iter()
        .filter(|e| matches!(e.kind, Kind::Confirmed | Kind::Note))
        .filter_map(|e| Some((ms(e)?, *e)))
        .collect()
}

/// `▁▂▃▅▇` over `CELLS` cells from `from` to `to`: the mean of the points in each cell,
/// scaled between the series' min and max; a gap where a cell has no point.
pub fn sparkline(points: &[(i64, f64)], from: i64, to: i64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let mut cells: Vec<(f64, u32)> = vec![(0.0, 0); CELLS];
    let span = (to - from).max(1) as f64;
    for (t, v) in points {
        let i = (((*t - from) as f64 / span) * (CELLS - 1) as f64).round();
        if (0.0..CELLS as f64).contains(&i) {
            let c = &mut cells[i as usize];
            c.0 += v;
            c.1 += 1;
        }
    }
    let values: Vec<Option<f64>> = cells
        .iter()
        .map(|(s, n)| (*n > 0).then(|| s / *n as f64))
        .collect();
    let (lo, hi) = values
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => BARS[3],
            Some(v) => BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
        })
        .collect()
}

fn marker_line(marks: &[(i64, &Entry)], from: i64, to: i64) -> String {
    let mut line = vec![' '; CELLS];
    let span = (to - from).max(1) as f64;
    for (t, _) in marks {
        let i = (((*t - from) as f64 / span) * (CELLS - 1) as f64).round();
        if (0.0..CELLS as f64).contains(&i) {
            line[i as usize] = '▲';
        }
    }
    line.into_iter().collect()
}

fn num(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The Markdown report: the journal's incident document, with a sparkline per metric that
/// changed health when a recording gives the metrics.
pub fn markdown(entries: &[&Entry], charts: &[Chart], window: Option<(i64, i64)>) -> String {
    let mut o = crate::journal::incident_markdown(entries);
    let (Some((start, end)), false) = (window, charts.is_empty()) else {
        return o;
    };
    let from = start - lead_ms(start, end);
    let marks = markers(entries);
    let mut section = String::from("## Metrics that changed health\n\n");
    let _ = writeln!(
        section,
        "From the recording, {} before the first entry to the last; each line spans that window ({} s a cell); ▲ marks an operator's confirmed action or note.\n",
        minutes(start - from),
        ((end - from) / 1000) / CELLS as i64 + 1
    );
    section
        .push_str("| Metric | Over the window | Min – max | Worst |\n| --- | --- | --- | --- |\n");
    let _ = writeln!(
        section,
        "| operator | `{}` | | |",
        marker_line(&marks, from, end)
    );
    for c in charts {
        let (lo, hi) = c
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.1), b.max(p.1))
            });
        let _ = writeln!(
            section,
            "| {} | `{}` | {} – {}{} | {} |",
            crate::journal::md_cell(&c.label),
            sparkline(&c.points, from, end),
            num(lo),
            num(hi),
            c.unit
                .as_deref()
                .map(|u| format!(" {}", crate::journal::md_cell(u)))
                .unwrap_or_default(),
            format!("{:?}", c.worst()).to_lowercase()
        );
    }
    section.push('\n');
    // Before the timeline, after the health strips.
    match o.find("## Timeline") {
        Some(i) => o.insert_str(i, &section),
        None => o.push_str(&section),
    }
    o
}

/// HTML-escaped text: everything in the report came from outside (logs, names, notes).
fn esc(s: &str) -> String {
    crate::journal::escape_markup(s, true)
}

fn hhmm(t: i64) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

const W: f64 = 900.0;
const H: f64 = 170.0;
const PAD_L: f64 = 56.0;
const PAD_R: f64 = 12.0;
const PAD_T: f64 = 14.0;
const PAD_B: f64 = 26.0;

/// One metric as an SVG line chart: threshold lines, a vertical line per action, time axis.
fn svg_chart(c: &Chart, from: i64, to: i64, marks: &[(i64, &Entry)]) -> String {
    let (mut lo, mut hi) = c
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    for t in [c.thresholds.warn, c.thresholds.crit].into_iter().flatten() {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    lo = lo.min(0.0);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let x = |t: i64| PAD_L + (t - from) as f64 / (to - from).max(1) as f64 * (W - PAD_L - PAD_R);
    let y = |v: f64| PAD_T + (1.0 - (v - lo) / (hi - lo)) * (H - PAD_T - PAD_B);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}"><rect class="plot" x="{PAD_L}" y="{PAD_T}" width="{}" height="{}"/>"#,
        esc(&c.label),
        W - PAD_L - PAD_R,
        H - PAD_T - PAD_B
    );
    for (v, class) in [(c.thresholds.warn, "warn"), (c.thresholds.crit, "crit")] {
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<line class="threshold {class}" x1="{PAD_L}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tlabel {class}" x="{}" y="{:.1}">{class} {}</text>"#,
                W - PAD_R,
                W - PAD_R - 4.0,
                y(v) - 3.0,
                esc(&num(v)),
                y = y(v)
            );
        }
    }
    for (t, e) in marks.iter().filter(|(t, _)| *t >= from && *t <= to) {
        let _ = write!(
            s,
            r#"<line class="action" x1="{x:.1}" x2="{x:.1}" y1="{PAD_T}" y2="{}"><title>{} {}</title></line>"#,
            H - PAD_B,
            hhmm(*t),
            esc(&e.what),
            x = x(*t)
        );
    }
    let pts: Vec<String> = c
        .points
        .iter()
        .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
        .collect();
    let _ = write!(
        s,
        r#"<polyline class="series {}" points="{}"/>"#,
        format!("{:?}", c.worst()).to_lowercase(),
        pts.join(" ")
    );
    // Axes: min and max on the left, the window's ends and middle below.
    let _ = write!(
        s,
        r#"<text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
        PAD_L - 6.0,
        y(hi) + 10.0,
        esc(&num(hi)),
        PAD_L - 6.0,
        y(lo),
        esc(&num(lo))
    );
    for (t, anchor) in [
        (from, "start"),
        (from + (to - from) / 2, "middle"),
        (to, "end"),
    ] {
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
            x(t),
            H - 8.0,
            hhmm(t)
        );
    }
    s.push_str("</svg>");
    s
}

/// A resource's or alarm's health over the window as coloured bands.
fn svg_strip(initial: &str, changes: &[(i64, String)], from: i64, to: i64) -> String {
    let x = |t: i64| PAD_L + (t - from) as f64 / (to - from).max(1) as f64 * (W - PAD_L - PAD_R);
    let class = |s: &str| match level(s) {
        Some(0) => "ok",
        Some(2) => "warn",
        Some(3) => "crit",
        _ => "unknown",
    };
    let mut s = format!(r#"<svg class="strip" viewBox="0 0 {W} 22" role="img">"#);
    let mut at = from;
    let mut state = initial.to_string();
    for (t, next) in changes.iter().chain(std::iter::once(&(to, String::new()))) {
        let t = (*t).clamp(from, to);
        if t > at {
            let _ = write!(
                s,
                r#"<rect class="{}" x="{:.1}" y="2" width="{:.1}" height="18"><title>{} from {}</title></rect>"#,
                class(&state),
                x(at),
                x(t) - x(at),
                esc(&state),
                hhmm(at)
            );
        }
        at = t;
        if !next.is_empty() {
            state = next.clone();
        }
    }
    s.push_str("</svg>");
    s
}

const CSS: &str = r#"
:root { --fg:#111; --bg:#fff; --muted:#555; --ok:#1a7f37; --warn:#b35900; --crit:#c62828; --unknown:#777; --line:#1f4e9c; }
* { box-sizing: border-box; }
body { font: 18px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; } h2 { font-size: 1.4rem; margin-top: 2rem; border-bottom: 2px solid #ddd; }
.meta { color: var(--muted); } .meta li { margin: .1rem 0; }
figure { margin: 1rem 0 1.5rem; } figcaption { font-weight: 600; margin-bottom: .25rem; }
svg { width: 100%; height: auto; display: block; }
.plot { fill: #fafafa; stroke: #ccc; }
.series { fill: none; stroke: var(--line); stroke-width: 2.5; }
.series.crit { stroke: var(--crit); } .series.warn { stroke: var(--warn); }
.threshold { stroke-dasharray: 6 4; stroke-width: 1.5; } .threshold.warn { stroke: var(--warn); } .threshold.crit { stroke: var(--crit); }
.tlabel { font-size: 12px; text-anchor: end; } .tlabel.warn { fill: var(--warn); } .tlabel.crit { fill: var(--crit); }
.action { stroke: #000; stroke-width: 1.5; stroke-dasharray: 2 3; }
.axis { font-size: 12px; fill: var(--muted); }
.strip rect.ok { fill: var(--ok); } .strip rect.warn { fill: var(--warn); } .strip rect.crit { fill: var(--crit); } .strip rect.unknown { fill: var(--unknown); }
table { border-collapse: collapse; width: 100%; font-size: 16px; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
tr.event td.kind { color: var(--muted); } tr.action td { font-weight: 600; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.legend span { display: inline-block; margin-right: 1rem; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin-right: .3em; }
@media print { body { margin: 0; max-width: none; font-size: 12pt; } figure, tr { break-inside: avoid; } }
"#;

/// The HTML report: one self-contained page.
pub fn html(entries: &[&Entry], charts: &[Chart], window: Option<(i64, i64)>) -> String {
    let mut o = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    o.push_str("<title>Incident report</title><style>");
    o.push_str(CSS);
    o.push_str("</style></head><body>\n<h1>Incident report</h1>\n");
    let Some((start, end)) = window else {
        o.push_str("<p>The journal has no entry in this window.</p></body></html>\n");
        return o;
    };
    let date = |t: i64| {
        chrono::DateTime::from_timestamp_millis(t)
            .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    };
    let span = (end - start).max(0) / 1000;
    let people = crate::journal::people(entries);
    let accounts = crate::journal::accounts(entries);
    let count = |k: Kind| entries.iter().filter(|e| e.kind == k).count();
    let none = || "none recorded".to_string();
    let _ = writeln!(
        o,
        "<ul class=\"meta\"><li><b>Window</b> {} → {} UTC ({} min {} s)</li><li><b>People</b> {}</li><li><b>AWS</b> {}</li><li>{} system events, {} operator actions ({} confirmed, {} refused or blocked), {} notes</li></ul>",
        date(start),
        date(end),
        span / 60,
        span % 60,
        esc(&if people.is_empty() {
            none()
        } else {
            people.join(", ")
        }),
        esc(&if accounts.is_empty() {
            none()
        } else {
            accounts.join("; ")
        }),
        count(Kind::Event),
        count(Kind::Action),
        count(Kind::Confirmed),
        count(Kind::Refused) + count(Kind::Blocked),
        count(Kind::Note),
    );
    let marks = markers(entries);
    if !charts.is_empty() {
        let from = start - lead_ms(start, end);
        let _ = write!(
            o,
            "<h2>Metrics that changed health</h2>\n<p class=\"meta\">From the recording, {} before the first entry to the last. Dashed lines: warn and crit thresholds; dotted vertical lines: an operator's confirmed action or note (hover for which).</p>\n",
            minutes(start - from)
        );
        for c in charts {
            let _ = writeln!(
                o,
                "<figure class=\"metric\"><figcaption>{}{}</figcaption>{}</figure>",
                esc(&c.label),
                c.unit
                    .as_deref()
                    .map(|u| format!(" <span class=\"meta\">({})</span>", esc(u)))
                    .unwrap_or_default(),
                svg_chart(c, from, end, &marks)
            );
        }
    }
    let changes = health_changes(entries);
    if !changes.is_empty() {
        o.push_str("<h2>What changed health</h2>\n<p class=\"legend\"><span><i class=\"swatch\" style=\"background:var(--ok)\"></i>ok</span><span><i class=\"swatch\" style=\"background:var(--warn)\"></i>warn</span><span><i class=\"swatch\" style=\"background:var(--crit)\"></i>crit / ALARM</span><span><i class=\"swatch\" style=\"background:var(--unknown)\"></i>unknown</span></p>\n");
        for (subject, initial, ch) in &changes {
            let _ = writeln!(
                o,
                "<figure class=\"health\"><figcaption>{} <span class=\"meta\">now {}</span></figcaption>{}</figure>",
                esc(subject),
                esc(ch.last().map_or(initial.as_str(), |c| c.1.as_str())),
                svg_strip(initial, ch, start, end)
            );
        }
    }
    o.push_str("<h2>Timeline</h2>\n<table class=\"timeline\"><thead><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Result</th></tr></thead><tbody>\n");
    for e in entries {
        let class = if e.kind == Kind::Event {
            "event"
        } else {
            "action"
        };
        let (what, result) = crate::journal::what_and_result(e);
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td class=\"time\">{}</td><td>{}</td><td><span class=\"kind\">{}:</span> {}</td><td>{}</td></tr>",
            esc(&ms(e).map(date).unwrap_or_else(|| e.time.clone())),
            esc(&format!("{}@{}", e.user, e.host)),
            esc(e.kind.label()),
            esc(&what),
            esc(result.trim())
        );
    }
    o.push_str("</tbody></table>\n<p class=\"meta\">Written by opsdeck ");
    o.push_str(env!("CARGO_PKG_VERSION"));
    o.push_str(".</p>\n</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn entry(kind: Kind, what: &str, t: &str) -> Entry {
        let mut e = crate::journal::Context {
            user: "alice".into(),
            host: "bastion".into(),
            profile: Some("prod".into()),
            region: Some("eu-west-1".into()),
            account: None,
        }
        .entry(
            kind,
            what,
            chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc(),
        );
        if kind == Kind::Event {
            e.resource = Some("prod/api".into());
            e.before = Some("ok".into());
            e.after = Some("crit".into());
        }
        e
    }

    fn chart() -> Chart {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-12-02T21:00:00Z")
            .unwrap()
            .timestamp_millis();
        Chart {
            label: "prod/api CPU <script>".into(),
            unit: Some("%".into()),
            thresholds: Thresholds {
                warn: Some(70.0),
                crit: Some(90.0),
                direction: Direction::Above,
            },
            points: (0..20)
                .map(|i| {
                    (
                        t0 + i * 60_000,
                        if (8..14).contains(&i) { 95.0 } else { 40.0 },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn sparklines_scale_between_min_and_max_and_leave_gaps() {
        let s = sparkline(&[(0, 1.0), (50, 5.0), (100, 9.0)], 0, 100);
        assert_eq!(s.chars().count(), CELLS);
        assert_eq!(s.chars().next(), Some('▁'));
        assert_eq!(s.chars().last(), Some('█'));
        assert!(s.contains(' '));
    }

    #[test]
    fn markdown_adds_a_sparkline_per_metric_with_the_actions_marked() {
        let a = entry(Kind::Event, "prod/api crit", "2026-12-02T21:08:00Z");
        let b = entry(
            Kind::Confirmed,
            "scale prod/api to 8",
            "2026-12-02T21:10:00Z",
        );
        let c = entry(Kind::Event, "prod/api ok", "2026-12-02T21:19:00Z");
        let entries = [&a, &b, &c];
        let w = window(&entries, None);
        let md = markdown(&entries, &[chart()], w);
        let metrics = md.find("## Metrics that changed health").unwrap();
        assert!(metrics < md.find("## Timeline").unwrap());
        let row = md
            .lines()
            .find(|l| l.starts_with("| prod/api CPU"))
            .unwrap();
        assert!(row.contains('█') && row.contains('▁'), "{row}");
        assert!(
            row.contains("40 – 95 %") && row.ends_with("| crit |"),
            "{row}"
        );
        let op = md
            .lines()
            .find(|l| l.starts_with("| operator | `"))
            .unwrap();
        assert!(op.contains('▲'));
        // Without a recording's charts, the journal's document as before.
        assert!(!markdown(&entries, &[], w).contains("## Metrics"));
    }

    #[test]
    fn html_is_self_contained_escaped_and_has_charts_strips_and_rows() {
        let a = entry(Kind::Event, "prod/api <b>crit</b>", "2026-12-02T21:08:00Z");
        let b = entry(
            Kind::Confirmed,
            "scale prod/api to 8",
            "2026-12-02T21:10:00Z",
        );
        let entries = [&a, &b];
        let h = html(&entries, &[chart()], window(&entries, None));
        assert_eq!(h.matches("<svg class=\"chart\"").count(), 1);
        assert_eq!(h.matches("<svg class=\"strip\"").count(), 1);
        assert_eq!(h.matches("<tr class=\"event\"").count(), 1);
        assert_eq!(h.matches("<tr class=\"action\"").count(), 1);
        assert!(h.contains("<line class=\"action\""));
        assert!(!h.contains("<script") && !h.contains("<b>crit"), "escaped");
        assert!(
            !h.contains("http://") && !h.contains("https://"),
            "no external asset"
        );
    }

    #[test]
    fn only_metrics_that_crossed_a_threshold_are_charted() {
        let mut flat = chart();
        flat.points.iter_mut().for_each(|p| p.1 = 40.0);
        assert!(!flat.changed_health());
        assert!(chart().changed_health());
    }
}

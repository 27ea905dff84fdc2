//! Resources a runbook names: ECS clusters and services, Lambda functions and aliases, log
//! groups, CloudWatch metrics (with dimensions, statistics, period), alarms, health URLs,
//! RDS instances and DynamoDB tables; and thresholds stated in comments, prose or tables,
//! attached to the metric they name. Names built from placeholders (`${PROJECT_NAME}-cluster`)
//! are kept as templates.

use super::model::Parsed;
use super::shell::PLACEHOLDER_RE;
use super::shell::tokenize;
use super::units::{self, Unit};
use crate::model::{Direction, ResourceKind, Thresholds};
use brush_parser::Token;
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub name: String,
    /// Made from placeholders; fill them in to get the real name.
    pub template: bool,
    pub line: usize,
    pub procedure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EcsService {
    pub cluster: Option<String>,
    pub name: String,
    pub template: bool,
    pub line: usize,
    pub procedure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LambdaAlias {
    pub function: String,
    pub name: String,
    pub template: bool,
    pub line: usize,
    pub procedure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricTarget {
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    pub statistics: Vec<String>,
    pub period: Option<i64>,
    pub thresholds: Option<Thresholds>,
    /// Where the threshold was stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_source: Option<String>,
    /// The unit the thresholds are in: the metric's CloudWatch unit, a stated value
    /// converted to it (`10s` on Lambda Duration is 10000 Milliseconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_unit: Option<String>,
    pub template: bool,
    pub line: usize,
    pub procedure: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmTarget {
    pub name: Option<String>,
    pub prefix: Option<String>,
    pub template: bool,
    pub line: usize,
    pub procedure: String,
}

/// A threshold read from the text that no extracted metric matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LooseThreshold {
    pub subject: String,
    pub thresholds: Thresholds,
    /// The unit it was stated in, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Targets {
    pub ecs_clusters: Vec<Found>,
    pub ecs_services: Vec<EcsService>,
    pub lambda_functions: Vec<Found>,
    pub lambda_aliases: Vec<LambdaAlias>,
    pub log_groups: Vec<Found>,
    pub metrics: Vec<MetricTarget>,
    pub alarms: Vec<AlarmTarget>,
    pub health_urls: Vec<Found>,
    /// The resources of each kind named by its flags ([`crate::model::kinds::Named`]): RDS
    /// instances, DynamoDB tables, SQS queues…, under its key in the JSON.
    #[serde(flatten)]
    pub by_kind: ByKind,
    pub unmatched_thresholds: Vec<LooseThreshold>,
}

/// Resources named by flags, by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ByKind(pub std::collections::BTreeMap<ResourceKind, Vec<Found>>);

impl Serialize for ByKind {
    /// Every kind that runbooks name, under its key, empty or not.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for &k in ResourceKind::ALL {
            if let Some(n) = k.named() {
                m.serialize_entry(n.key, self.0.get(&k).map_or(&[][..], |v| v.as_slice()))?;
            }
        }
        m.end()
    }
}

impl Targets {
    /// What the runbooks name of `kind` by its flags.
    pub fn named(&self, kind: ResourceKind) -> &[Found] {
        self.by_kind.0.get(&kind).map_or(&[], |v| v.as_slice())
    }

    /// The first resource named, as written (placeholders left in): a service, else a
    /// function, else a cluster, else the first of each other kind in registry order (what
    /// a typed confirmation asks for).
    pub fn first_resource(&self) -> Option<&str> {
        self.ecs_services
            .first()
            .map(|s| s.name.as_str())
            .or_else(|| self.lambda_functions.first().map(|f| f.name.as_str()))
            .or_else(|| self.ecs_clusters.first().map(|c| c.name.as_str()))
            .or_else(|| {
                ResourceKind::ALL
                    .iter()
                    .find_map(|k| self.named(*k).first().map(|f| f.name.as_str()))
            })
    }
}

fn is_template(s: &str) -> bool {
    s.contains('$') || PLACEHOLDER_RE.is_match(s) || !super::prose::find(s).is_empty()
}

/// Words of each simple command in `text`, `$(…)` and backtick bodies included as commands
/// of their own; `<name>` placeholders kept as words.
pub fn simple_commands(text: &str) -> Vec<Vec<String>> {
    let masked = PLACEHOLDER_RE.replace_all(text, "{{$1}}");
    let Ok(tokens) = tokenize(&masked) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut skip_next = false;
    for t in tokens {
        match t {
            Token::Operator(op, _) => {
                if matches!(
                    op.as_str(),
                    ">" | ">>" | "<" | "<<" | "<<-" | ">|" | "&>" | "<<<"
                ) {
                    skip_next = true;
                } else if !words.is_empty() {
                    out.push(std::mem::take(&mut words));
                }
            }
            Token::Word(w, _) => {
                for inner in super::risk::substitutions(&w) {
                    out.extend(simple_commands(&inner));
                }
                if std::mem::take(&mut skip_next) {
                    continue;
                }
                let unquoted = brush_parser::unquote_str(&w);
                words.push(unmask(&unquoted));
            }
        }
    }
    if !words.is_empty() {
        out.push(words);
    }
    out
}

fn unmask(s: &str) -> String {
    static MASK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\{([A-Za-z][A-Za-z0-9_.:-]*)\}\}").expect("constant regex")
    });
    MASK.replace_all(s, "<$1>").into_owned()
}

/// Values of `--flag v1 v2…` / `--flag=v`, up to the next option.
fn values<'a>(args: &'a [String], flag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == flag {
            let mut j = i + 1;
            while j < args.len() && !args[j].starts_with("--") {
                out.push(args[j].as_str());
                j += 1;
            }
            i = j;
            continue;
        }
        if let Some(v) = args[i].strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            out.push(v);
        }
        i += 1;
    }
    out
}

fn first<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    values(args, flag).into_iter().next()
}

static SHOULD_BE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?P<subject>[A-Za-z][A-Za-z0-9 ./_-]{1,60}?)\s*[(:,-]?\s*(?:should|must|needs? to)\s+(?:be|stay|remain)\s+(?P<op><=?|>=?|below|above|under|over|less than|greater than|at most|at least)\s*(?P<v>[0-9]+(?:\.[0-9]+)?\s*(?:ms|milliseconds|seconds|secs?|s|minutes|mins?|%|percent|[kmgt]i?b)?)\b")
        .expect("constant regex")
});

/// A threshold as stated, with the unit it was written in.
type Stated = (Thresholds, Option<Unit>);

/// `Symptoms: CPU utilization > 90%`, `Alert when p99 latency exceeds 2 s`.
static COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?P<subject>[A-Za-z][A-Za-z0-9 ./_-]{1,60}?)\s*(?P<op>>=|<=|>|<|≥|≤|above|below|over|under|exceeds|greater than|less than)\s*(?P<v>[0-9]+(?:\.[0-9]+)?\s*(?:ms|milliseconds|seconds|secs?|s|minutes|mins?|%|percent|[kmgt]i?b)?)\b")
        .expect("constant regex")
});

fn parse_should(text: &str) -> Option<(String, Stated)> {
    let c = SHOULD_BE.captures(text)?;
    let (v, unit) = units::parse(&c["v"])?;
    let below_is_healthy = matches!(
        c["op"].to_ascii_lowercase().as_str(),
        "<" | "<=" | "below" | "under" | "less than" | "at most"
    );
    let direction = if below_is_healthy {
        Direction::Above
    } else {
        Direction::Below
    };
    Some((
        c["subject"].trim().to_string(),
        (
            Thresholds {
                warn: Some(v),
                crit: None,
                direction,
            },
            unit,
        ),
    ))
}

/// A `Symptoms:`/`Alert when` line's comparison: warn at the value stated.
fn parse_comparison(text: &str) -> Option<(String, Stated)> {
    let c = COMPARISON.captures(text)?;
    let (v, unit) = units::parse(&c["v"])?;
    let above = !matches!(
        c["op"].to_ascii_lowercase().as_str(),
        "<" | "<=" | "≤" | "below" | "under" | "less than"
    );
    let subject = c["subject"]
        .trim()
        .trim_start_matches(|ch: char| !ch.is_ascii_alphanumeric())
        .to_string();
    let subject = subject
        .rsplit_once(':')
        .map_or(subject.clone(), |(_, s)| s.trim().to_string());
    Some((
        subject,
        (
            Thresholds {
                warn: Some(v),
                crit: None,
                direction: if above {
                    Direction::Above
                } else {
                    Direction::Below
                },
            },
            unit,
        ),
    ))
}

/// The label of a paragraph that states alert conditions (`**Symptoms**:`, `Alert when`).
fn states_symptoms(text: &str) -> bool {
    let l = text
        .trim_start()
        .trim_start_matches(['*', '_'])
        .to_ascii_lowercase();
    [
        "symptom",
        "alert when",
        "alert if",
        "alarm when",
        "threshold",
        "page when",
        "warning sign",
    ]
    .iter()
    .any(|k| l.starts_with(k))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A table cell: its number, its unit, and whether it is a `<` (below) threshold.
fn number(cell: &str) -> Option<(f64, Option<Unit>, bool)> {
    let t = cell.trim();
    let below = t.starts_with('<');
    units::parse(t).map(|(v, u)| (v, u, below))
}

/// Targets named by one step's commands (what a destructive confirmation asks to type).
pub fn of_step(step: &crate::runbook::Step, procedure_id: &str) -> Targets {
    let mut t = Targets::default();
    add_step(&mut t, step, procedure_id);
    dedupe(&mut t);
    t
}

fn add_step(t: &mut Targets, step: &crate::runbook::Step, procedure_id: &str) {
    for c in &step.commands {
        let before = t.metrics.len();
        for words in simple_commands(&c.text) {
            command(t, &words, c.line, procedure_id);
        }
        // `# CPU Utilization (should be < 70%)` above a metrics command.
        if let Some((_, stated)) = c.title.as_deref().and_then(parse_should) {
            for m in &mut t.metrics[before..] {
                let _ = attach(m, stated, c.title.clone().unwrap_or_default());
            }
        }
    }
}

pub fn extract(parsed: &Parsed) -> Targets {
    let mut t = Targets::default();
    for p in &parsed.runbook.procedures {
        for s in p.steps.iter().filter(|s| s.runnable) {
            add_step(&mut t, s, &p.id);
        }
    }
    dedupe(&mut t);
    // Thresholds in prose and tables, matched to metrics by name.
    let mut stated: Vec<(String, Stated, usize)> = Vec::new();
    // `Symptoms: X > N` lines, which also apply to the metric of the steps that follow.
    let mut symptoms: Vec<(String, Stated, usize)> = Vec::new();
    // A `**Symptoms:**` label opens a zone: the list under it states conditions too, up
    // to the next label (`**Diagnosis:**`) or heading.
    let mut zone: Option<usize> = None;
    for (line, text) in &parsed.paragraphs {
        let heading_between = |from: usize| {
            parsed
                .runbook
                .procedures
                .iter()
                .any(|p| p.line > from && p.line <= *line)
        };
        if zone.is_some_and(heading_between) || (text.ends_with(':') && text.len() < 60) {
            zone = None;
        }
        if states_symptoms(text) {
            zone = Some(*line);
        }
        if let Some(s) = parse_should(text) {
            stated.push((s.0, s.1, *line));
        } else if zone.is_some() {
            for part in text.split([';', '\n']) {
                if let Some(s) = parse_comparison(part) {
                    symptoms.push((s.0, s.1, *line));
                }
            }
        }
    }
    for (line, rows) in &parsed.tables {
        let Some(header) = rows.first() else { continue };
        let col = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.iter().any(|n| h.to_ascii_lowercase().contains(n)))
        };
        let (Some(mcol), warn_col, crit_col) = (
            col(&["metric", "signal", "indicator"]),
            col(&["warn"]),
            col(&["crit"]),
        ) else {
            continue;
        };
        if warn_col.is_none() && crit_col.is_none() {
            continue;
        }
        for (i, row) in rows.iter().enumerate().skip(1) {
            let Some(subject) = row.get(mcol) else {
                continue;
            };
            let w = warn_col.and_then(|c| row.get(c)).and_then(|v| number(v));
            let cr = crit_col.and_then(|c| row.get(c)).and_then(|v| number(v));
            if w.is_none() && cr.is_none() {
                continue;
            }
            let below = w.or(cr).is_some_and(|(_, _, b)| b);
            // Both cells in one unit: the crit value follows the warn's unit.
            let unit = w.and_then(|x| x.1).or(cr.and_then(|x| x.1));
            let in_unit = |x: Option<(f64, Option<Unit>, bool)>| {
                x.and_then(|(v, u, _)| match (u, unit) {
                    (Some(u), Some(to)) => units::convert(v, u, to),
                    _ => Some(v),
                })
            };
            let th = Thresholds {
                warn: in_unit(w),
                crit: in_unit(cr),
                direction: if below {
                    Direction::Below
                } else {
                    Direction::Above
                },
            };
            stated.push((subject.trim().to_string(), (th, unit), line + i + 1));
        }
    }
    let matches = |t: &Targets, subject: &str| -> Vec<usize> {
        let key = norm(subject);
        t.metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                let metric = norm(&m.metric);
                !key.is_empty()
                    && (metric == key
                        || (key.len() >= 4 && (metric.contains(&key) || key.contains(&metric))))
            })
            .map(|(i, _)| i)
            .collect()
    };
    for (subject, st, line) in symptoms {
        // The metric named, else the one metric of the first step after the line in the
        // same procedure.
        let mut targets = matches(&t, &subject);
        if targets.is_empty()
            && let Some(proc_) = parsed
                .runbook
                .procedures
                .iter()
                .rev()
                .find(|p| p.line <= line)
        {
            let after: Vec<usize> = t
                .metrics
                .iter()
                .enumerate()
                .filter(|(_, m)| m.procedure == proc_.id && m.line > line)
                .map(|(i, _)| i)
                .collect();
            if let Some(first) = after.iter().map(|i| t.metrics[*i].line).min() {
                targets = after
                    .into_iter()
                    .filter(|i| t.metrics[*i].line == first)
                    .collect();
            }
        }
        place(&mut t, &targets, subject, st, line);
    }
    for (subject, st, line) in stated {
        let targets = matches(&t, &subject);
        place(&mut t, &targets, subject, st, line);
    }
    t
}

/// Attaches a stated threshold to the metrics found for it, in each metric's unit; what
/// fits no metric (or no unit) is kept as unmatched, never dropped.
fn place(t: &mut Targets, targets: &[usize], subject: String, st: Stated, line: usize) {
    let mut placed = false;
    for i in targets {
        if t.metrics[*i].thresholds.is_none() {
            placed |= attach(&mut t.metrics[*i], st, format!("line {line}: {subject}"));
        } else {
            placed = true;
        }
    }
    if !placed {
        t.unmatched_thresholds.push(LooseThreshold {
            subject,
            thresholds: st.0,
            unit: st.1.map(|u| u.name().to_string()),
            line,
        });
    }
}

/// Sets `m`'s thresholds from a stated one, converted to the metric's unit. `false` when
/// the units cannot be reconciled (seconds stated for a percentage).
fn attach(m: &mut MetricTarget, (th, unit): Stated, source: String) -> bool {
    let metric_unit = units::of_metric(&m.namespace, &m.metric);
    let (th, unit_name) = match (unit, metric_unit) {
        (Some(from), Some(to)) => {
            let conv = |v: Option<f64>| v.map(|v| units::convert(v, from, to));
            match (conv(th.warn), conv(th.crit)) {
                (Some(None), _) | (_, Some(None)) => return false,
                (w, c) => (
                    Thresholds {
                        warn: w.flatten(),
                        crit: c.flatten(),
                        direction: th.direction,
                    },
                    Some(to.name().to_string()),
                ),
            }
        }
        (None, Some(to)) => (th, Some(to.name().to_string())),
        (Some(from), None) => (th, Some(from.name().to_string())),
        (None, None) => (th, None),
    };
    m.thresholds = Some(th);
    m.threshold_source = Some(source);
    m.threshold_unit = unit_name;
    true
}

fn found(name: &str, line: usize, procedure: &str) -> Found {
    Found {
        name: name.to_string(),
        template: is_template(name),
        line,
        procedure: procedure.to_string(),
    }
}

/// One `aws …` command being read: its arguments after `aws`, positional words, where it is.
struct Cmd<'a> {
    args: &'a [String],
    positional: Vec<&'a String>,
    line: usize,
    procedure: &'a str,
}

impl Cmd<'_> {
    fn found(&self, name: &str) -> Found {
        found(name, self.line, self.procedure)
    }

    fn first(&self, flag: &str) -> Option<&str> {
        first(self.args, flag)
    }

    fn values(&self, flag: &str) -> Vec<&str> {
        values(self.args, flag)
    }

    fn verb(&self) -> &str {
        self.positional.get(1).map_or("", |v| v.as_str())
    }
}

/// Which list a resource named by a flag goes to.
#[derive(Clone, Copy)]
enum List {
    EcsClusters,
    Functions,
    LogGroups,
}

/// Resources a command names with one flag: (service, flag, list). Any verb. The other
/// kinds' flags are their own ([`ResourceKind::named`]).
const NAMED_BY_FLAG: &[(&str, &str, List)] = &[
    ("ecs", "--cluster", List::EcsClusters),
    ("lambda", "--function-name", List::Functions),
    ("logs", "--log-group-name", List::LogGroups),
    ("logs", "--log-group-names", List::LogGroups),
    ("logs", "--log-group-identifier", List::LogGroups),
    ("logs", "--log-group-identifiers", List::LogGroups),
];

type Reader = fn(&mut Targets, &Cmd);

/// Commands that name more than one flag can: (service, verb or `*`, reader).
const READERS: &[(&str, &str, Reader)] = &[
    ("ecs", "*", ecs_services),
    ("application-autoscaling", "*", scalable_target),
    ("lambda", "*", lambda_alias),
    ("logs", "tail", logs_tail),
    ("cloudwatch", "get-metric-statistics", metric_statistics),
    ("cloudwatch", "put-metric-data", metric_statistics),
    ("cloudwatch", "get-metric-data", metric_data_queries),
    ("cloudwatch", "*", alarms),
];

/// Path segments that make a URL a health check.
const HEALTH_PATHS: &[&str] = &[
    "health", "healthz", "ready", "readyz", "status", "ping", "live", "livez",
];

/// What one command names: AWS resources by the tables above, health URLs for HTTP clients.
fn command(t: &mut Targets, words: &[String], line: usize, procedure: &str) {
    let Some(start) = words.iter().position(|w| {
        w == "aws" || w.ends_with("/aws") || w == "curl" || w == "wget" || w == "http"
    }) else {
        return;
    };
    let w = &words[start..];
    if w[0] != "aws" && !w[0].ends_with("/aws") {
        health_urls(t, &w[1..], line, procedure);
        return;
    }
    let cmd = Cmd {
        args: &w[1..],
        positional: w[1..].iter().filter(|a| !a.starts_with('-')).collect(),
        line,
        procedure,
    };
    let (Some(service), Some(_)) = (cmd.positional.first(), cmd.positional.get(1)) else {
        return;
    };
    for (svc, flag, list) in NAMED_BY_FLAG {
        if service.as_str() != *svc {
            continue;
        }
        for v in cmd
            .values(flag)
            .into_iter()
            .take(if *svc == "logs" { usize::MAX } else { 1 })
        {
            let f = cmd.found(v);
            match list {
                List::EcsClusters => t.ecs_clusters.push(f),
                List::Functions => t.lambda_functions.push(f),
                List::LogGroups => t.log_groups.push(f),
            }
        }
    }
    for &kind in ResourceKind::ALL {
        let Some(named) = kind.named() else { continue };
        for (svc, flag) in named.flags {
            if service.as_str() == *svc
                && let Some(v) = cmd.values(flag).into_iter().next()
            {
                let f = cmd.found(v);
                t.by_kind.0.entry(kind).or_default().push(f);
            }
        }
    }
    let verb = cmd.verb();
    // The first reader for the service whose verb matches (a `*` reader comes last).
    if let Some((_, _, read)) = READERS
        .iter()
        .find(|(svc, v, _)| service.as_str() == *svc && (*v == "*" || *v == verb))
    {
        read(t, &cmd);
    }
}

fn health_urls(t: &mut Targets, args: &[String], line: usize, procedure: &str) {
    for u in args
        .iter()
        .filter(|a| a.starts_with("http://") || a.starts_with("https://"))
    {
        let path = u
            .split_once("://")
            .map(|x| x.1)
            .and_then(|r| r.split_once('/'))
            .map(|x| x.1)
            .unwrap_or("");
        let path = path.split('?').next().unwrap_or("");
        if HEALTH_PATHS
            .iter()
            .any(|h| path.split('/').any(|seg| seg == *h))
        {
            t.health_urls.push(found(u, line, procedure));
        }
    }
}

/// `--cluster C --service(s) S…`.
fn ecs_services(t: &mut Targets, c: &Cmd) {
    let cluster = c.first("--cluster");
    for flag in ["--service", "--services"] {
        for s in c.values(flag) {
            t.ecs_services.push(EcsService {
                cluster: cluster.map(str::to_string),
                name: s.to_string(),
                template: is_template(s) || cluster.is_some_and(is_template),
                line: c.line,
                procedure: c.procedure.to_string(),
            });
        }
    }
}

/// Application Auto Scaling's `--resource-id service/CLUSTER/SERVICE`.
fn scalable_target(t: &mut Targets, c: &Cmd) {
    if let Some(r) = c
        .first("--resource-id")
        .and_then(|r| r.strip_prefix("service/"))
        && let Some((cl, s)) = r.split_once('/')
    {
        t.ecs_clusters.push(c.found(cl));
        t.ecs_services.push(EcsService {
            cluster: Some(cl.into()),
            name: s.into(),
            template: is_template(r),
            line: c.line,
            procedure: c.procedure.into(),
        });
    }
}

/// `lambda …-alias --function-name F --name A`.
fn lambda_alias(t: &mut Targets, c: &Cmd) {
    if c.verb().ends_with("-alias")
        && let (Some(f), Some(a)) = (c.first("--function-name"), c.first("--name"))
    {
        t.lambda_aliases.push(LambdaAlias {
            function: f.into(),
            name: a.into(),
            template: is_template(a) || is_template(f),
            line: c.line,
            procedure: c.procedure.into(),
        });
    }
}

/// `logs tail GROUP`.
fn logs_tail(t: &mut Targets, c: &Cmd) {
    if let Some(g) = c.positional.get(2) {
        t.log_groups.push(c.found(g));
    }
}

/// `get-metric-statistics`/`put-metric-data --namespace N --metric-name M --dimensions …`.
fn metric_statistics(t: &mut Targets, c: &Cmd) {
    let (Some(ns), Some(m)) = (c.first("--namespace"), c.first("--metric-name")) else {
        return;
    };
    let mut dims = BTreeMap::new();
    for d in c.values("--dimensions") {
        let (mut name, mut value) = (None, None);
        for part in d.split(',') {
            match part.split_once('=') {
                Some(("Name", n)) => name = Some(n.to_string()),
                Some(("Value", v)) => value = Some(v.to_string()),
                Some((k, v)) => {
                    dims.insert(k.to_string(), v.to_string());
                }
                None => {}
            }
        }
        if let (Some(n), Some(v)) = (name, value) {
            dims.insert(n, v);
        }
    }
    let mut stats: Vec<String> = c
        .values("--statistics")
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::to_string)
        .collect();
    stats.extend(
        c.values("--extended-statistics")
            .iter()
            .map(|s| s.to_string()),
    );
    let template = is_template(ns) || is_template(m) || dims.values().any(|v| is_template(v));
    t.metrics.push(MetricTarget {
        namespace: ns.into(),
        metric: m.into(),
        dimensions: dims,
        statistics: stats,
        period: c.first("--period").and_then(|p| p.parse().ok()),
        thresholds: None,
        threshold_source: None,
        threshold_unit: None,
        template,
        line: c.line,
        procedure: c.procedure.into(),
    });
}

/// `get-metric-data --metric-data-queries '[{"MetricStat": …}]'`.
fn metric_data_queries(t: &mut Targets, c: &Cmd) {
    let Some(q) = c.first("--metric-data-queries") else {
        return;
    };
    let Ok(serde_json::Value::Array(queries)) = serde_json::from_str::<serde_json::Value>(q) else {
        return;
    };
    for q in queries {
        let ms = &q["MetricStat"];
        let m = &ms["Metric"];
        let (Some(ns), Some(name)) = (m["Namespace"].as_str(), m["MetricName"].as_str()) else {
            continue;
        };
        let dims = m["Dimensions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| {
                        Some((
                            d["Name"].as_str()?.to_string(),
                            d["Value"].as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        t.metrics.push(MetricTarget {
            namespace: ns.into(),
            metric: name.into(),
            dimensions: dims,
            statistics: ms["Stat"]
                .as_str()
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
            period: ms["Period"].as_i64(),
            thresholds: None,
            threshold_source: None,
            threshold_unit: None,
            template: is_template(q.to_string().as_str()),
            line: c.line,
            procedure: c.procedure.into(),
        });
    }
}

/// Alarm names and prefixes of any other CloudWatch verb.
fn alarms(t: &mut Targets, c: &Cmd) {
    for flag in ["--alarm-names", "--alarm-name"] {
        for a in c.values(flag) {
            t.alarms.push(AlarmTarget {
                name: Some(a.into()),
                prefix: None,
                template: is_template(a),
                line: c.line,
                procedure: c.procedure.into(),
            });
        }
    }
    if let Some(p) = c.first("--alarm-name-prefix") {
        t.alarms.push(AlarmTarget {
            name: None,
            prefix: Some(p.into()),
            template: is_template(p),
            line: c.line,
            procedure: c.procedure.into(),
        });
    }
}

/// `xargs -I {}` stand-ins and empty values name nothing.
fn real(name: &str) -> bool {
    let n = name.trim();
    !n.is_empty() && n != "{}" && n != "%"
}

fn dedupe(t: &mut Targets) {
    t.ecs_clusters.retain(|f| real(&f.name));
    t.ecs_services.retain(|f| real(&f.name));
    t.lambda_functions.retain(|f| real(&f.name));
    t.log_groups.retain(|f| real(&f.name));
    for v in t.by_kind.0.values_mut() {
        v.retain(|f| real(&f.name));
    }
    fn by<T, K: Eq + std::hash::Hash>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
        let mut seen: std::collections::HashSet<K> = std::collections::HashSet::new();
        v.retain(|x| seen.insert(key(x)));
    }
    by(&mut t.ecs_clusters, |f| f.name.clone());
    by(&mut t.ecs_services, |s| (s.cluster.clone(), s.name.clone()));
    by(&mut t.lambda_functions, |f| f.name.clone());
    by(&mut t.lambda_aliases, |a| {
        (a.function.clone(), a.name.clone())
    });
    by(&mut t.log_groups, |f| f.name.clone());
    by(&mut t.alarms, |a| (a.name.clone(), a.prefix.clone()));
    by(&mut t.health_urls, |f| f.name.clone());
    for v in t.by_kind.0.values_mut() {
        by(v, |f| f.name.clone());
    }
    // Metrics: same identity, keep the first but merge statistics and a threshold.
    let mut out: Vec<MetricTarget> = Vec::new();
    for m in t.metrics.drain(..) {
        match out.iter_mut().find(|o| {
            o.namespace == m.namespace && o.metric == m.metric && o.dimensions == m.dimensions
        }) {
            Some(o) => {
                for s in m.statistics {
                    if !o.statistics.contains(&s) {
                        o.statistics.push(s);
                    }
                }
                if o.thresholds.is_none() {
                    o.thresholds = m.thresholds;
                    o.threshold_source = m.threshold_source;
                    o.threshold_unit = m.threshold_unit;
                }
            }
            None => out.push(m),
        }
    }
    t.metrics = out;
}

pub fn text(t: &Targets) -> String {
    // Long on purpose: one section per kind of target, in the order the output shows them.
    use std::fmt::Write;
    let mut o = String::new();
    let tpl = |b: bool| if b { " (template)" } else { "" };
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            let _ = writeln!(o, "{title}:");
            for r in rows {
                let _ = writeln!(o, "  {r}");
            }
        }
    };
    section(
        "ECS clusters",
        t.ecs_clusters
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    section(
        "ECS services",
        t.ecs_services
            .iter()
            .map(|s| {
                format!(
                    "{}/{}{}  line {}",
                    s.cluster.as_deref().unwrap_or("?"),
                    s.name,
                    tpl(s.template),
                    s.line
                )
            })
            .collect(),
    );
    section(
        "Lambda functions",
        t.lambda_functions
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    section(
        "Lambda aliases",
        t.lambda_aliases
            .iter()
            .map(|a| {
                format!(
                    "{}:{}{}  line {}",
                    a.function,
                    a.name,
                    tpl(a.template),
                    a.line
                )
            })
            .collect(),
    );
    section(
        "Log groups",
        t.log_groups
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    section(
        "Metrics",
        t.metrics
            .iter()
            .map(|m| {
                let dims = m
                    .dimensions
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                let th = m
                    .thresholds
                    .map(|th| format!("  {}", thresholds_text(&th, m.threshold_unit.as_deref())))
                    .unwrap_or_default();
                format!(
                    "{}/{} [{}] {} period {}{th}{}  line {}",
                    m.namespace,
                    m.metric,
                    dims,
                    m.statistics.join(","),
                    m.period.map_or("-".into(), |p| p.to_string()),
                    tpl(m.template),
                    m.line
                )
            })
            .collect(),
    );
    section(
        "Alarms",
        t.alarms
            .iter()
            .map(|a| match (&a.name, &a.prefix) {
                (Some(n), _) => format!("{n}{}  line {}", tpl(a.template), a.line),
                (None, Some(p)) => format!("prefix {p}*{}  line {}", tpl(a.template), a.line),
                _ => String::new(),
            })
            .collect(),
    );
    section(
        "Health URLs",
        t.health_urls
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    for &kind in ResourceKind::ALL {
        if let Some(n) = kind.named() {
            section(
                n.title,
                t.named(kind)
                    .iter()
                    .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
                    .collect(),
            );
        }
    }
    section(
        "Thresholds not matched to a metric",
        t.unmatched_thresholds
            .iter()
            .map(|u| {
                format!(
                    "{}: {}  line {}",
                    u.subject,
                    thresholds_text(&u.thresholds, u.unit.as_deref()),
                    u.line
                )
            })
            .collect(),
    );
    o
}

/// `warn 10000 crit 15000 Milliseconds (higher is worse)`: the levels stated, and which side is unhealthy.
fn thresholds_text(th: &Thresholds, unit: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(w) = th.warn {
        parts.push(format!("warn {w}"));
    }
    if let Some(c) = th.crit {
        parts.push(format!("crit {c}"));
    }
    if let Some(u) = unit {
        parts.push(u.to_string());
    }
    parts.push(
        if th.direction == Direction::Above {
            "(higher is worse)"
        } else {
            "(lower is worse)"
        }
        .to_string(),
    );
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::parse::parse_full;

    #[test]
    fn the_other_kinds_are_selected_by_their_flags() {
        let src = "# R\n## Check\n```bash\naws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/73e2\naws stepfunctions list-executions --state-machine-arn arn:aws:states:eu-west-1:1:stateMachine:settle --status-filter FAILED\naws elasticache describe-replication-groups --replication-group-id sessions\naws elasticache describe-cache-clusters --cache-cluster-id sessions-002\naws rds failover-db-cluster --db-cluster-identifier ledger\naws sqs get-queue-attributes --queue-url https://sqs.eu-west-1.amazonaws.com/1/orders --attribute-names All\naws cloudwatch get-metric-statistics --namespace AWS/ApiGateway --metric-name 5XXError --dimensions Name=ApiName,Value=orders-api Name=Stage,Value=prod --statistics Sum --period 60\naws elasticache describe-replication-groups --replication-group-id <group>\n```\n";
        let t = extract(&parse_full(src));
        let names = |v: &[Found]| v.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(t.named(ResourceKind::Elb)),
            ["arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/73e2"]
        );
        assert_eq!(
            names(t.named(ResourceKind::Sfn)),
            ["arn:aws:states:eu-west-1:1:stateMachine:settle"]
        );
        assert_eq!(
            names(t.named(ResourceKind::Elasticache)),
            ["sessions", "sessions-002", "<group>"]
        );
        assert!(t.named(ResourceKind::Elasticache)[2].template);
        assert_eq!(names(t.named(ResourceKind::Rds)), ["ledger"]);
        assert_eq!(
            names(t.named(ResourceKind::Sqs)),
            ["https://sqs.eu-west-1.amazonaws.com/1/orders"]
        );
    }

    #[test]
    fn aws_targets_and_thresholds() {
        let src = "# R\n## Check\n```bash\n# CPU Utilization (should be < 70%)\naws cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization --dimensions Name=ClusterName,Value=prod Name=ServiceName,Value=api --statistics Average Maximum --period 300\naws ecs describe-services --cluster ${P}-cluster --services ${P}-api web\naws lambda update-alias --function-name loader --name live --function-version 3\naws logs tail /aws/lambda/loader --follow\naws logs filter-log-events --log-group-name <group>\naws cloudwatch describe-alarms --alarm-name-prefix prod-api\naws cloudwatch set-alarm-state --alarm-name prod-db-high --state-value OK --state-reason test\ncurl -f https://api.example.com/health\ncurl https://api.example.com/v1/orders\naws rds describe-db-instances --db-instance-identifier prod-db\naws dynamodb describe-table --table-name orders\n```\n\n| Metric | Warning | Critical |\n|---|---|---|\n| Memory Utilization | 75% | 90% |\n| Queue depth | 1000 | 5000 |\n";
        let t = extract(&parse_full(src));
        let m = &t.metrics[0];
        assert_eq!(
            (m.namespace.as_str(), m.metric.as_str()),
            ("AWS/ECS", "CPUUtilization")
        );
        assert_eq!(
            m.dimensions.get("ServiceName").map(String::as_str),
            Some("api")
        );
        assert_eq!(m.statistics, ["Average", "Maximum"]);
        assert_eq!(m.period, Some(300));
        assert_eq!(
            m.thresholds,
            Some(Thresholds {
                warn: Some(70.0),
                crit: None,
                direction: Direction::Above
            })
        );
        assert_eq!(t.ecs_clusters[0].name, "${P}-cluster");
        assert!(t.ecs_clusters[0].template);
        let svcs: Vec<_> = t
            .ecs_services
            .iter()
            .map(|s| (s.name.as_str(), s.template))
            .collect();
        assert_eq!(svcs, [("${P}-api", true), ("web", true)]);
        assert_eq!(t.lambda_functions[0].name, "loader");
        assert_eq!(
            (
                t.lambda_aliases[0].function.as_str(),
                t.lambda_aliases[0].name.as_str()
            ),
            ("loader", "live")
        );
        let groups: Vec<_> = t
            .log_groups
            .iter()
            .map(|g| (g.name.as_str(), g.template))
            .collect();
        assert_eq!(groups, [("/aws/lambda/loader", false), ("<group>", true)]);
        assert_eq!(t.alarms[0].prefix.as_deref(), Some("prod-api"));
        assert_eq!(t.alarms[1].name.as_deref(), Some("prod-db-high"));
        assert_eq!(t.health_urls.len(), 1);
        assert_eq!(t.health_urls[0].name, "https://api.example.com/health");
        assert_eq!(t.named(ResourceKind::Rds)[0].name, "prod-db");
        assert_eq!(t.named(ResourceKind::Dynamodb)[0].name, "orders");
        // Table rows naming no extracted metric are reported, not lost.
        let subjects: Vec<_> = t
            .unmatched_thresholds
            .iter()
            .map(|u| u.subject.as_str())
            .collect();
        assert_eq!(subjects, ["Memory Utilization", "Queue depth"]);
        assert_eq!(t.unmatched_thresholds[0].thresholds.crit, Some(90.0));
    }

    #[test]
    fn table_thresholds_attach_to_matching_metrics() {
        let src = "# R\n## M\n```bash\naws cloudwatch get-metric-statistics --namespace AWS/RDS --metric-name DatabaseConnections --statistics Maximum\n```\n\n| Metric | Warning | Critical |\n|---|---|---|\n| Database Connections | 160 | 190 |\n| Free storage | < 20 | < 10 |\n";
        let t = extract(&parse_full(src));
        assert_eq!(
            t.metrics[0].thresholds,
            Some(Thresholds {
                warn: Some(160.0),
                crit: Some(190.0),
                direction: Direction::Above
            })
        );
        assert_eq!(
            t.unmatched_thresholds[0].thresholds.direction,
            Direction::Below
        );
    }

    #[test]
    fn stated_units_convert_to_the_metric_unit() {
        let src = "# R\n## Slow\n**Symptoms**: CPU utilization > 90%\n\n**Diagnosis:**\n- Error count > 3\n\n```bash\naws cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization --statistics Maximum\naws cloudwatch get-metric-statistics --namespace AWS/SQS --metric-name ApproximateNumberOfMessagesVisible --statistics Maximum\naws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Duration --dimensions Name=FunctionName,Value=loader --statistics p99\naws cloudwatch get-metric-statistics --namespace AWS/ApiGateway --metric-name Latency --statistics Average\n```\n\nAPI latency should be below 1s.\n\n| Metric | Warning | Critical |\n|---|---|---|\n| Lambda Duration | > 10s | > 15s |\n| Queue age | > 5 min | > 10 min |\n";
        let t = extract(&parse_full(src));
        let by = |name: &str| t.metrics.iter().find(|m| m.metric == name).unwrap();
        let cpu = by("CPUUtilization");
        assert_eq!(cpu.thresholds.unwrap().warn, Some(90.0));
        assert_eq!(cpu.threshold_unit.as_deref(), Some("Percent"));
        let d = by("Duration");
        assert_eq!(
            (d.thresholds.unwrap().warn, d.thresholds.unwrap().crit),
            (Some(10_000.0), Some(15_000.0))
        );
        assert_eq!(d.threshold_unit.as_deref(), Some("Milliseconds"));
        let l = by("Latency");
        assert_eq!(l.thresholds.unwrap().warn, Some(1000.0));
        assert_eq!(l.thresholds.unwrap().direction, Direction::Above);
        // No metric for it: kept with its unit, in the unit it was written in.
        // Outside a symptoms zone, a comparison is prose, not a threshold.
        assert_eq!(by("ApproximateNumberOfMessagesVisible").thresholds, None);
        let q = &t.unmatched_thresholds[0];
        assert_eq!(
            (q.subject.as_str(), q.thresholds.warn),
            ("Queue age", Some(5.0))
        );
        assert_eq!(q.unit.as_deref(), Some("Minutes"));
        let text = text(&t);
        assert!(
            text.contains("warn 10000 crit 15000 Milliseconds (higher is worse)"),
            "{text}"
        );
        assert!(
            text.contains("Queue age: warn 5 crit 10 Minutes (higher is worse)"),
            "{text}"
        );
        assert!(!text.contains("Some("), "{text}");
    }

    #[test]
    fn a_symptoms_list_applies_to_the_next_metric() {
        let src = "# R\n## High queue\n**Symptoms:**\n- Alarm `q-depth` firing\n- Queue depth above 500 messages\n\n**Check:**\n```bash\naws cloudwatch get-metric-statistics --namespace AWS/SQS --metric-name ApproximateNumberOfMessagesVisible --statistics Maximum\n```\n## Other\n```bash\naws cloudwatch get-metric-statistics --namespace AWS/SQS --metric-name NumberOfMessagesSent --statistics Sum\n```\n";
        let t = extract(&parse_full(src));
        assert_eq!(t.metrics[0].thresholds.unwrap().warn, Some(500.0));
        assert_eq!(t.metrics[1].thresholds, None);
    }

    #[test]
    fn seconds_never_become_a_percentage() {
        let src = "# R\n## C\n```bash\naws cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization --statistics Maximum\n```\n\nCPU utilization should be below 5s.\n";
        let t = extract(&parse_full(src));
        assert_eq!(t.metrics[0].thresholds, None);
        assert_eq!(t.unmatched_thresholds.len(), 1);
    }
}

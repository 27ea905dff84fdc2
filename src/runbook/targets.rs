//! Resources a runbook names: ECS clusters and services, Lambda functions and aliases, log
//! groups, CloudWatch metrics (with dimensions, statistics, period), alarms, health URLs,
//! RDS instances and DynamoDB tables; and thresholds stated in comments, prose or tables,
//! attached to the metric they name. Names built from placeholders (`${PROJECT_NAME}-cluster`)
//! are kept as templates.

use super::parse::Parsed;
use super::placeholders::PLACEHOLDER_RE;
use super::shell::tokenize;
use crate::model::{Direction, Thresholds};
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
    pub rds_instances: Vec<Found>,
    pub dynamodb_tables: Vec<Found>,
    pub unmatched_thresholds: Vec<LooseThreshold>,
}

fn is_template(s: &str) -> bool {
    s.contains('$') || PLACEHOLDER_RE.is_match(s)
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
    static MASK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{\{([A-Za-z][A-Za-z0-9_.-]*)\}\}").expect("constant regex"));
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
    Regex::new(r"(?i)(?P<subject>[A-Za-z][A-Za-z0-9 ./_-]{1,60}?)\s*[(:,-]?\s*(?:should|must|needs? to)\s+(?:be|stay|remain)\s+(?P<op><=?|>=?|below|above|under|over|less than|greater than|at most|at least)\s*(?P<v>[0-9]+(?:\.[0-9]+)?)")
        .expect("constant regex")
});

fn parse_should(text: &str) -> Option<(String, Thresholds)> {
    let c = SHOULD_BE.captures(text)?;
    let v: f64 = c["v"].parse().ok()?;
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
        Thresholds {
            warn: Some(v),
            crit: None,
            direction,
        },
    ))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn number(cell: &str) -> Option<(f64, bool)> {
    let t = cell.trim();
    let below = t.starts_with('<');
    let digits: String = t
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok().map(|v| (v, below))
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
        if let Some((_, th)) = c.title.as_deref().and_then(parse_should) {
            for m in &mut t.metrics[before..] {
                m.thresholds = Some(th);
                m.threshold_source = c.title.clone();
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
    let mut stated: Vec<(String, Thresholds, usize)> = Vec::new();
    for (line, text) in &parsed.paragraphs {
        if let Some((subject, th)) = parse_should(text) {
            stated.push((subject, th, *line));
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
            let below = w.or(cr).is_some_and(|(_, b)| b);
            let th = Thresholds {
                warn: w.map(|x| x.0),
                crit: cr.map(|x| x.0),
                direction: if below {
                    Direction::Below
                } else {
                    Direction::Above
                },
            };
            stated.push((subject.trim().to_string(), th, line + i + 1));
        }
    }
    for (subject, th, line) in stated {
        let key = norm(&subject);
        let matched: Vec<usize> = t
            .metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                let metric = norm(&m.metric);
                !key.is_empty()
                    && (metric == key
                        || (key.len() >= 4 && (metric.contains(&key) || key.contains(&metric))))
            })
            .map(|(i, _)| i)
            .collect();
        if matched.is_empty() {
            t.unmatched_thresholds.push(LooseThreshold {
                subject: subject.clone(),
                thresholds: th,
                line,
            });
        }
        for i in matched {
            if t.metrics[i].thresholds.is_none() {
                t.metrics[i].thresholds = Some(th);
                t.metrics[i].threshold_source = Some(format!("line {line}: {subject}"));
            }
        }
    }
    t
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
    RdsInstances,
    Tables,
}

/// Resources a command names with one flag: (service, flag, list). Any verb.
const NAMED_BY_FLAG: &[(&str, &str, List)] = &[
    ("ecs", "--cluster", List::EcsClusters),
    ("lambda", "--function-name", List::Functions),
    ("logs", "--log-group-name", List::LogGroups),
    ("logs", "--log-group-names", List::LogGroups),
    ("logs", "--log-group-identifier", List::LogGroups),
    ("logs", "--log-group-identifiers", List::LogGroups),
    ("rds", "--db-instance-identifier", List::RdsInstances),
    ("dynamodb", "--table-name", List::Tables),
    ("dynamodb", "--target-table-name", List::Tables),
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
                List::RdsInstances => t.rds_instances.push(f),
                List::Tables => t.dynamodb_tables.push(f),
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
    t.rds_instances.retain(|f| real(&f.name));
    t.dynamodb_tables.retain(|f| real(&f.name));
    fn by<T, K: PartialEq>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
        let mut seen: Vec<K> = Vec::new();
        v.retain(|x| {
            let k = key(x);
            if seen.contains(&k) {
                false
            } else {
                seen.push(k);
                true
            }
        });
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
    by(&mut t.rds_instances, |f| f.name.clone());
    by(&mut t.dynamodb_tables, |f| f.name.clone());
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
                    .map(|th| {
                        let dir = if th.direction == Direction::Above {
                            ">="
                        } else {
                            "<="
                        };
                        format!(
                            "  warn {dir} {}{}",
                            th.warn.map_or("-".into(), |v| v.to_string()),
                            th.crit
                                .map(|c| format!(" crit {dir} {c}"))
                                .unwrap_or_default()
                        )
                    })
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
    section(
        "RDS instances",
        t.rds_instances
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    section(
        "DynamoDB tables",
        t.dynamodb_tables
            .iter()
            .map(|f| format!("{}{}  line {}", f.name, tpl(f.template), f.line))
            .collect(),
    );
    section(
        "Thresholds not matched to a metric",
        t.unmatched_thresholds
            .iter()
            .map(|u| {
                format!(
                    "{}: warn {:?}  line {}",
                    u.subject, u.thresholds.warn, u.line
                )
            })
            .collect(),
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::parse::parse_full;

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
        assert_eq!(t.rds_instances[0].name, "prod-db");
        assert_eq!(t.dynamodb_tables[0].name, "orders");
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
}

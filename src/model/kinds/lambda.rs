//! Lambda functions: what takes traffic (an alias and its version, or `$LATEST`), memory,
//! reserved concurrency; point an alias elsewhere, reserve concurrency, set memory.

use super::{Act, Builtin, Detail, Mutation, Rules, SysEvent};
use crate::model::{Resource, Risk};
use serde::{Deserialize, Serialize};

/// A Lambda alias and the version it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub version: String,
}

impl Alias {
    /// `live→v12`, as the services pane shows it.
    pub fn label(&self) -> String {
        format!("{}→v{}", self.name, self.version)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LambdaDetail {
    /// What takes traffic, as shown: `live→v12` or `$LATEST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The alias that takes traffic and the version it points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// Every alias, when there are several (the row shows the main one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Published versions, for choosing an alias target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<i64>,
    /// Seconds an invocation may run (its Duration metric is rated against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<i64>,
}
/// A Lambda function.
pub struct Lambda;

/// What the Lambda built-in actions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaMutation {
    SetAlias {
        function: String,
        alias: String,
        version: String,
    },
    /// `None` removes the reservation.
    SetReservedConcurrency {
        function: String,
        value: Option<i64>,
    },
    SetMemory {
        function: String,
        mb: i64,
    },
}

impl Act for LambdaMutation {
    fn describe(&self) -> String {
        match self {
            LambdaMutation::SetAlias {
                function,
                alias,
                version,
            } => format!(
                "Lambda UpdateAlias function={function} alias={alias} functionVersion={version}"
            ),
            LambdaMutation::SetReservedConcurrency {
                function,
                value: Some(v),
            } => format!(
                "Lambda PutFunctionConcurrency function={function} reservedConcurrentExecutions={v}"
            ),
            LambdaMutation::SetReservedConcurrency {
                function,
                value: None,
            } => format!("Lambda DeleteFunctionConcurrency function={function}"),
            LambdaMutation::SetMemory { function, mb } => {
                format!("Lambda UpdateFunctionConfiguration function={function} memorySize={mb}")
            }
        }
    }

    fn target(&self) -> &str {
        match self {
            LambdaMutation::SetAlias { function, .. }
            | LambdaMutation::SetReservedConcurrency { function, .. }
            | LambdaMutation::SetMemory { function, .. } => function,
        }
    }

    fn risk(&self) -> Risk {
        match self {
            // No concurrency is the function switched off.
            LambdaMutation::SetReservedConcurrency { value: Some(0), .. } => Risk::Destructive,
            _ => Risk::Write,
        }
    }

    fn with_value(&self, v: &str, versions: &[String]) -> Result<(String, Self), String> {
        let v = v.trim().to_string();
        let number = |lo: i64, hi: i64| v.parse::<i64>().ok().filter(|n| (lo..=hi).contains(n));
        match self {
            LambdaMutation::SetAlias {
                function, alias, ..
            } => {
                if versions.contains(&v) {
                    Ok((
                        format!("Point {function}:{alias} at version {v}"),
                        LambdaMutation::SetAlias {
                            function: function.clone(),
                            alias: alias.clone(),
                            version: v.clone(),
                        },
                    ))
                } else {
                    Err(format!(
                        "`{v}` is not a published version (Tab cycles through them)"
                    ))
                }
            }
            LambdaMutation::SetReservedConcurrency { function, .. } => {
                if v.is_empty() {
                    return Ok((
                        format!("Remove the reservation of {function}"),
                        LambdaMutation::SetReservedConcurrency {
                            function: function.clone(),
                            value: None,
                        },
                    ));
                }
                match number(0, 1000) {
                    Some(n) => Ok((
                        format!("Reserve {n} concurrent executions for {function}"),
                        LambdaMutation::SetReservedConcurrency {
                            function: function.clone(),
                            value: Some(n),
                        },
                    )),
                    None => Err(format!(
                        "`{v}` is not a concurrency from 0 to 1000 (empty removes it)"
                    )),
                }
            }
            LambdaMutation::SetMemory { function, .. } => match number(128, 10240) {
                Some(n) => Ok((
                    format!("Set memory of {function} to {n} MB"),
                    LambdaMutation::SetMemory {
                        function: function.clone(),
                        mb: n,
                    },
                )),
                None => Err(format!("`{v}` is not a memory size from 128 to 10240 MB")),
            },
        }
    }
}

fn reserved(r: Option<i64>) -> String {
    r.map_or("unreserved".into(), |r| r.to_string())
}

impl Rules for Lambda {
    type Detail = LambdaDetail;
    type Mutation = LambdaMutation;
    const RATED: bool = false;

    fn counts(_r: &Resource, d: &LambdaDetail) -> String {
        d.version.clone().unwrap_or_default()
    }

    fn detail_line(r: &Resource, d: &LambdaDetail) -> String {
        let mut parts = vec![r.name.clone()];
        if let Some(m) = d.memory_mb {
            parts.push(format!("{m} MB"));
        }
        parts.push(match d.reserved_concurrency {
            Some(r) => format!("reserved concurrency {r}"),
            None => "unreserved concurrency".into(),
        });
        if !d.aliases.is_empty() {
            let all: Vec<String> = d.aliases.iter().map(|a| a.label()).collect();
            parts.push(format!("aliases {}", all.join(", ")));
        }
        parts.join(" · ")
    }

    fn version(d: &LambdaDetail) -> Option<&str> {
        d.version.as_deref()
    }

    fn builtins(r: &Resource, d: &LambdaDetail, _now_ms: i64) -> Vec<Builtin> {
        let function = r.name.clone();
        let m = |m: LambdaMutation| Mutation::Lambda(m);
        let mut out = Vec::new();
        if let Some(alias) = &d.alias {
            let current = &alias.version;
            out.push(
                Builtin::ask(
                    format!(
                        "Lambda › Point {function}:{} at another version (now {current})",
                        alias.name
                    ),
                    format!("Point {function}:{} at version (now {current})", alias.name),
                    "version",
                    String::new(),
                    m(LambdaMutation::SetAlias {
                        function: function.clone(),
                        alias: alias.name.clone(),
                        version: current.clone(),
                    }),
                )
                .suggesting(d.versions.clone()),
            );
        }
        out.push(Builtin::ask(
            format!(
                "Lambda › Set reserved concurrency of {function} (now {})",
                reserved(d.reserved_concurrency)
            ),
            format!("Reserved concurrency of {function} (empty: unreserved)"),
            "reserved",
            d.reserved_concurrency
                .map(|c| c.to_string())
                .unwrap_or_default(),
            m(LambdaMutation::SetReservedConcurrency {
                function: function.clone(),
                value: d.reserved_concurrency,
            }),
        ));
        let memory = d.memory_mb.unwrap_or(128);
        out.push(Builtin::ask(
            format!("Lambda › Set memory of {function} (now {memory} MB)"),
            format!("Memory of {function}"),
            "memory (MB)",
            memory.to_string(),
            m(LambdaMutation::SetMemory {
                function,
                mb: memory,
            }),
        ));
        out
    }

    fn events(_o: &Resource, a: &LambdaDetail, n: &Resource, b: &LambdaDetail) -> Vec<SysEvent> {
        let name = n.display_name();
        let mb = |d: &LambdaDetail| d.memory_mb.map(|m| format!("{m} MB"));
        let changes = [
            ("version", a.version.clone(), b.version.clone()),
            ("memory", mb(a), mb(b)),
            (
                "reserved concurrency",
                Some(reserved(a.reserved_concurrency)),
                Some(reserved(b.reserved_concurrency)),
            ),
        ];
        let mut out = Vec::new();
        for (what, x, y) in changes {
            if x != y {
                let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default());
                out.push(SysEvent::new(
                    &name,
                    x.clone(),
                    y.clone(),
                    format!("λ {name}: {what} {x} → {y}"),
                ));
            }
        }
        out
    }

    fn snapshot(d: &LambdaDetail, put: &mut dyn FnMut(&str, serde_json::Value)) {
        use serde_json::json;
        if d.aliases.len() > 1 {
            let all: Vec<String> = d.aliases.iter().map(|a| a.label()).collect();
            put("last_event", json!(format!("aliases: {}", all.join(", "))));
        }
        put("alias", serde_json::to_value(&d.alias).unwrap_or_default());
        if !d.versions.is_empty() {
            put("versions", json!(d.versions));
        }
        put("memory_mb", json!(d.memory_mb));
        put("reserved_concurrency", json!(d.reserved_concurrency));
    }
}

impl Resource {
    /// A row for function `name`, health unknown until described.
    pub fn lambda(name: impl Into<String>) -> Self {
        let name = name.into();
        Resource::new(name.clone(), name, Detail::Lambda(LambdaDetail::default()))
    }

    pub fn lambda_detail(&self) -> Option<&LambdaDetail> {
        match &self.detail {
            Detail::Lambda(d) => Some(d),
            _ => None,
        }
    }

    pub fn lambda_detail_mut(&mut self) -> Option<&mut LambdaDetail> {
        match &mut self.detail {
            Detail::Lambda(d) => Some(d),
            _ => None,
        }
    }
}

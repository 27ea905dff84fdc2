//! The one step pipeline: a runbook step, the operator's values, the AWS context and the
//! policy become a [`Prepared`] step — script, environment, secret values, confirmation
//! target, effective risk, timeout, interactive flag and the decision whether and how it
//! may run. The cockpit, `opsdeck run` (and every later caller) go through [`prepare`] and
//! nothing else, and [`super::launch`] runs the result; a safety rule lives here once.

use crate::redact::{MASK, Redactor};
use crate::runbook::{Procedure, Risk, Step, render, targets};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Default per-step timeout (10 minutes).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// What the operator allowed for this session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--read-only` / `read_only = true`: only `read` steps run.
    pub read_only: bool,
    /// `confirm_read = true`: read steps ask too.
    pub confirm_read: bool,
    /// `[aws] read_only_role`: in read-only mode, steps run with that role's credentials
    /// (the launcher swaps them in), so AWS refuses what the classifier misjudged.
    pub read_only_role: Option<String>,
    /// `opsdeck run --read-only --box-unrated` (hidden, for testing the box alone): in
    /// read-only mode every step runs in the box, whatever the classifier rates it. Only
    /// honoured with `read_only`, and only where the kernel layer holds (checked by the caller).
    pub box_unrated: bool,
}

/// How a prepared step may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// A read step: runs without asking.
    Run,
    /// Write or unknown (or read with `confirm_read`): yes/no, default no.
    Confirm,
    /// Destructive: the target's name must be typed (`--confirm NAME` headless).
    ConfirmTyped,
    /// Never runs: why, in a sentence.
    Refused(String),
}

/// A runbook step ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub runbook: String,
    pub procedure_id: String,
    pub procedure_title: String,
    pub step_id: String,
    pub title: String,
    /// The rendered script: placeholders are references to variables, never values.
    pub script: String,
    /// Placeholder values and the AWS context (the context wins: a runbook acts on the
    /// account on screen; placeholder names never collide with it, see `render::env_name`).
    pub env: BTreeMap<String, String>,
    /// Variables whose values are secret.
    pub secret_env: BTreeSet<String>,
    /// Secret values (typed or defaults): masked wherever text is shown or written.
    pub secrets: Vec<String>,
    /// What a destructive step acts on, for the typed confirmation.
    pub target: String,
    /// The step's risk: the classifier's, raised (never lowered) by a fence attribute.
    pub risk: Risk,
    /// `None`: runs until it ends or is cancelled (`--follow`, `watch`).
    pub timeout: Option<Duration>,
    /// Needs the real terminal (psql without a command, `-it`, ssh, editors).
    pub interactive: bool,
    pub expect: Option<String>,
    /// Placeholders without a value: the step cannot run.
    pub missing: Vec<String>,
    pub gate: Gate,
    /// Run with the read-only role's credentials instead of the operator's.
    pub read_only_role: Option<String>,
    /// Runs in the read-only box: in read-only mode (the session's or its context's), and
    /// whenever it runs unconfirmed.
    pub boxed: bool,
    /// A command that prints secrets by design: the step's output is hidden whole.
    pub hide_output: Option<String>,
    /// `{verify="…"}` rendered like the step (values as variables): run after the step
    /// until it exits 0. `Err` says why it will not run (not a read command).
    pub verify: Option<Result<String, String>>,
    /// `{expect="…"}`: the regex the output must match (a valid one; lint reports others).
    pub expect_match: Option<String>,
    /// The watched context it acts on (an index; 0 with one context).
    pub ctx: u16,
}

impl Prepared {
    /// The values that may be shown (a preview, a verification): every one but the secrets.
    pub fn shown_env(&self) -> BTreeMap<String, String> {
        self.env
            .iter()
            .filter(|(k, _)| !self.secret_env.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// The one place a step becomes something runnable.
pub fn prepare(
    runbook: &str,
    procedure: &Procedure,
    step: &Step,
    values: &BTreeMap<String, String>,
    aws_env: &BTreeMap<String, String>,
    policy: &Policy,
) -> Prepared {
    let script_src = step
        .commands
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let r = render::render(&script_src, &step.placeholders, values);
    let mut secret_env = BTreeSet::new();
    let mut secrets = Vec::new();
    for ph in step.placeholders.iter().filter(|p| p.secret) {
        secret_env.insert(render::env_name(ph));
        if let Some(v) = values.get(&ph.name).or(ph.default.as_ref()) {
            secrets.push(v.clone());
        }
    }
    let mut env = r.env;
    let verify = step.attributes.verify.as_deref().map(|v| {
        let risk = crate::runbook::risk::classify(v);
        if risk != Risk::Read {
            return Err(format!(
                "{{verify=…}} `{v}` is {risk}, not a read command: not run"
            ));
        }
        let rv = render::render(v, &step.placeholders, values);
        if !rv.missing.is_empty() {
            return Err(format!(
                "{{verify=…}} needs a value for: {}",
                rv.missing.join(", ")
            ));
        }
        env.extend(rv.env);
        Ok(rv.script)
    });
    env.extend(aws_env.iter().map(|(k, v)| (k.clone(), v.clone())));
    let not_a_number = arithmetic_value(step, values, &r.script, verify.as_ref());
    let risk = step.risk;
    let gate = if !step.runnable {
        Gate::Refused(format!(
            "`{}` is reference-only ({}): shown, never run",
            step.title,
            step.lang.as_deref().unwrap_or("no language")
        ))
    } else if let Some(why) = &step.alternatives {
        let parts: Vec<&str> = step.parts.iter().map(|p| p.number()).collect();
        Gate::Refused(format!(
            "step `{}` never runs as a whole ({why}); run the sub-step you mean: {}",
            step.title,
            parts.join(", ")
        ))
    } else if !r.missing.is_empty() {
        Gate::Refused(format!(
            "step `{}` needs a value for: {}",
            step.title,
            r.missing.join(", ")
        ))
    } else if let Some(why) = not_a_number {
        Gate::Refused(why)
    } else if policy.read_only && policy.box_unrated {
        Gate::Run
    } else if policy.read_only && risk != Risk::Read {
        Gate::Refused(format!(
            "read-only: step `{}` is {}; only read steps run (a command is read only when the classifier knows it reads)",
            step.title, risk
        ))
    } else if risk == Risk::Destructive {
        Gate::ConfirmTyped
    } else if risk == Risk::Read && !policy.confirm_read {
        Gate::Run
    } else {
        Gate::Confirm
    };
    let unconfirmed = gate == Gate::Run;
    Prepared {
        runbook: runbook.to_string(),
        procedure_id: procedure.id.clone(),
        procedure_title: procedure.title.clone(),
        step_id: step.id.clone(),
        title: step.title.clone(),
        script: r.script,
        env,
        secret_env,
        secrets,
        target: confirm_target(step, procedure, values),
        risk,
        timeout: step_timeout(step),
        interactive: is_interactive(step),
        expect: step.expect.clone(),
        missing: r.missing,
        gate,
        read_only_role: policy
            .read_only
            .then(|| policy.read_only_role.clone())
            .flatten(),
        // Read-only mode boxes every step; outside it, a step that runs without anyone
        // confirming it (a read) is boxed too: no confirmation is only safe when it truly
        // reads, and the classifier cannot promise that.
        boxed: policy.read_only || unconfirmed,
        hide_output: prints_secrets(&script_src),
        verify,
        expect_match: step
            .attributes
            .expect
            .as_deref()
            .filter(|e| regex::Regex::new(e).is_ok())
            .map(str::to_string),
        ctx: 0,
    }
}

/// A value bash would evaluate as arithmetic that is not a whole number (`a[$(cmd)]` runs
/// `cmd` there, quoted or not), in any mode: why the step is refused.
fn arithmetic_value(
    step: &Step,
    values: &BTreeMap<String, String>,
    script: &str,
    verify: Option<&Result<String, String>>,
) -> Option<String> {
    let mut text = script.to_string();
    if let Some(Ok(v)) = verify {
        text.push('\n');
        text.push_str(v);
    }
    let arith = crate::runbook::arith::arithmetic_vars(&text);
    step.placeholders.iter().find_map(|ph| {
        if !arith.contains(&render::env_name(ph)) {
            return None;
        }
        let v = values.get(&ph.name).or(ph.default.as_ref())?;
        if crate::runbook::arith::is_integer(v) {
            return None;
        }
        let shown = if ph.secret {
            MASK.to_string()
        } else {
            crate::text::truncate(&crate::sanitize::sanitize(v), 40)
        };
        Some(format!(
            "`{}` is used where bash evaluates arithmetic: its value must be a whole number, not `{shown}`",
            ph.syntax
        ))
    })
}

impl Prepared {
    /// Masks this step's secret values (and the usual patterns).
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self.secrets.iter().cloned())
    }

    /// The exact script with its values, secrets masked: what the dialog, the dry run and
    /// the journal show. Values are single-quoted, so a newline cannot start a shell line.
    pub fn describe(&self) -> String {
        let mut lines = self.vars_display();
        lines.push(self.script_display());
        lines.join("\n")
    }

    /// `NAME='value'` per placeholder value (the AWS context is shown apart), secrets masked.
    pub fn vars_display(&self) -> Vec<String> {
        let r = self.redactor();
        self.env
            .iter()
            .filter(|(k, _)| !k.starts_with("AWS_"))
            .map(|(k, v)| {
                let shown = if self.secret_env.contains(k) {
                    MASK.to_string()
                } else {
                    shell_quote(&r.scrub(v))
                };
                format!("{k}={shown}")
            })
            .collect()
    }

    /// The script with secret values masked.
    pub fn script_display(&self) -> String {
        self.redactor().scrub(&self.script)
    }

    /// Whether the confirmation text typed names the target.
    pub fn typed_ok(&self, typed: &str) -> bool {
        typed == self.target
    }
}

/// `'…'` with embedded quotes closed and reopened: a value shown as shell text.
pub fn shell_quote(v: &str) -> String {
    let visible = crate::sanitize::sanitize(v);
    format!(
        "'{}'",
        visible.replace('\'', "'\\''").replace('\n', "'$'\\n''")
    )
}

/// What a destructive step acts on, for the typed confirmation: the service, function,
/// cluster, queue, database, table… it names (placeholders filled in), else the procedure
/// title.
pub fn confirm_target(
    step: &Step,
    procedure: &Procedure,
    values: &BTreeMap<String, String>,
) -> String {
    let t = targets::of_step(step, &procedure.id);
    match t.first_resource() {
        Some(n) => fill(n, step, values),
        None => procedure.title.clone(),
    }
}

/// Display-only substitution of placeholders in a name (never used as shell text).
fn fill(name: &str, step: &Step, values: &BTreeMap<String, String>) -> String {
    let mut out = name.to_string();
    for p in &step.placeholders {
        if let Some(v) = values.get(&p.name).or(p.default.as_ref()) {
            for form in [
                format!("${{{}}}", p.name),
                format!("${}", p.name),
                format!("<{}>", p.name),
            ]
            .into_iter()
            .chain(p.literals.iter().cloned())
            {
                out = out.replace(&form, v);
            }
        }
    }
    out
}

/// `{timeout=500ms}` / `{timeout=5m}` ([`crate::duration`]'s grammar: a bare number is seconds),
/// else the default; commands that never end by themselves (`--follow`, `watch`, `tail -f`)
/// have none and run until cancelled. A timeout that does not parse keeps the default (lint
/// reports it as an error).
pub fn step_timeout(step: &Step) -> Option<Duration> {
    if let Some(t) = &step.attributes.timeout
        && let Ok(d) = crate::duration::parse(t)
        && !d.is_zero()
    {
        return Some(d);
    }
    let endless = step.commands.iter().any(|c| {
        let t = &c.text;
        t.contains("--follow")
            || t.contains("tail -f")
            || t.trim_start().starts_with("watch ")
            || t.contains("| watch")
    });
    if endless { None } else { Some(DEFAULT_TIMEOUT) }
}

/// The command of `script` that prints secrets by design (`aws secretsmanager
/// get-secret-value`, `ssm get-parameter --with-decryption`, `sts assume-role`, `kubectl get
/// secret -o yaml`…): its output is hidden whole, since no pattern knows the shape of what
/// it prints.
pub fn prints_secrets(script: &str) -> Option<String> {
    for w in targets::simple_commands(script) {
        let words: Vec<&str> = w
            .iter()
            .map(String::as_str)
            .skip_while(|x| x.contains('='))
            .collect();
        let Some(&first) = words.first() else {
            continue;
        };
        let has = |f: &str| {
            words
                .iter()
                .any(|x| *x == f || x.starts_with(&format!("{f}=")))
        };
        // The first two operands: options and the values of those that take one skipped
        // (`aws --region X ssm …`, `kubectl -n prod get secret …`).
        const TAKE_VALUE: &[&str] = &[
            "--region",
            "--profile",
            "--output",
            "--endpoint-url",
            "--query",
            "--color",
            "--ca-bundle",
            "--cli-connect-timeout",
            "--cli-read-timeout",
            "--cli-binary-format",
            "-n",
            "--namespace",
            "-l",
            "--selector",
            "--context",
            "--kubeconfig",
            "-o",
            "--output",
            "--cluster",
            "--user",
            "-c",
            "--container",
        ];
        let mut plain = Vec::new();
        let mut k = 1;
        while k < words.len() && plain.len() < 2 {
            let x = words[k];
            k += 1;
            if x.starts_with('-') {
                if TAKE_VALUE.contains(&x) {
                    k += 1;
                }
                continue;
            }
            plain.push(x);
        }
        let (a, b) = (
            plain.first().copied().unwrap_or(""),
            plain.get(1).copied().unwrap_or(""),
        );
        let hit = match first.rsplit('/').next().unwrap_or(first) {
            "aws" => {
                matches!(
                    (a, b),
                    (
                        "secretsmanager",
                        "get-secret-value" | "batch-get-secret-value"
                    ) | (
                        "sts",
                        "assume-role"
                            | "assume-role-with-saml"
                            | "assume-role-with-web-identity"
                            | "get-session-token"
                            | "get-federation-token"
                    ) | ("ecr", "get-login-password" | "get-authorization-token")
                        | (
                            "iam",
                            "create-access-key" | "create-service-specific-credential"
                        )
                        | ("rds", "generate-db-auth-token")
                        | ("kms", "decrypt" | "generate-data-key")
                        | ("configure", "get" | "export-credentials")
                ) || (a == "ssm"
                    && matches!(
                        b,
                        "get-parameter"
                            | "get-parameters"
                            | "get-parameters-by-path"
                            | "get-parameter-history"
                    )
                    && has("--with-decryption"))
            }
            // Without an output format it lists names and sizes only.
            "kubectl" | "oc" => {
                a == "get"
                    && (matches!(b, "secret" | "secrets") || b.starts_with("secret/"))
                    && words
                        .iter()
                        .any(|x| x.starts_with("-o") || x.starts_with("--output"))
            }
            "vault" => matches!((a, b), ("read", _) | ("kv", "get")),
            // `gh auth token` prints the operator's token; `gh auth status -t` shows it.
            "gh" => {
                (a, b) == ("auth", "token")
                    || ((a, b) == ("auth", "status") && (has("-t") || has("--show-token")))
            }
            _ => false,
        };
        if hit {
            return Some(words.join(" ").chars().take(80).collect());
        }
    }
    None
}

/// Needs the real terminal: `{interactive=true}`, or a client started without a command
/// (psql, mysql, redis-cli), `-it`, ssh, editors and pagers, ECS exec and SSM sessions.
pub fn is_interactive(step: &Step) -> bool {
    if let Some(i) = step.attributes.interactive {
        return i;
    }
    step.commands.iter().any(|c| {
        targets::simple_commands(&c.text).iter().any(|w| {
            let first = w
                .iter()
                .find(|x| !x.contains('='))
                .map(String::as_str)
                .unwrap_or("");
            let has = |f: &str| w.iter().any(|x| x == f);
            match first {
                "psql" => {
                    // `-c`, `-f`, `-l`, alone or in a cluster (`-tAc`), or their long forms.
                    let cluster = |f: char| {
                        w.iter().any(|x| {
                            x.len() > 2
                                && x.starts_with('-')
                                && !x.starts_with("--")
                                && x[1..].contains(f)
                        })
                    };
                    !(has("-c")
                        || has("-f")
                        || has("-l")
                        || has("--command")
                        || has("--list")
                        || w.iter()
                            .any(|x| x.starts_with("--command=") || x.starts_with("--file="))
                        || cluster('c')
                        || cluster('f')
                        || cluster('l'))
                }
                "mysql" => !has("-e"),
                "redis-cli" => crate::runbook::risk::classify(&c.text) == Risk::Unknown,
                "ssh" | "vim" | "vi" | "nano" | "emacs" | "less" | "more" | "top" | "htop"
                | "k9s" => true,
                "docker" | "kubectl" => has("-it") || has("-ti") || (has("-i") && has("-t")),
                "aws" => (has("execute-command") && has("--interactive")) || has("start-session"),
                _ => false,
            }
        })
    })
}

#[cfg(test)]
mod tests;

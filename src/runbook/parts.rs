//! The units an author separated inside one block, and the blocks whose units are
//! alternatives.
//!
//! A command with its own comment title starts a sub-step (`2.1`, `2.2`…) that runs on its
//! own; the `cd` and variable assignments of earlier sub-steps (read-only context) are carried
//! into it so it runs where and with what the author meant. A block whose sub-steps are
//! alternatives — "Option 1"/"Option 2", "or …", scale up/scale down, undo/redo,
//! disable/enable, or the same target changed twice — never runs as a whole: the operator
//! picks one sub-step.

use super::model::{Command, Risk, Step};
use super::shell::{mask_placeholders, tokenize};
use brush_parser::Token;
use regex::Regex;
use std::sync::LazyLock;

static OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:option|alternative|approach|method|choice|plan)\s*#?\s*(?:\d+|[a-d]\b|one|two|three)")
        .expect("constant regex")
});
/// Wording that makes parts a choice: `If the task is stuck`, `Either …`, `Option 2`, `… if
/// needed`.
static CHOICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:if|either|or|option|alternatively|otherwise|instead|in case|unless)\b")
        .expect("constant regex")
});
/// A part that runs only on a condition: `If the deploy failed:`, `Rollback if needed`.
static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^\W*(?:if|in case|unless)\b|\bif (?:needed|necessary|required|it fails|that fails)\b|\bonly if\b)")
        .expect("constant regex")
});
static OR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:or\b|alternatively\b|otherwise\b|instead\b|if that (?:fails|does not work)|else\b)")
        .expect("constant regex")
});

/// Opposite actions: a block doing both is a choice, not a sequence.
const OPPOSITES: &[(&str, &str)] = &[
    ("scale up", "scale down"),
    ("scale out", "scale in"),
    ("undo", "redo"),
    ("disable", "enable"),
    ("suspend", "resume"),
    ("roll back", "roll forward"),
    ("rollback", "roll forward"),
    ("increase", "decrease"),
];

/// Splits `step` (its commands already classified) into sub-steps where its commands carry
/// their own titles, and marks it when those are alternatives. `script` is the block as
/// parsed (prompts removed), `first_line` the file line of its first line, `prose` the
/// text around it for placeholder hints.
pub fn split(step: &mut Step, script: &str, first_line: usize, prose: &str) {
    if step.commands.len() < 2 {
        return;
    }
    let lines: Vec<&str> = script.lines().collect();
    let heading = |c: &Command| comment_block(&lines, c.line - first_line);
    // Groups of command indices: a titled command starts one.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, c) in step.commands.iter().enumerate() {
        if groups.is_empty() || c.title.is_some() {
            groups.push(vec![i]);
        } else if let Some(g) = groups.last_mut() {
            g.push(i);
        }
    }
    let mut titles: Vec<Vec<String>> = groups
        .iter()
        .map(|g| heading(&step.commands[g[0]]))
        .collect();
    // Under "Option 2", the titled commands that follow are that option's steps, up to the
    // next option: one sub-step each option.
    let is_option = |t: &Vec<String>| t.iter().any(|x| OPTION.is_match(x));
    if titles.iter().filter(|t| is_option(t)).count() >= 2 {
        let (mut g2, mut t2): (Vec<Vec<usize>>, Vec<Vec<String>>) = (Vec::new(), Vec::new());
        let mut in_option = false;
        for (g, t) in groups.into_iter().zip(titles) {
            if is_option(&t) {
                in_option = true;
            } else if in_option && let Some(last) = g2.last_mut() {
                last.extend(g);
                continue;
            }
            g2.push(g);
            t2.push(t);
        }
        (groups, titles) = (g2, t2);
    }
    // Commands that undo each other (stop/start, disable/enable): titled parts are a sequence
    // (`# Stop the crawler`, `# Wait for READY, then restart`) unless a title words them as a
    // choice; with no title at all, back to back they would undo each other — never the
    // meaning — so they are alternatives.
    let worded_as_choice = titles.iter().flatten().any(|t| CHOICE.is_match(t));
    let untitled = titles.iter().all(|t| t.is_empty());
    let mut why = titled_alternatives(&titles)
        .or_else(|| {
            (worded_as_choice || untitled)
                .then(|| opposite_commands(&step.commands))
                .flatten()
        })
        .or_else(|| out_of_order(&titles));
    let changed_twice = same_target_twice(&step.commands, &groups);
    if why.is_none() {
        why = changed_twice.clone();
    }
    // A quick-reference card lists tools (deploy, tail, roll back), not a procedure.
    static CARD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:quick[- ]reference|cheat[- ]?sheet|reference card|common commands|useful commands|command reference)\b")
            .expect("constant regex")
    });
    let card = [
        Some(&step.title),
        step.phase.as_ref(),
        step.description.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(titles.iter().flatten())
    .find(|t| CARD.is_match(t));
    if why.is_none()
        && let Some(t) = card
    {
        why = Some(format!(
            "a quick-reference card (`{}`): each command is a tool of its own",
            short(t)
        ));
        if groups.len() < 2 {
            groups = (0..step.commands.len()).map(|i| vec![i]).collect();
        }
    }
    // An untitled block that changes one thing twice: each command is its own sub-step, so
    // one can be picked.
    if groups.len() < 2 {
        if why.is_none() {
            return;
        }
        groups = (0..step.commands.len()).map(|i| vec![i]).collect();
    }
    let mut parts = Vec::new();
    let mut context: Vec<Command> = Vec::new();
    for (n, g) in groups.iter().enumerate() {
        let own: Vec<Command> = g.iter().map(|i| step.commands[*i].clone()).collect();
        let block = heading(&own[0]);
        let title = if block.is_empty() {
            if n == 0 && groups.len() < step.commands.len() {
                step.title.clone()
            } else {
                short_cmd(&own[0].text)
            }
        } else {
            block.join(" · ")
        };
        let mut commands: Vec<Command> = context
            .iter()
            .cloned()
            .map(|mut c| {
                c.context = true;
                c
            })
            .collect();
        commands.extend(own.iter().cloned());
        let text: String = commands
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut risk = own.iter().map(|c| c.risk).max().unwrap_or(Risk::Read);
        if let Some(r) = step.attributes.risk {
            risk = risk.max(r);
        }
        let comment_lines = block.len();
        parts.push(Step {
            id: String::new(),
            title,
            phase: step.phase.clone(),
            description: None,
            lang: step.lang.clone(),
            runnable: step.runnable,
            risk,
            expect: (n + 1 == groups.len())
                .then(|| step.expect.clone())
                .flatten(),
            line: own[0].line - comment_lines,
            placeholders: super::placeholders::find(&text, prose),
            commands,
            code: text,
            attributes: step.attributes.clone(),
            written_as: None,
            log_group: None,
            parts: Vec::new(),
            alternatives: None,
            choice: None,
        });
        context.extend(own.into_iter().filter(is_context));
    }
    step.parts = parts;
    step.alternatives = why;
}

/// The comment lines directly above line `at` of the block (not an `Expected…` block).
fn comment_block(lines: &[&str], at: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut j = at;
    while j > 0 {
        j -= 1;
        let t = lines.get(j).map_or("", |l| l.trim());
        let Some(c) = t.strip_prefix('#').filter(|_| !t.starts_with("#!")) else {
            break;
        };
        let c = c.trim();
        if c.to_ascii_lowercase().starts_with("expected") {
            break;
        }
        if !c.is_empty() {
            out.push(c.to_string());
        }
    }
    out.reverse();
    out
}

/// A command on one line (continuations joined), its start and end kept when long, so
/// `… --desired-count 0` and `… --desired-count 2` stay apart.
fn short_cmd(text: &str) -> String {
    let flat = text
        .replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let n = flat.chars().count();
    if n <= 60 {
        return flat;
    }
    let head: String = flat.chars().take(28).collect();
    let tail: String = flat.chars().skip(n - 30).collect();
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

fn short(text: &str) -> String {
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\\')
        .trim();
    if first.chars().count() <= 60 {
        first.to_string()
    } else {
        format!("{}…", first.chars().take(59).collect::<String>())
    }
}

/// "Option 1"/"Option 2", "Or …", or opposite actions in the sub-steps' titles.
fn titled_alternatives(titles: &[Vec<String>]) -> Option<String> {
    let options: Vec<&String> = titles
        .iter()
        .flatten()
        .filter(|t| OPTION.is_match(t))
        .collect();
    if options.len() >= 2 {
        return Some(format!(
            "its parts are options ({})",
            options
                .iter()
                .map(|t| format!("`{}`", short(t)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(or) = titles.iter().skip(1).flatten().find(|t| OR.is_match(t)) {
        return Some(format!("a part is an alternative (`{}`)", short(or)));
    }
    // `If the task is stuck:` / `If it is healthy:`, or a later `Rollback if needed`: a part
    // that runs only on a condition the operator judges.
    let conditions: Vec<&String> = titles
        .iter()
        .flatten()
        .filter(|t| CONDITION.is_match(t))
        .collect();
    if conditions.len() >= 2
        || titles
            .iter()
            .skip(1)
            .flatten()
            .any(|t| CONDITION.is_match(t))
    {
        return Some(format!(
            "a part runs only on a condition ({})",
            conditions
                .iter()
                .map(|t| format!("`{}`", short(t)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let lower: Vec<String> = titles
        .iter()
        .map(|t| t.join(" ").to_ascii_lowercase())
        .collect();
    for (a, b) in OPPOSITES {
        let has = |w: &str| lower.iter().position(|t| contains_word(t, w));
        if let (Some(i), Some(j)) = (has(a), has(b))
            && i != j
        {
            return Some(format!("it does both `{a}` and `{b}`"));
        }
    }
    None
}

/// A later part whose title says it comes first ("Check the status first", "Before you
/// roll back, …"): the written order is not the order meant, so the block never runs whole.
fn out_of_order(titles: &[Vec<String>]) -> Option<String> {
    static FIRST: LazyLock<Regex> = LazyLock::new(|| {
        // `First, …`, `… first`, `first of all`: an order. Not `Analyze first failure`.
        Regex::new(r"(?i)(?:^\W*first\b|\bfirst\W*$|\bfirst of all\b|\bbeforehand\b|\bbefore (?:you|rolling|running|restarting|scaling|deploying|doing|any|the|this|that)\b)")
            .expect("constant regex")
    });
    let first = titles.first()?.join(" ");
    let later = titles
        .iter()
        .skip(1)
        .flatten()
        .find(|t| FIRST.is_match(t))?;
    Some(format!(
        "`{}` says it comes first but is written after `{}`: run the parts in the order meant",
        short(later),
        short(&first)
    ))
}

fn contains_word(text: &str, w: &str) -> bool {
    text.match_indices(w).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + w.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// `aws cloudwatch disable-alarm-actions` and `enable-alarm-actions` in one block.
fn opposite_commands(commands: &[Command]) -> Option<String> {
    let ops: Vec<String> = commands
        .iter()
        .filter(|c| c.risk != Risk::Read)
        .flat_map(|c| super::targets::simple_commands(&c.text))
        .filter(|w| w.first().is_some_and(|x| x == "aws") && w.len() >= 3)
        .map(|w| w[2].clone())
        .collect();
    for (a, b) in [
        ("disable-", "enable-"),
        ("suspend-", "resume-"),
        ("stop-", "start-"),
    ] {
        for op in &ops {
            if let Some(rest) = op.strip_prefix(a)
                && ops.iter().any(|o| o.strip_prefix(b) == Some(rest))
            {
                return Some(format!("it does both `{op}` and `{b}{rest}`"));
            }
        }
    }
    None
}

/// AWS options that name what a command acts on.
fn identifies(flag: &str) -> bool {
    let f = flag.trim_start_matches('-');
    [
        "service",
        "services",
        "cluster",
        "function-name",
        "name",
        "names",
        "alarm-names",
        "table-name",
        "queue-url",
        "db-instance-identifier",
        "db-cluster-identifier",
        "auto-scaling-group-name",
        "stack-name",
        "state-machine-arn",
        "rest-api-id",
        "replication-group-id",
        "cache-cluster-id",
        "load-balancer-arn",
        "target-group-arn",
        "listener-arn",
        "bucket",
        "key",
        "instance-ids",
        "topic-arn",
        "resource-id",
    ]
    .contains(&f)
}

/// What a state-changing command acts on: `aws ecs update-service` with its cluster and
/// service; otherwise its words.
fn change_key(words: &[String]) -> Option<Vec<String>> {
    if words.first().is_some_and(|w| w == "aws") {
        if words.len() < 3 {
            return None;
        }
        let mut key: Vec<String> = words[..3].to_vec();
        let mut ids: Vec<String> = Vec::new();
        let mut i = 3;
        while i < words.len() {
            let w = &words[i];
            if let Some((f, v)) = w.split_once('=')
                && identifies(f)
            {
                ids.push(format!("{f}={v}"));
            } else if identifies(w) && i + 1 < words.len() {
                ids.push(format!("{w}={}", words[i + 1]));
                i += 1;
            }
            i += 1;
        }
        if ids.is_empty() {
            return None;
        }
        ids.sort();
        key.extend(ids);
        return Some(key);
    }
    // Elsewhere the whole command: one that extends the other (`rollback.sh prod` and
    // `rollback.sh prod previous`) acts on the same thing; `apply -f a` and `-f b` do not.
    let key: Vec<String> = words
        .iter()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .cloned()
        .collect();
    (key.len() >= 2).then_some(key)
}

/// Two sub-steps (or two commands of an untitled block) change the same thing.
fn same_target_twice(commands: &[Command], groups: &[Vec<usize>]) -> Option<String> {
    let group_of = |i: usize| groups.iter().position(|g| g.contains(&i));
    let titled = groups.len() >= 2;
    let mut seen: Vec<(usize, Vec<String>, String)> = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        if c.risk == Risk::Read {
            continue;
        }
        for words in super::targets::simple_commands(&c.text) {
            // The command's own state changes, not the reads in its `$(…)`.
            let joined = words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ");
            if super::risk::classify(&joined) == Risk::Read {
                continue;
            }
            let Some(key) = change_key(&words) else {
                continue;
            };
            for (j, other, text) in &seen {
                let other_unit = if titled {
                    group_of(*j) != group_of(i)
                } else {
                    *j != i
                };
                let same = if words[0] == "aws" {
                    *other == key
                } else {
                    other.starts_with(&key) || key.starts_with(other)
                };
                if other_unit && same {
                    return Some(format!(
                        "`{}` and `{}` change the same thing",
                        short_cmd(text),
                        short_cmd(&c.text)
                    ));
                }
            }
            seen.push((i, key, c.text.clone()));
        }
    }
    None
}

/// A word as shell text: quoted only when it must be.
fn quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// `cd dir`, `pushd dir`, `NAME=value`, `export NAME=value` that only read: carried into
/// later sub-steps so each runs where and with what the author set up.
fn is_context(c: &Command) -> bool {
    if c.risk != Risk::Read {
        return false;
    }
    let Ok(tokens) = tokenize(&mask_placeholders(&c.text)) else {
        return false;
    };
    let words: Vec<&str> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(w, _) => Some(w.as_str()),
            Token::Operator(..) => None,
        })
        .collect();
    let operators = tokens.iter().any(|t| match t {
        Token::Operator(o, _) => o != "\n",
        Token::Word(..) => false,
    });
    let assignment = |w: &str| {
        w.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty()
                && n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                && !n.starts_with(|ch: char| ch.is_ascii_digit())
        })
    };
    match words.first() {
        Some(&"cd") | Some(&"pushd") => !operators && words.len() <= 2,
        Some(&"export") => !operators && words[1..].iter().all(|w| assignment(w)),
        Some(w) => !operators && assignment(w) && words.iter().all(|w| assignment(w)),
        None => false,
    }
}

/// Blocks under one heading that are choices, not a sequence: each labelled as an option
/// (`**Option 1: …**`), a condition (`If the task is stuck:` / `If it is healthy:`), an
/// either/or, or a later block that runs only if needed (`Rollback if needed`). Marked so a
/// whole-procedure run and "run all" stop there; a block is labelled by its bold label, the
/// paragraph before it and its own title (not the heading all share).
pub fn mark_choices(p: &mut super::model::Procedure) {
    static EITHER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\W*(?:either|or)\b").expect("constant regex"));
    static IF_START: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*(?:if|in case|unless|when)\b").expect("constant regex")
    });
    static IF_NEEDED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:if (?:needed|necessary|required|it fails|that fails|the deploy fails|something goes wrong)|only if|in an emergency)\b")
            .expect("constant regex")
    });
    let labels: Vec<Vec<String>> = p
        .steps
        .iter()
        .map(|s| {
            let mut l: Vec<String> = Vec::new();
            l.extend(s.phase.clone());
            l.extend(
                s.description
                    .as_ref()
                    .and_then(|d| d.lines().next().map(str::to_string)),
            );
            if s.title != p.title && s.phase.as_deref() != Some(s.title.as_str()) {
                l.push(s.title.clone());
            }
            l
        })
        .collect();
    let runnable: Vec<usize> = (0..p.steps.len())
        .filter(|&i| p.steps[i].runnable)
        .collect();
    // The steps whose label matches, with the label that did.
    let pick = |re: &Regex| -> Vec<(usize, String)> {
        runnable
            .iter()
            .filter_map(|&i| {
                labels[i]
                    .iter()
                    .find(|t| re.is_match(t))
                    .map(|t| (i, t.clone()))
            })
            .collect()
    };
    // Two branches at least: steps sharing one label (`**If data corruption is
    // suspected:**` then three numbered steps) are one branch, a sequence.
    let branches = |g: &[(usize, String)]| {
        let mut l: Vec<&String> = g.iter().map(|(_, t)| t).collect();
        l.sort();
        l.dedup();
        l.len()
    };
    let mut groups: Vec<(Vec<(usize, String)>, &str)> = Vec::new();
    for (re, what) in [
        (&*OPTION, "options"),
        (&*IF_START, "conditions"),
        (&*EITHER, "either/or"),
    ] {
        let g = pick(re);
        if branches(&g) >= 2 {
            groups.push((g, what));
        }
    }
    // A later block that runs only if needed (after the deploy it would undo).
    for (i, t) in pick(&IF_NEEDED) {
        if runnable.first() != Some(&i) && !groups.iter().any(|(g, _)| g.iter().any(|x| x.0 == i)) {
            groups.push((vec![(i, t)], "only if needed"));
        }
    }
    for (n, (g, what)) in groups.into_iter().enumerate() {
        let numbers: Vec<String> = g.iter().map(|(i, _)| (i + 1).to_string()).collect();
        let mut names: Vec<String> = Vec::new();
        for (_, t) in &g {
            let n = format!("`{}`", short(t));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let why = if g.len() == 1 {
            format!("step {} runs only if needed ({})", numbers[0], names[0])
        } else {
            format!(
                "steps {} are {what} ({}): run the one you mean",
                numbers.join(", "),
                names.join(", ")
            )
        };
        for (i, branch) in g {
            if p.steps[i].choice.is_none() {
                p.steps[i].choice = Some(super::model::Choice {
                    group: n + 1,
                    branch,
                    why: why.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::runbook::parse::parse;

    fn block(code: &str) -> crate::runbook::Step {
        let (rb, _) = parse(&format!("# R\n## P\n```bash\n{code}\n```\n"));
        rb.procedures[0].steps[0].clone()
    }

    fn titles(s: &crate::runbook::Step) -> Vec<(String, String)> {
        s.parts
            .iter()
            .map(|p| (p.id.clone(), p.title.clone()))
            .collect()
    }

    #[test]
    fn titled_commands_are_sub_steps_with_their_context() {
        let s = block(
            "# Go to the stack\ncd infra/prod\nREGION=eu-west-1\n\n# Review the plan\nterraform plan\n\n# Apply it\nterraform apply",
        );
        assert_eq!(
            titles(&s),
            [
                ("p#1.1".into(), "Go to the stack".into()),
                ("p#1.2".into(), "Review the plan".into()),
                ("p#1.3".into(), "Apply it".into())
            ]
        );
        assert_eq!(s.alternatives, None);
        let apply = &s.parts[2];
        let texts: Vec<(&str, bool)> = apply
            .commands
            .iter()
            .map(|c| (c.text.as_str(), c.context))
            .collect();
        assert_eq!(
            texts,
            [
                ("cd infra/prod", true),
                ("REGION=eu-west-1", true),
                ("terraform apply", false)
            ]
        );
        assert_eq!(apply.line, 11);
    }

    #[test]
    fn alternatives_are_recognised() {
        for (code, why) in [
            (
                "# Option 1: from git\ngit checkout v1\nterraform apply\n\n# Option 2: from state\nterraform state push backup.tfstate",
                "options",
            ),
            (
                "# Scale up\naws ecs update-service --cluster c --service s --desired-count 5\n# Scale down\naws ecs update-service --cluster c --service s --desired-count 2",
                "scale up",
            ),
            (
                "# Roll back\nkubectl rollout undo deployment/api\n# To a given revision\nkubectl rollout undo deployment/api --to-revision=2",
                "change the same thing",
            ),
            (
                "./scripts/rollback.sh prod\n./scripts/rollback.sh prod previous",
                "change the same thing",
            ),
            (
                "aws cloudwatch disable-alarm-actions --alarm-names a\naws cloudwatch enable-alarm-actions --alarm-names a",
                "disable-alarm-actions",
            ),
            (
                "# Either silence the alarm\naws cloudwatch disable-alarm-actions --alarm-names a\n# Or keep it paging\naws cloudwatch enable-alarm-actions --alarm-names a",
                "alternative",
            ),
            (
                "# If the task is stuck:\naws ecs stop-task --cluster c --task t\n# If it is healthy:\naws ecs describe-tasks --cluster c --tasks t",
                "condition",
            ),
            (
                "# Deploy\n./deploy.sh prod\n# Rollback if needed\n./rollback.sh prod",
                "condition",
            ),
            (
                "# Restart the workers\n./restart.sh workers\n# Or restart everything\n./restart.sh all",
                "alternative",
            ),
        ] {
            let s = block(code);
            let got = s.alternatives.clone().unwrap_or_default();
            assert!(got.contains(why), "{code}\n→ {got:?}");
            assert!(
                s.parts.len() >= 2,
                "{code}: the choices are runnable one by one"
            );
        }
    }

    #[test]
    fn sequences_are_not_alternatives() {
        for code in [
            "# Check\naws ecs describe-services --cluster c --services s\n# Restart\naws ecs update-service --cluster c --service s --force-new-deployment",
            "kubectl apply -f a.yaml\nkubectl apply -f b.yaml",
            "systemctl stop nginx\nsystemctl start nginx",
            // Undo-each-other commands titled as steps, not as a choice: a sequence.
            "# Stop the crawler\naws glue stop-crawler --name c\n# Wait for READY state, then restart\naws glue start-crawler --name c",
            "# List recent failed executions\naws stepfunctions list-executions --state-machine-arn a --status-filter FAILED\n# Analyze first failure\naws stepfunctions describe-execution --execution-arn e",
            "aws ecs update-service --cluster c --service a --desired-count 2\naws ecs update-service --cluster c --service b --desired-count 2",
        ] {
            assert_eq!(block(code).alternatives, None, "{code}");
        }
    }
}

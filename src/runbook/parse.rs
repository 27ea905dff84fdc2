//! Markdown runbook → procedures, steps and commands, with pulldown-cmark and source offsets.
//!
//! A heading with fenced code or a checklist under it (directly or inside list items) is a
//! procedure whose path is the heading chain; headings with only sub-headings are groups and
//! yield nothing, and so do tables of contents and contact lists. Each fenced block is a
//! step titled from the list item it sits in, else the bold label before it (kept as the
//! step's phase), else the heading.

use super::model::{Attributes, ChecklistItem, Command, Procedure, Risk, Runbook, Step};
pub use super::model::{ParseNote, Parsed};
use super::{lang, parts, placeholders, risk, shell};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Fence languages whose blocks run.
const SHELL_LANGS: &[&str] = &[
    "bash",
    "sh",
    "shell",
    "zsh",
    "console",
    "shell-session",
    "shellsession",
    "shellscript",
    "ksh",
];

#[derive(Default)]
struct Item {
    label: Option<String>,
    text: String,
    rest: String,
    task: Option<bool>,
    seen_paragraph: bool,
}

#[derive(Default)]
struct Para {
    text: String,
    strong: String,
    in_strong: bool,
    /// Text before the first strong run (whitespace only for a leading label).
    before_strong: String,
    strong_done: bool,
}

struct Builder<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    title: Option<String>,
    headings: Vec<(u8, String)>,
    heading_line: usize,
    heading_text: Option<String>,
    /// Index of the procedure for the current heading, created on first code or checklist.
    current: Option<usize>,
    procs: Vec<Procedure>,
    prose: Vec<String>,
    para: Option<Para>,
    items: Vec<Item>,
    bold_label: Option<String>,
    last_paragraph: Option<String>,
    code: Option<(String, usize, String)>,
    pub notes: Vec<ParseNote>,
    h1_count: usize,
    paragraphs: Vec<(usize, String)>,
    tables: Vec<(usize, Vec<Vec<String>>)>,
    table: Option<(usize, Vec<Vec<String>>)>,
    para_line: usize,
    last_top_item: Option<Item>,
    /// A new unit started under the same heading (after `---`, or a bold label after a
    /// checklist): the title it takes when its first block or checklist comes.
    unit_title: Option<String>,
    /// A thematic break was seen since the last block: the next paragraph names the unit.
    after_break: Option<usize>,
    /// The last item of a list that just ended: runbooks often put the fence after
    /// `1. **Check logs:**` without indenting it, which ends the list in Markdown, yet the
    /// item is plainly the block's title.
    after_list: Option<Item>,
}

pub fn parse(src: &str) -> (Runbook, Vec<ParseNote>) {
    let p = parse_full(src);
    (p.runbook, p.notes)
}

pub fn parse_full(src: &str) -> Parsed {
    let mut b = Builder {
        src,
        line_starts: std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        title: None,
        headings: Vec::new(),
        heading_line: 1,
        heading_text: None,
        current: None,
        procs: Vec::new(),
        prose: Vec::new(),
        para: None,
        items: Vec::new(),
        bold_label: None,
        last_paragraph: None,
        code: None,
        notes: Vec::new(),
        h1_count: 0,
        last_top_item: None,
        after_list: None,
        unit_title: None,
        after_break: None,
        paragraphs: Vec::new(),
        tables: Vec::new(),
        table: None,
        para_line: 1,
    };
    let opts = Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (ev, range) in Parser::new_ext(src, opts).into_offset_iter() {
        b.event(ev, range);
    }
    // A single H1 is the document's title, not a level of every procedure's path.
    if b.h1_count == 1
        && let Some(t) = &b.title
    {
        for p in b.procs.iter_mut() {
            if p.path.len() > 1 && p.path.first() == Some(t) {
                p.path.remove(0);
            }
        }
    }
    for p in b.procs.iter_mut() {
        super::parts::mark_choices(p);
    }
    assign_ids(&mut b.procs);
    insights_groups(&mut b.procs);
    Parsed {
        runbook: Runbook {
            title: b.title,
            procedures: b.procs,
        },
        notes: b.notes,
        paragraphs: b.paragraphs,
        tables: b.tables,
    }
}

/// The log group each Logs Insights block is for: one named in the block or the text before
/// it, else one the procedure's commands read, else the runbook's only log group.
fn insights_groups(procs: &mut [Procedure]) {
    static GROUP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[\s`'\x22(])(/(?:aws|ecs)/[A-Za-z0-9_./#-]+[A-Za-z0-9_-])")
            .expect("constant regex")
    });
    let groups_of = |p: &Procedure| -> Vec<String> {
        p.steps
            .iter()
            .filter(|s| s.runnable)
            .flat_map(|s| super::targets::of_step(s, &p.id).log_groups)
            .filter(|g| !g.template)
            .map(|g| g.name)
            .collect()
    };
    let mut all: Vec<String> = procs.iter().flat_map(groups_of).collect();
    all.sort();
    all.dedup();
    for p in procs.iter_mut() {
        let in_procedure = groups_of(p);
        for s in p.steps.iter_mut() {
            if s.lang.as_deref() != Some(lang::Content::LogsInsights.name()) {
                continue;
            }
            let text = format!("{}\n{}", s.description.as_deref().unwrap_or(""), s.code);
            s.log_group = GROUP
                .captures(&text)
                .map(|c| c[1].to_string())
                .or_else(|| in_procedure.first().cloned())
                .or_else(|| (all.len() == 1).then(|| all[0].clone()));
        }
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Ids from the heading path: stable across runs and across edits elsewhere in the file.
/// A repeated path gets `-2`, `-3`… in document order.
fn assign_ids(procs: &mut [Procedure]) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for p in procs.iter_mut() {
        let base = p
            .path
            .iter()
            .map(|s| slug(s))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        let base = if base.is_empty() {
            "preamble".to_string()
        } else {
            base
        };
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        p.id = if *n == 1 { base } else { format!("{base}-{n}") };
        for (i, s) in p.steps.iter_mut().enumerate() {
            s.id = format!("{}#{}", p.id, i + 1);
            for (j, part) in s.parts.iter_mut().enumerate() {
                part.id = format!("{}#{}.{}", p.id, i + 1, j + 1);
            }
        }
    }
}

fn clean_label(s: &str) -> String {
    s.trim().trim_end_matches(':').trim().to_string()
}

impl Builder<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|s| *s <= offset)
    }

    fn text(&mut self, t: &str) {
        if let Some((_, rows)) = self.table.as_mut()
            && let Some(cell) = rows.last_mut().and_then(|r| r.last_mut())
        {
            cell.push_str(t);
            return;
        }
        if let Some(h) = self.heading_text.as_mut() {
            h.push_str(t);
            return;
        }
        if let Some((_, _, code)) = self.code.as_mut() {
            code.push_str(t);
            return;
        }
        if let Some(p) = self.para.as_mut() {
            p.text.push_str(t);
            if p.in_strong {
                p.strong.push_str(t);
            } else if !p.strong_done {
                p.before_strong.push_str(t);
            }
        }
    }

    /// The title of the unit a block joins: its procedure's, else the one it is about to
    /// start (a label after a break), else the heading's.
    fn unit_name(&self) -> String {
        if let Some(c) = self.current {
            return self.procs[c].title.clone();
        }
        if let Some(t) = &self.unit_title {
            return t.clone();
        }
        if let Some(l) = self.after_break {
            return format!("after the break at line {l}");
        }
        self.headings
            .last()
            .map(|h| h.1.clone())
            .unwrap_or_else(|| "Preamble".into())
    }

    fn procedure(&mut self) -> usize {
        if let Some(i) = self.current {
            return i;
        }
        let mut path: Vec<String> = self.headings.iter().map(|(_, t)| t.clone()).collect();
        let line = match self.after_break.take() {
            Some(l) => {
                // A break with nothing naming what follows: the unit is named by its place.
                let t = self
                    .unit_title
                    .take()
                    .unwrap_or_else(|| format!("after the break at line {l}"));
                path.push(t);
                l
            }
            None => match self.unit_title.take() {
                Some(t) => {
                    path.push(t);
                    self.para_line
                }
                None => self.heading_line,
            },
        };
        self.procs.push(Procedure {
            id: String::new(),
            title: path.last().cloned().unwrap_or_else(|| "Preamble".into()),
            path,
            line,
            checklist: Vec::new(),
            steps: Vec::new(),
        });
        self.current = Some(self.procs.len() - 1);
        self.procs.len() - 1
    }

    fn event(&mut self, ev: Event<'_>, range: std::ops::Range<usize>) {
        // Long on purpose: one arm per Markdown event of the walker's state machine.
        match ev {
            Event::Start(Tag::Heading { .. }) => {
                self.heading_text = Some(String::new());
                self.heading_line = self.line_of(range.start);
            }
            Event::End(TagEnd::Heading(level)) => {
                let text = self
                    .heading_text
                    .take()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let level = level as u8;
                if level == 1 {
                    self.h1_count += 1;
                    if self.title.is_none() {
                        self.title = Some(text.clone());
                    }
                }
                while self.headings.last().is_some_and(|(l, _)| *l >= level) {
                    self.headings.pop();
                }
                if text.is_empty() {
                    self.notes.push(ParseNote {
                        line: self.heading_line,
                        message: "heading with no text".into(),
                    });
                }
                self.headings.push((
                    level,
                    if text.is_empty() {
                        "(untitled)".into()
                    } else {
                        text
                    },
                ));
                self.current = None;
                self.after_list = None;
                self.bold_label = None;
                self.last_paragraph = None;
                self.unit_title = None;
                self.after_break = None;
                self.prose.clear();
            }
            // `---`: what follows is not the previous heading's next step (a quick-reference
            // card, an appendix); it becomes a unit of its own.
            Event::Rule if self.items.is_empty() => {
                self.end_paragraph();
                self.current = None;
                self.after_list = None;
                self.bold_label = None;
                self.last_paragraph = None;
                self.unit_title = None;
                self.after_break = Some(self.line_of(range.start));
                self.prose.clear();
            }
            // Tight list items have no paragraph events: their text is captured from the item
            // start, and the capture ends at the first block inside the item.
            Event::Start(Tag::Paragraph)
                if self.para.as_ref().is_none_or(|p| !p.text.trim().is_empty()) =>
            {
                self.end_paragraph();
                self.para = Some(Para::default());
                self.para_line = self.line_of(range.start);
            }
            Event::Start(Tag::Strong) => {
                if let Some(p) = self.para.as_mut()
                    && !p.strong_done
                {
                    p.in_strong = true;
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some(p) = self.para.as_mut()
                    && p.in_strong
                {
                    p.in_strong = false;
                    p.strong_done = true;
                }
            }
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::Item) => {
                self.end_paragraph();
                self.items.push(Item::default());
                self.para = Some(Para::default());
                self.para_line = self.line_of(range.start);
            }
            Event::Start(Tag::List(_)) => self.end_paragraph(),
            Event::TaskListMarker(checked) => {
                if let Some(i) = self.items.last_mut() {
                    i.task = Some(checked);
                }
            }
            Event::End(TagEnd::Item) => {
                self.end_paragraph();
                if let Some(item) = self.items.pop() {
                    if let Some(checked) = item.task {
                        let p = self.procedure();
                        self.procs[p].checklist.push(ChecklistItem {
                            text: item.text.trim().to_string(),
                            checked,
                        });
                    }
                    if self.items.is_empty() {
                        self.last_top_item = Some(item);
                    }
                }
            }
            Event::End(TagEnd::List(_)) if self.items.is_empty() => {
                self.last_paragraph = None;
                self.after_list = self
                    .last_top_item
                    .take()
                    .filter(|i| i.task.is_none() && i.label.is_some());
            }
            Event::Start(Tag::Table(_)) => {
                self.table = Some((self.line_of(range.start), Vec::new()))
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some((_, rows)) = self.table.as_mut() {
                    rows.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(row) = self.table.as_mut().and_then(|(_, rows)| rows.last_mut()) {
                    row.push(String::new());
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = self.table.take() {
                    self.tables.push(t);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.end_paragraph();
                let (info, content_start) = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        (info.to_string(), self.line_of(range.start) + 1)
                    }
                    CodeBlockKind::Indented => (String::new(), self.line_of(range.start)),
                };
                self.code = Some((info, content_start, String::new()));
                // A fence that runs to the end of the file was never closed.
                if matches!(kind, CodeBlockKind::Fenced(_))
                    && range.end >= self.src.trim_end().len()
                {
                    let block = &self.src[range.clone()];
                    let fence: String = block
                        .trim_start()
                        .chars()
                        .take_while(|c| *c == '`' || *c == '~')
                        .collect();
                    let closed = block.trim_end().lines().count() > 1
                        && block
                            .trim_end()
                            .lines()
                            .last()
                            .is_some_and(|l| l.trim().starts_with(&fence));
                    if !closed {
                        self.notes.push(ParseNote {
                            line: self.line_of(range.start),
                            message: format!(
                                "unclosed code fence `{fence}`: it runs to the end of the file"
                            ),
                        });
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => self.end_code(),
            Event::Text(t) | Event::Code(t) => self.text(&t),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        let Some(p) = self.para.take() else { return };
        if p.text.trim().is_empty() {
            return;
        }
        let text = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.paragraphs.push((self.para_line, text.clone()));
        let label =
            (p.strong_done && p.before_strong.trim().is_empty() && !p.strong.trim().is_empty())
                .then(|| clean_label(&p.strong));
        if let Some(item) = self.items.last_mut()
            && !item.seen_paragraph
        {
            item.seen_paragraph = true;
            item.text = text.clone();
            item.label = label.clone();
            item.rest = match &label {
                Some(_) => text[p
                    .strong
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .len()
                    .min(text.len())..]
                    .trim_start_matches([':', ' ', '-', '–'])
                    .trim()
                    .to_string(),
                None => String::new(),
            };
            self.prose.push(text);
            return;
        }
        // A paragraph that is only a bold label (`**Diagnosis:**`) names a phase.
        self.after_list = None;
        let only_label = label.as_ref().is_some_and(|l| clean_label(&text) == *l);
        if self.items.is_empty() && self.current.is_none() && self.after_break.is_some() {
            // The first words after a break name the unit that follows.
            if self.unit_title.is_none() {
                self.unit_title = Some(label.clone().unwrap_or_else(|| truncate_title(&text)));
            }
        } else if only_label
            && self.items.is_empty()
            && self.current.is_some_and(|c| {
                self.procs[c].steps.is_empty() && !self.procs[c].checklist.is_empty()
            })
        {
            // A bold label after a checklist starts a unit of its own.
            self.current = None;
            self.unit_title = label.clone();
        }
        if only_label && self.items.is_empty() {
            self.bold_label = label;
            self.last_paragraph = None;
        } else {
            self.last_paragraph = Some(text.clone());
        }
        self.prose.push(text);
    }

    fn end_code(&mut self) {
        let Some((info, content_line, code)) = self.code.take() else {
            return;
        };
        let (lang, attributes) = parse_info(&info);
        let after = self.after_list.take();
        let item = self.items.last().or(after.as_ref());
        let (title, description) = match item {
            Some(i) if i.label.is_some() => (
                i.label.clone().unwrap_or_default(),
                (!i.rest.is_empty()).then(|| i.rest.clone()),
            ),
            Some(i) if !i.text.is_empty() => (truncate_title(&i.text), None),
            _ => match &self.bold_label {
                Some(l) => (l.clone(), None),
                None => (self.unit_name(), None),
            },
        };
        let description = description.or_else(|| self.last_paragraph.take());
        let phase = self.bold_label.clone();
        let mut runnable = match lang.as_deref() {
            Some(l) => SHELL_LANGS.contains(&l),
            None => looks_like_shell(&code),
        };
        // What the block holds, whatever the fence says: a query, SQL, YAML or prose in a
        // `bash` fence is shown, never run; a block of comments only is no step.
        let mut lang = lang;
        let mut written_as = None;
        if lang.is_none() || runnable {
            let content = lang::detect(&code);
            if content == lang::Content::CommentsOnly {
                self.notes.push(ParseNote {
                    line: content_line.saturating_sub(1).max(1),
                    message: "a block of comments only: shown as text, not a step".into(),
                });
                self.last_paragraph = None;
                return;
            }
            if content != lang::Content::Shell {
                written_as = lang.replace(content.name().to_string());
                runnable = false;
            }
        }
        let prose = self.prose.join("\n");
        let mut step = Step {
            id: String::new(),
            title,
            phase,
            description,
            lang: lang.clone(),
            runnable,
            risk: Risk::Read,
            expect: None,
            line: content_line.saturating_sub(1).max(1),
            placeholders: Vec::new(),
            commands: Vec::new(),
            code: code.clone(),
            attributes,
            written_as,
            log_group: None,
            parts: Vec::new(),
            alternatives: None,
            choice: None,
        };
        if runnable {
            let notes = read_shell(&mut step, content_line, &prose);
            self.notes.extend(notes);
        }
        let p = self.procedure();
        self.procs[p].steps.push(step);
    }
}

/// Reads a runnable step's shell text (`step.code`, starting at `content_line`): its
/// commands and their risks, expectation, placeholders (described by `prose`), the step's
/// risk (raised by a fence attribute, never lowered) and its parts. The one reading every
/// step gets, from a runbook or from opsdeck.toml's `[[watch.commands]]`.
pub fn read_shell(step: &mut Step, content_line: usize, prose: &str) -> Vec<ParseNote> {
    let mut notes = Vec::new();
    let (script, output) = shell::strip_prompts(&step.code);
    let split = shell::split(&script);
    if !split.tokenized {
        notes.push(ParseNote {
            line: step.line,
            message: "shell block could not be tokenised (unterminated quote?); split by lines"
                .into(),
        });
    }
    step.commands = split
        .commands
        .into_iter()
        .map(|s| Command {
            risk: s
                .tokens
                .as_deref()
                .map_or_else(|| risk::classify(&s.text), risk::classify_tokens),
            title: s.title,
            text: s.text,
            line: content_line + s.line,
            context: false,
        })
        .collect();
    step.expect = match (split.expect, output) {
        (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
        (a, b) => a.or(b),
    };
    step.placeholders = placeholders::find(&script, prose);
    step.risk = step
        .commands
        .iter()
        .map(|c| c.risk)
        .max()
        .unwrap_or(Risk::Read);
    // A fence attribute may raise the risk, never lower it (lint flags a lower one).
    if let Some(r) = step.attributes.risk {
        step.risk = step.risk.max(r);
    }
    parts::split(step, &script, content_line, prose);
    notes
}

/// A command written outside a runbook (`[[watch.commands]]`) as a one-step procedure, read
/// exactly as a runbook's shell block is; `None` when it holds no shell command.
pub fn command_step(name: &str, command: &str) -> Option<(Procedure, Step)> {
    if lang::detect(command) != lang::Content::Shell {
        return None;
    }
    let mut step = Step {
        id: format!("{}#1", slug(name)),
        title: name.to_string(),
        phase: None,
        description: None,
        lang: Some("bash".into()),
        runnable: true,
        risk: Risk::Read,
        expect: None,
        line: 1,
        placeholders: Vec::new(),
        commands: Vec::new(),
        code: command.to_string(),
        attributes: Attributes::default(),
        written_as: None,
        log_group: None,
        parts: Vec::new(),
        alternatives: None,
        choice: None,
    };
    read_shell(&mut step, 1, "");
    if step.commands.is_empty() {
        return None;
    }
    let p = Procedure {
        id: slug(name),
        title: name.to_string(),
        path: vec![name.to_string()],
        line: 1,
        checklist: Vec::new(),
        steps: vec![step.clone()],
    };
    Some((p, step))
}

fn truncate_title(s: &str) -> String {
    let s = s.trim().trim_end_matches(':');
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(59).collect::<String>())
    }
}

/// `bash {risk=read timeout=5m}` → ("bash", attributes). Runme-style JSON-ish attributes
/// (`{"name":"x"}`) are accepted too.
pub fn parse_info(info: &str) -> (Option<String>, Attributes) {
    let info = info.trim();
    let (head, attrs) = match info.find('{') {
        Some(i) => (&info[..i], &info[i..]),
        None => (info, ""),
    };
    let lang = head
        .split_whitespace()
        .next()
        .map(|l| l.trim_start_matches('.').to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    let mut a = Attributes::default();
    static ATTR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        // CommonMark has already turned `\"` into `"` here: a value with double quotes in
        // it (a command's quoted argument) is single-quoted: {verify='aws … "$SERVICE"'}.
        regex::Regex::new(r#"([A-Za-z_]+)"?\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([^\s,}]+))"#)
            .expect("constant regex")
    });
    for c in ATTR.captures_iter(attrs) {
        let k = c[1].to_ascii_lowercase();
        let v = c
            .get(2)
            .or(c.get(3))
            .or(c.get(4))
            .map_or("", |m| m.as_str());
        match k.as_str() {
            "risk" => a.risk = Risk::parse(v),
            "timeout" => a.timeout = Some(v.to_string()),
            "interactive" => a.interactive = Some(v == "true" || v == "yes"),
            "name" => a.name = Some(v.to_string()),
            "watch" => a.watch = Some(v.to_string()),
            "verify" => a.verify = Some(v.to_string()),
            "expect" => a.expect = Some(v.to_string()),
            _ => {}
        }
    }
    (lang, a)
}

/// An unlabelled block runs only when it reads as shell: its first command is a known tool,
/// a script, or a prompt. ASCII diagrams, prose and data do not.
fn looks_like_shell(code: &str) -> bool {
    let first = code
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let Some(first) = first else { return false };
    if first.starts_with("$ ") || first.starts_with("./") || first.starts_with("sudo ") {
        return true;
    }
    if first
        .chars()
        .any(|c| ('\u{2500}'..='\u{259f}').contains(&c) || c == '→')
    {
        return false;
    }
    risk::classify(first) != Risk::Unknown
        && first.split_whitespace().next().is_some_and(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_attribute_raises_risk_but_never_lowers_it() {
        let (rb, _) = parse(
            "# R\n## A\n```bash {risk=read}\naws ecs delete-service --cluster c --service s\n```\n",
        );
        let s = &rb.procedures[0].steps[0];
        assert_eq!(
            s.commands[0].risk,
            Risk::Destructive,
            "the command keeps its own classification"
        );
        assert_eq!(
            s.risk,
            Risk::Destructive,
            "{{risk=read}} cannot lower what the classifier sees"
        );
        assert_eq!(s.attributes.risk, Some(Risk::Read));
        let (rb, _) = parse("# R\n## A\n```bash {risk=destructive}\nls\n```\n");
        assert_eq!(
            rb.procedures[0].steps[0].risk,
            Risk::Destructive,
            "raising works"
        );
    }

    #[test]
    fn info_strings() {
        assert_eq!(
            parse_info("bash {risk=read timeout=5m interactive=true}")
                .0
                .as_deref(),
            Some("bash")
        );
        let (_, a) = parse_info("sh { \"name\": \"restart\", \"interactive\": \"true\" }");
        assert_eq!(a.name.as_deref(), Some("restart"));
        assert_eq!(a.interactive, Some(true));
        assert_eq!(parse_info("").0, None);
    }

    #[test]
    fn groups_toc_and_contacts_yield_nothing() {
        let (rb, _) = parse(
            "# R\n## Contents\n- [A](#a)\n## Group\n### Leaf\n```bash\nls\n```\n## Contacts\n- Jane: 555\n",
        );
        let paths: Vec<_> = rb.procedures.iter().map(|p| p.path.join(" › ")).collect();
        assert_eq!(paths, ["Group › Leaf"]);
    }
}

//! Parse time of a 2 000-line runbook (target under 5 ms): the real corpus in
//! ../shared/runbooks when it is there (1 732 lines, topped up to 2 000 with the constructs
//! fixture), else the fixture repeated. And one block of commented commands at 0.5, 1 and
//! 5 MB (target: linear, well under 5 s at 5 MB; it was quadratic, over 60 s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsdeck::runbook::parse::parse_full;
use opsdeck::runbook::targets::extract;
use std::hint::black_box;

fn runbook_2000_lines() -> String {
    let fixture = include_str!("../tests/fixtures/runbooks/constructs.md");
    let dir = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../shared/runbooks");
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        for f in files {
            text.push_str(&std::fs::read_to_string(f).unwrap_or_default());
            text.push('\n');
        }
    }
    let mut n = 0;
    while text.lines().count() < 2000 {
        n += 1;
        text.push_str(&fixture.replace("# Payments Runbook", &format!("# Payments Runbook {n}")));
    }
    text.lines().take(2000).collect::<Vec<_>>().join("\n")
}

fn bench(c: &mut Criterion) {
    let src = runbook_2000_lines();
    let mut g = c.benchmark_group("runbook_2000_lines");
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("parse", |b| b.iter(|| parse_full(black_box(&src))));
    let parsed = parse_full(&src);
    g.bench_function("targets", |b| b.iter(|| extract(black_box(&parsed))));
    g.finish();
}

/// One fenced block of `size` bytes: a comment titling each command, as a long generated
/// runbook or a pasted shell history has.
fn one_big_block(size: usize) -> String {
    let mut body = String::with_capacity(size + 200);
    let mut i = 0;
    while body.len() < size {
        match i % 3 {
            0 => body.push_str(&format!("# step {i}: check the service in us-east-1\n")),
            1 => body.push_str(&format!(
                "aws ecs describe-services --cluster prod --services api-{i} --query 'services[0].runningCount'\n"
            )),
            _ => body.push_str(&format!("kubectl get pods -n team-{i} -l app=web | grep Running\n")),
        }
        i += 1;
    }
    format!("# Big\n\n## Everything\n\n```bash\n{body}```\n")
}

fn big_block(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_block");
    for mb in [0.5, 1.0, 5.0] {
        let src = one_big_block((mb * 1_000_000.0) as usize);
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_function(format!("parse_{mb}MB"), |b| {
            b.iter(|| parse_full(black_box(&src)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_group! {
    name = big;
    config = Criterion::default().sample_size(10);
    targets = big_block
}
criterion_main!(benches, big);

//! Parse time of a 2 000-line runbook (target under 5 ms): the real corpus in
//! ../shared/runbooks when it is there (1 732 lines, topped up to 2 000 with the constructs
//! fixture), else the fixture repeated.

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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);

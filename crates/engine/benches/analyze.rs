//! Load + analysis time on synthetic models of growing size (`threatwright gen`).
//! `analyze` leaves freeing the result out (as the CLI does); `analyze+drop` counts it.
//! Run: `cargo bench -p threatwright-engine`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use threatwright_catalog::{builtin_sources, load};
use threatwright_engine::{analyze, synth};
use threatwright_model::{Limits, load_str};

/// The allocator the `threatwright` binary uses, and its settings.
#[path = "../../cli/src/alloc.rs"]
mod alloc;

#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

fn bench(c: &mut Criterion) {
    alloc::keep_freed_memory();
    let mut diags = Vec::new();
    let catalog = load(builtin_sources(), &mut diags);
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    for (n, m) in [(200, 800), (2_000, 8_000), (10_000, 50_000)] {
        let text = synth::yaml(n, m);
        let limits = Limits::default();
        group.bench_function(format!("load {n}x{m}"), |b| {
            b.iter(|| black_box(load_str("synthetic.yaml", &text, &limits)))
        });
        let model = load_str("synthetic.yaml", &text, &limits)
            .model
            .expect("the synthetic model is valid");
        // The result is dropped outside the timing: the CLI leaves it to the process
        // exit. "analyze+drop" counts freeing it too, as a long-lived caller pays.
        group.bench_function(format!("analyze {n}x{m}"), |b| {
            b.iter_with_large_drop(|| analyze(&model, &catalog, None))
        });
        group.bench_function(format!("analyze+drop {n}x{m}"), |b| {
            b.iter(|| black_box(analyze(&model, &catalog, None)))
        });
        // The target: the model text loaded and analysed (the catalog is
        // compiled once, outside).
        group.bench_function(format!("load+analyze {n}x{m}"), |b| {
            b.iter_with_large_drop(|| {
                let loaded = load_str("synthetic.yaml", &text, &limits);
                let model = loaded.model.expect("the synthetic model is valid");
                let a = analyze(&model, &catalog, None);
                (model, a)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The `threatwright` command. Thin: it parses arguments, calls the library crates and
//! turns outcomes into exit statuses (0 clean, 1 findings, 2 failure).

mod alloc;
mod analysis_args;
mod args;
mod catalog_args;
mod commands;

mod render;

use clap::Parser;
use commands::Exit;
use std::io::Write;

/// mimalloc: the analysis makes millions of small allocations on every core, which it
/// serves with fewer instructions than the system allocator.
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

fn main() {
    threatwright_engine::timing::begin();
    alloc::keep_freed_memory();
    let cli = args::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match &cli.command {
        args::Command::Validate(a) => commands::validate::run(a, &mut out),
        args::Command::Schema(a) => commands::schema::run(a, &mut out),
        args::Command::Analyze(a) => commands::analyze::run(a, &mut out),
        args::Command::Check(a) => commands::check::run(a, &mut out),
        args::Command::Diff(a) => commands::diff::run(a, &mut out),
        args::Command::Rules(a) => commands::rules::run(a, &mut out),
        args::Command::Gen(a) => commands::gen_model::run(a, &mut out),
        args::Command::Diagram(a) => commands::diagram::run(a, &mut out),
        args::Command::Tree(a) => commands::tree::run(a, &mut out),
        args::Command::Report(a) => commands::report::run(a, &mut out),
        args::Command::Bom(a) => commands::bom::run(a, &mut out),
        args::Command::Init(a) => commands::init::run(a, &mut std::io::stdin().lock(), &mut out),
    };
    let flushed = out.flush();
    threatwright_engine::timing::mark("output written");
    let code = match result {
        Ok(exit) => exit as i32,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            Exit::Failure as i32
        }
    };
    let code = match flushed {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe && code == 0 => Exit::Failure as i32,
        _ => code,
    };
    std::process::exit(code);
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod alloc_tests {
    use crate::alloc::{MI_OPTION_PURGE_DELAY, Mimalloc};
    use libmimalloc_sys as mi;
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn the_purge_delay_option_is_the_one_documented() {
        // SAFETY: reads an integer option.
        let delay = unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 10, "mimalloc's purge delay defaults to 10 ms");
    }

    #[test]
    fn blocks_have_the_alignment_asked_for() {
        let a = Mimalloc;
        for size in [1usize, 7, 8, 9, 24, 40, 100, 1000, 5000, 70_000, 1 << 20] {
            for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; freed with the same layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "realloc: size {size} align {align}");
                    a.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|b| *b == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}

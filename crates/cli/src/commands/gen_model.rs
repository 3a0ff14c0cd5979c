//! `threatwright gen`: synthetic models for benchmarks.

use super::Exit;
use crate::args::{GenArgs, GenFormat};
use std::io::Write;
use threatwright_engine::synth;

pub fn run(args: &GenArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let text = match args.format {
        GenFormat::Yaml => synth::yaml(args.components, args.flows),
        GenFormat::Pytm => synth::pytm(args.components, args.flows),
    };
    match &args.output {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(Exit::Clean)
}

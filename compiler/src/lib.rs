//! zkc's compiler: ONNX import, the data-file formats, the pipeline driver and the pieces of
//! the `zkc` command line that are worth testing without a process.

pub mod bench;
pub mod cli;
pub mod io;
pub mod onnx;
pub mod passes_cli;
pub mod pipeline;
pub mod progress;
pub mod prover;
pub mod quant_cli;
pub mod table;

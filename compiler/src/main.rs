//! The `zkc` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use zkc_compiler::{io, onnx, pipeline, table};
use zkc_passes::QuantConfig;
use zkc_runtime::artifact;

/// zkc compiles an ONNX neural network into a zero-knowledge proof of its inference,
/// on the proof system you pick (halo2, plonky2 or Groth16).
///
/// Typical flow: `zkc run --fixed` to see the fixed-point outputs, `zkc compile` to build the
/// circuit, `zkc witness` to solve it for an input.
#[derive(Parser)]
#[command(name = "zkc", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ModelArgs {
    /// The ONNX model file.
    model: PathBuf,
    /// Value of a symbolic batch (first) dimension.
    #[arg(long, default_value_t = 1)]
    batch: usize,
}

/// Fixed-point settings; defaults are chosen automatically.
#[derive(Args, Clone)]
struct QuantArgs {
    /// Calibration target: `accuracy` (finer scale) or `constraints` (smaller circuit).
    #[arg(long)]
    target: Option<String>,
    /// Activation scale s: values are integers / 2^s (default 8).
    #[arg(long)]
    scale: Option<u32>,
    /// Weight scale (default: the activation scale).
    #[arg(long)]
    weight_scale: Option<u32>,
    /// Lookup/range bits: the largest lookup table has 2^bits entries (default 12).
    #[arg(long)]
    bits: Option<u32>,
    /// Proven input range: every model input must satisfy |x| ≤ this (default: from the
    /// calibration data, twice the largest value rounded up to a power of two).
    #[arg(long)]
    input_range: Option<f64>,
}

impl QuantArgs {
    fn config(&self) -> Result<QuantConfig> {
        let mut c = match &self.target {
            None => QuantConfig::default(),
            Some(t) => QuantConfig::for_target(t)
                .with_context(|| format!("unknown --target `{t}`; use accuracy or constraints"))?,
        };
        if let Some(s) = self.scale {
            if s > 24 {
                bail!("--scale {s} is too large (at most 24)");
            }
            c.scale = s;
            c.weight_scale = self.weight_scale.unwrap_or(s);
        }
        if let Some(w) = self.weight_scale {
            if w > 24 {
                bail!("--weight-scale {w} is too large (at most 24)");
            }
            c.weight_scale = w;
        }
        if let Some(b) = self.bits {
            if !(4..=20).contains(&b) {
                bail!("--bits {b} is out of range (4..=20)");
            }
            c.lookup_bits = b;
        }
        if let Some(r) = self.input_range {
            if !(r.is_finite() && r > 0.0) {
                bail!("--input-range must be a positive number");
            }
            c.input_range = Some(r);
        }
        Ok(c)
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the ONNX ops zkc supports.
    Ops,
    /// Show the model as a table: one row per IR node with shapes, fixed-point scale and bits.
    Table {
        #[command(flatten)]
        model: ModelArgs,
        /// Calibration data (IN.json or a JSON array of them): fills the scale/bits columns.
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Run the model on an input file (float interpreter, or the circuit's fixed point with --fixed).
    Run {
        #[command(flatten)]
        model: ModelArgs,
        /// Input file: {"input_data": [[...], ...]}, one flat row-major list per model input.
        #[arg(long, short)]
        input: PathBuf,
        /// Write the outputs here ({"output_data": [[...]]}); without it they are printed.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Run the fixed-point computation the circuit proves and print its dequantized outputs.
        #[arg(long)]
        fixed: bool,
        /// Calibration data for --fixed (default: the input itself).
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Choose the fixed-point scales and input ranges from sample inputs.
    Calibrate {
        #[command(flatten)]
        model: ModelArgs,
        /// Samples: an IN.json file or a JSON array of them.
        #[arg(long)]
        data: PathBuf,
        /// Print, per tensor, the chosen scale and range with the reason, and the output error.
        #[arg(long)]
        explain: bool,
        /// Backend whose field the values must fit.
        #[arg(long, default_value = "halo2")]
        backend: String,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Compile the model into a circuit for a backend (writes DIR/circuit.zkc).
    Compile {
        #[command(flatten)]
        model: ModelArgs,
        /// Calibration samples (IN.json or a JSON array of them).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Proof system: halo2, plonky2 or groth16.
        #[arg(long, default_value = "halo2")]
        backend: String,
        /// Output directory.
        #[arg(long, short)]
        out: PathBuf,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Solve the witness of a compiled circuit for an input (writes a witness artifact).
    Witness {
        /// A compiled circuit (DIR/circuit.zkc or DIR).
        circuit: PathBuf,
        /// Input file.
        #[arg(long, short)]
        input: PathBuf,
        /// Output witness file (default: DIR/witness.zkc).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

fn load(m: &ModelArgs) -> Result<zkc_ir::Graph> {
    Ok(onnx::load(&m.model, &onnx::ImportOptions { batch_size: m.batch })?)
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string(value)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn circuit_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("circuit.zkc")
    } else {
        p.to_path_buf()
    }
}

fn max_abs_err(a: &[zkc_ir::Tensor], b: &[zkc_ir::Tensor]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.data.iter().zip(&y.data).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f64::max)
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Ops => {
            println!("{} supported ONNX ops:", onnx::SUPPORTED_OPS.len());
            for op in onnx::SUPPORTED_OPS {
                println!("  {op}");
            }
        }
        Command::Table { model, data, quant } => {
            let mut g = load(&model)?;
            if let Some(d) = data {
                let samples = io::read_samples(&d, &g)?;
                let compiled = pipeline::compile(&g, &samples, quant.config()?, "none")?;
                for (v, t) in g.values.iter_mut().zip(&compiled.types) {
                    if let Some(t) = t {
                        v.ty = *t;
                    }
                }
            }
            print!("{}", table::render(&g, &table::Extra::default()));
        }
        Command::Run {
            model,
            input,
            output,
            fixed,
            data,
            quant,
        } => {
            let g = load(&model)?;
            let inputs = io::read_inputs(&input, &g)?;
            let outs = if fixed {
                let samples = match &data {
                    Some(d) => io::read_samples(d, &g)?,
                    None => vec![inputs.clone()],
                };
                let compiled = pipeline::compile(&g, &samples, quant.config()?, "none")?;
                let trace = pipeline::witness(&compiled, &inputs)?;
                pipeline::outputs(&compiled, &trace)
            } else {
                g.run(&inputs)
                    .with_context(|| format!("running {}", model.model.display()))?
            };
            let file = io::outputs_file(&outs);
            match output {
                Some(p) => write_json(&p, &file)?,
                None => println!("{}", serde_json::to_string(&file)?),
            }
        }
        Command::Calibrate {
            model,
            data,
            explain,
            backend,
            quant,
        } => {
            let g = load(&model)?;
            let samples = io::read_samples(&data, &g)?;
            let compiled = pipeline::compile(&g, &samples, quant.config()?, &backend)?;
            let plan = &compiled.plan;
            println!(
                "scale 2^-{} (weights 2^-{}), lookup tables ≤ 2^{} entries, {} sample(s)",
                plan.config.scale, plan.config.weight_scale, plan.config.lookup_bits, plan.samples
            );
            for (i, &id) in g.inputs.iter().enumerate() {
                println!(
                    "input `{}`: range ±{} (largest |value| seen {}, margin ×{})",
                    g.value(id).name,
                    plan.input_ranges[i],
                    plan.input_observed[i],
                    plan.config.input_margin
                );
            }
            let mut worst = 0.0f64;
            for s in &samples {
                let float = g.run(s)?;
                let trace = pipeline::witness(&compiled, s)?;
                worst = worst.max(max_abs_err(&pipeline::outputs(&compiled, &trace), &float));
            }
            if explain {
                println!(
                    "{:<4} {:<28} {:<14} {:>6} {:>5} {:>9}  reason",
                    "#", "node", "op", "scale", "bits", "acc bits"
                );
                for (i, n) in g.nodes.iter().enumerate() {
                    let (s, b) = match compiled.types[n.output.0] {
                        Some(zkc_ir::ElemType::Fixed { scale, bits }) => (scale, bits),
                        _ => (0, 0),
                    };
                    println!(
                        "{:<4} {:<28} {:<14} {:>6} {:>5} {:>9}  interval bound from the input ranges through the graph",
                        i,
                        n.name,
                        n.op.name(),
                        s,
                        b,
                        compiled.accumulator_bits[i]
                    );
                }
            }
            println!("fixed-point output error on the calibration samples: max |Δ| = {worst:.3e}");
            println!(
                "{} arguments, {} witness values",
                compiled.program.arguments.len(),
                compiled.program.num_vars
            );
        }
        Command::Compile {
            model,
            data,
            backend,
            out,
            quant,
        } => {
            let g = load(&model)?;
            let cfg = quant.config()?;
            let samples = match &data {
                Some(d) => io::read_samples(d, &g)?,
                None if cfg.input_range.is_some() => vec![],
                None => bail!("compile needs calibration data (--data SAMPLES.json) or an explicit --input-range"),
            };
            let compiled = pipeline::compile(&g, &samples, cfg, &backend)?;
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let path = out.join("circuit.zkc");
            pipeline::write_circuit(&path, &backend, &compiled)?;
            println!(
                "compiled {} for {backend}: {} arguments, {} witness values, {} tables → {}",
                model.model.display(),
                compiled.program.arguments.len(),
                compiled.program.num_vars,
                compiled.program.tables.len(),
                path.display()
            );
        }
        Command::Witness { circuit, input, output } => {
            let cpath = circuit_path(&circuit);
            let file = pipeline::read_circuit(&cpath)?;
            let graph_inputs = &file.compiled.program.inputs;
            let lists = io::parse_input_lists(
                &std::fs::read_to_string(&input).with_context(|| format!("{}: cannot read", input.display()))?,
                &input.display().to_string(),
            )?;
            if lists.len() != graph_inputs.len() {
                bail!(
                    "{}: has {} input list(s) but the circuit has {} input(s)",
                    input.display(),
                    lists.len(),
                    graph_inputs.len()
                );
            }
            let mut tensors = Vec::new();
            for (i, (l, tv)) in lists.into_iter().zip(graph_inputs).enumerate() {
                if l.len() != tv.vars.len() {
                    bail!(
                        "{}: input {i} `{}` has {} values but the circuit expects {} (shape {:?})",
                        input.display(),
                        tv.name,
                        l.len(),
                        tv.vars.len(),
                        tv.shape
                    );
                }
                tensors.push(zkc_ir::Tensor::new(tv.shape.clone(), l));
            }
            let trace = pipeline::witness(&file.compiled, &tensors)?;
            let out = output.unwrap_or_else(|| cpath.with_file_name("witness.zkc"));
            let header = artifact::Header::new("witness", &file.backend, &file.compiled.program.hash());
            artifact::write(&out, &header, &serde_json::to_vec(&trace)?)?;
            println!(
                "{}",
                serde_json::to_string(&io::outputs_file(&pipeline::outputs(&file.compiled, &trace)))?
            );
            eprintln!("witness: {} values → {}", trace.values.len(), out.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! The `zkc` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use zkc_compiler::{bench, io, onnx, pipeline, prover, table};
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
    /// Refuse models whose tensors exceed this many elements (checked before allocating).
    #[arg(long, default_value_t = onnx::DEFAULT_MAX_ELEMENTS)]
    max_elements: usize,
}

/// Fixed-point settings; defaults are chosen automatically.
#[derive(Args, Clone)]
struct QuantArgs {
    /// Calibration target: `accuracy` (finer scale) or `constraints` (smaller circuit).
    #[arg(long)]
    target: Option<String>,
    /// Activation scale s: values are integers / 2^s (default 14).
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
    /// Refuse circuits with more witness values than this (checked node by node).
    #[arg(long)]
    max_vars: Option<u64>,
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
        if let Some(m) = self.max_vars {
            c.max_vars = m;
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
        /// Calibration data (IN.json or a JSON array of them): fills the scale/bits columns
        /// and the cost per backend.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Backends whose cost columns to show (comma-separated; default: all built in).
        #[arg(long, value_delimiter = ',')]
        backends: Option<Vec<String>>,
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
    /// Check every constraint of the circuit on an input's witness with the backend, without proving.
    Mock {
        /// A compiled circuit (DIR/circuit.zkc or DIR).
        circuit: PathBuf,
        /// Input file.
        #[arg(long, short)]
        input: PathBuf,
    },
    /// Generate proving and verifying keys for a compiled circuit (writes DIR/pk.zkc, DIR/vk.zkc).
    Setup {
        /// A compiled circuit (DIR/circuit.zkc or DIR); keys go beside it.
        circuit: PathBuf,
        /// halo2: use this KZG SRS file (halo2 raw format) instead of a locally generated one.
        #[arg(long)]
        srs: Option<PathBuf>,
    },
    /// Prove the model's inference on an input (writes DIR/proof.zkc, DIR/public.json, DIR/output.json).
    Prove {
        /// The directory holding circuit.zkc and pk.zkc.
        dir: PathBuf,
        /// Input file.
        #[arg(long, short)]
        input: PathBuf,
    },
    /// Verify a proof: `zkc verify DIR`, or with explicit files. Exits 0 only if valid.
    Verify {
        /// A proof directory (circuit.zkc, vk.zkc, proof.zkc, public.json).
        dir: Option<PathBuf>,
        /// Proof file (default DIR/proof.zkc).
        #[arg(long)]
        proof: Option<PathBuf>,
        /// Verifying key (default DIR/vk.zkc).
        #[arg(long)]
        vk: Option<PathBuf>,
        /// Public values (default DIR/public.json).
        #[arg(long)]
        public: Option<PathBuf>,
        /// Compiled circuit (default DIR/circuit.zkc).
        #[arg(long)]
        circuit: Option<PathBuf>,
    },
    /// Compile, set up, prove and verify in one go; writes every artifact and DIR/output.json.
    Fullprove {
        #[command(flatten)]
        model: ModelArgs,
        /// Input file.
        #[arg(long, short)]
        input: PathBuf,
        /// Proof system: halo2, plonky2 or groth16.
        #[arg(long, default_value = "halo2")]
        backend: String,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Calibration samples (default: the input itself).
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// plonky2: fold several proof directories into one recursive proof (writes OUT/).
    Aggregate {
        /// Proof directories made with `--backend plonky2` (same or different models).
        #[arg(required = true)]
        proofs: Vec<PathBuf>,
        /// Output directory for the aggregate proof.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Export a proof for another verifier: `snarkjs` (Groth16) writes verification_key.json,
    /// proof.json and public.json in snarkjs's format.
    Export {
        /// Target format.
        #[arg(value_parser = ["snarkjs"])]
        format: String,
        /// A Groth16 proof directory.
        dir: PathBuf,
        /// Output directory (default: DIR/snarkjs).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Compare proof systems on one model: compile, set up, prove and verify on each backend
    /// and print one table (constraints, times, sizes, peak memory, error, verified).
    Bench(bench::BenchArgs),
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
    Ok(onnx::load(
        &m.model,
        &onnx::ImportOptions {
            batch_size: m.batch,
            max_elements: m.max_elements,
        },
    )?)
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

fn spinner(msg: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// Reads IN.json against a compiled circuit's inputs.
fn circuit_inputs(file: &pipeline::CircuitFile, input: &Path) -> Result<Vec<zkc_ir::Tensor>> {
    let graph_inputs = &file.compiled.program.inputs;
    let p = input.display().to_string();
    let text = std::fs::read_to_string(input).with_context(|| format!("{p}: cannot read"))?;
    let lists = io::parse_input_lists(&text, &p)?;
    if lists.len() != graph_inputs.len() {
        bail!(
            "{p}: has {} input list(s) but the circuit has {} input(s)",
            lists.len(),
            graph_inputs.len()
        );
    }
    let mut tensors = Vec::new();
    for (i, (l, tv)) in lists.into_iter().zip(graph_inputs).enumerate() {
        if l.len() != tv.vars.len() {
            bail!(
                "{p}: input {i} `{}` has {} values but the circuit expects {} (shape {:?})",
                tv.name,
                l.len(),
                tv.vars.len(),
                tv.shape
            );
        }
        tensors.push(zkc_ir::Tensor::new(tv.shape.clone(), l));
    }
    Ok(tensors)
}

fn make_backend(name: &str, srs: Option<&Path>) -> Result<Box<dyn zkc_runtime::Backend>> {
    if let Some(s) = srs {
        if name != "halo2" {
            bail!("--srs applies to the halo2 backend only");
        }
        return Ok(Box::new(zkc_backend_halo2::Halo2::with_srs(s)));
    }
    Ok(prover::backend(name)?)
}

fn setup_keys(dir: &Path, file: &pipeline::CircuitFile, srs: Option<&Path>) -> Result<()> {
    let b = make_backend(&file.backend, srs)?;
    let pb = spinner(&format!("{} setup", file.backend));
    let keys = b.setup(&file.compiled.program)?;
    pb.finish_and_clear();
    prover::write_keys(dir, &file.backend, &file.compiled, &keys)?;
    if file.backend == "halo2" && srs.is_none() {
        eprintln!("note: the KZG SRS was generated locally from a public seed: a local trusted setup, fine for testing, not for production (use --srs with a ceremony file)");
    }
    Ok(())
}

fn prove_dir(dir: &Path, file: &pipeline::CircuitFile, inputs: &[zkc_ir::Tensor]) -> Result<prover::PublicFile> {
    let b = prover::backend(&file.backend)?;
    let h = file.compiled.program.hash();
    let (_, pk) = artifact::read(&dir.join("pk.zkc"), "proving-key", &file.backend, Some(&h))?;
    let trace = pipeline::witness(&file.compiled, inputs)?;
    let pb = spinner(&format!("{} prove", file.backend));
    let proof = b.prove(&file.compiled.program, &pk, &trace)?;
    pb.finish_and_clear();
    Ok(prover::write_proof(dir, &file.backend, &file.compiled, &trace, &proof)?)
}

struct VerifyFiles {
    circuit: PathBuf,
    vk: PathBuf,
    proof: PathBuf,
    public: PathBuf,
}

fn verify_files(f: &VerifyFiles) -> Result<()> {
    let file = pipeline::read_circuit(&f.circuit)?;
    let h = file.compiled.program.hash();
    let (_, vk) = artifact::read(&f.vk, "verifying-key", &file.backend, Some(&h))?;
    let (_, proof) = artifact::read(&f.proof, "proof", &file.backend, Some(&h))?;
    let public = prover::read_public(&f.public)?;
    if public.circuit_hash != h {
        bail!("{}: these public values are for another circuit", f.public.display());
    }
    let vals = public.values(&file.compiled, &f.public.display().to_string())?;
    let b = prover::backend(&file.backend)?;
    b.verify(&file.compiled.program, &vk, &vals, &proof)
        .context("the proof does NOT verify")?;
    Ok(())
}

/// Why a node's range is what it is (for `calibrate --explain`).
fn explain_reason(op: &zkc_ir::Op, has_const: bool) -> &'static str {
    use zkc_ir::ops::{PoolKind, PoolParams, ReduceKind};
    use zkc_ir::{Activation, BinaryOp, Op};
    match op {
        Op::MatMul | Op::Conv(_) | Op::ConvTranspose(_) if has_const => {
            "Σ|w|·bound(x) + |b| with fixed weights at the weight scale, rescaled to s"
        }
        Op::MatMul => "bound(a)·bound(b)·k from two witness operands (one Mul per term), rescaled to s",
        Op::Binary(BinaryOp::Add | BinaryOp::Sub) => "sum of the operands' bounds",
        Op::Binary(BinaryOp::Mul) => "product of the operands' bounds, rescaled to s",
        Op::Binary(BinaryOp::Div) => "quotient bound; a witness divisor is proven positive by the Div argument",
        Op::Activation(Activation::Relu | Activation::Clip { .. } | Activation::Abs | Activation::Neg) => {
            "max/min keep the input's bound"
        }
        Op::Activation(_) => "range of the lookup table over the input's proven range",
        Op::PRelu => "(1-α)·relu(x) + α·x keeps the input's bound",
        Op::Softmax { log: false, .. } => "probabilities in [0, 1]: exp by table, normalized by the Div argument",
        Op::Softmax { log: true, .. } => "x - max - log Σexp: the input's span plus the log table's range",
        Op::Pool(PoolParams {
            kind: PoolKind::Max, ..
        })
        | Op::Reduce {
            kind: ReduceKind::Max, ..
        } => "a maximum keeps the input's bound",
        Op::Pool(_) | Op::Reduce { .. } => "sum/average over the window: bound × coefficient sum",
        _ => "layout op: the same values and bound",
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Ops => {
            println!("{} supported ONNX ops:", onnx::SUPPORTED_OPS.len());
            for op in onnx::SUPPORTED_OPS {
                println!("  {op}");
            }
        }
        Command::Table {
            model,
            data,
            backends,
            quant,
        } => {
            let mut g = load(&model)?;
            let mut extra = table::Extra::default();
            let cfg = quant.config()?;
            if data.is_some() || cfg.input_range.is_some() {
                let samples = match &data {
                    Some(d) => io::read_samples(d, &g)?,
                    None => vec![],
                };
                let names = backends.unwrap_or_else(|| prover::available().iter().map(|s| s.to_string()).collect());
                let mut totals = Vec::new();
                extra.cells = vec![Vec::new(); g.nodes.len()];
                for name in &names {
                    let b = prover::backend(name)?;
                    let compiled = pipeline::compile(&g, &samples, cfg.clone(), name)?;
                    let cost = b.cost(&compiled.program);
                    extra.headers.push(format!("{name} {}", cost.unit));
                    for (i, row) in extra.cells.iter_mut().enumerate() {
                        row.push(
                            cost.per_node
                                .get(&i)
                                .map(|c| c.to_string())
                                .unwrap_or_else(|| "0".into()),
                        );
                    }
                    totals.push(format!("{name}: {} {} ({})", cost.total, cost.unit, cost.detail));
                    for (v, t) in g.values.iter_mut().zip(&compiled.types) {
                        if let Some(t) = t {
                            v.ty = *t;
                        }
                    }
                }
                print!("{}", table::render(&g, &extra));
                for t in totals {
                    println!("total {t}");
                }
            } else {
                print!("{}", table::render(&g, &extra));
                println!("(pass --data SAMPLES.json or --input-range R for scales, bits and cost per backend)");
            }
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
                    "{:<4} {:<24} {:<12} {:>5} {:>5} {:>12} {:>8}  reason",
                    "#", "node", "op", "scale", "bits", "range", "acc bits"
                );
                for (i, n) in g.nodes.iter().enumerate() {
                    let (s, b) = match compiled.types[n.output.0] {
                        Some(zkc_ir::ElemType::Fixed { scale, bits }) => (scale, bits),
                        _ => (0, 0),
                    };
                    let range = 2f64.powi(b as i32 - 1) / 2f64.powi(s as i32);
                    let consts = n.inputs.iter().any(|&v| g.value(v).constant.is_some());
                    println!(
                        "{:<4} {:<24} {:<12} {:>5} {:>5} {:>12} {:>8}  {}",
                        i,
                        n.name,
                        n.op.name(),
                        s,
                        b,
                        format!("±{range}"),
                        compiled.accumulator_bits[i],
                        explain_reason(&n.op, consts)
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
        Command::Mock { circuit, input } => {
            let file = pipeline::read_circuit(&circuit_path(&circuit))?;
            let inputs = circuit_inputs(&file, &input)?;
            let trace = pipeline::witness(&file.compiled, &inputs)?;
            let b = prover::backend(&file.backend)?;
            b.mock(&file.compiled.program, &trace)?;
            println!("mock ({}): all constraints satisfied", file.backend);
        }
        Command::Setup { circuit, srs } => {
            let cpath = circuit_path(&circuit);
            let file = pipeline::read_circuit(&cpath)?;
            let dir = cpath.parent().map(Path::to_path_buf).unwrap_or_default();
            setup_keys(&dir, &file, srs.as_deref())?;
            println!("keys written to {} (pk.zkc, vk.zkc)", dir.display());
        }
        Command::Prove { dir, input } => {
            let file = pipeline::read_circuit(&dir.join("circuit.zkc"))?;
            let inputs = circuit_inputs(&file, &input)?;
            let public = prove_dir(&dir, &file, &inputs)?;
            println!(
                "{}",
                serde_json::to_string(&io::OutputFile {
                    output_data: public.output_data
                })?
            );
            eprintln!("proof written to {}", dir.join("proof.zkc").display());
        }
        Command::Verify { dir: Some(d), .. } if d.join("aggregate.json").exists() => {
            let inner = prover::read_aggregate(&d)?;
            let tag = prover::aggregate_tag(&inner);
            let mut vks = Vec::new();
            let mut pairs = Vec::new();
            for (i, item) in inner.iter().enumerate() {
                let (_, vk) = artifact::read(
                    &d.join(format!("inner{i}_vk.zkc")),
                    "verifying-key",
                    "plonky2",
                    Some(&item.circuit_hash),
                )?;
                let vals = item
                    .public
                    .iter()
                    .map(|v| v.parse::<i128>())
                    .collect::<Result<Vec<_>, _>>()
                    .context("aggregate.json: bad public value")?;
                vks.push(vk.clone());
                pairs.push((vk, vals));
            }
            // The aggregate key is recomputed from the inner keys, not taken on trust.
            let agg_vk = zkc_backend_plonky2::aggregate_vk(&vks)?;
            let (_, agg_proof) =
                artifact::read(&d.join("aggregate_proof.zkc"), "aggregate-proof", "plonky2", Some(&tag))?;
            zkc_backend_plonky2::verify_aggregate(&agg_vk, &agg_proof, &pairs)
                .context("the aggregate proof does NOT verify")?;
            println!("aggregate proof verified ({} inner proofs)", inner.len());
        }
        Command::Verify {
            dir,
            proof,
            vk,
            public,
            circuit,
        } => {
            let d = dir.clone().unwrap_or_default();
            if dir.is_none() && (proof.is_none() || vk.is_none() || public.is_none() || circuit.is_none()) {
                bail!("give a proof directory, or all of --proof, --vk, --public and --circuit");
            }
            let files = VerifyFiles {
                circuit: circuit.unwrap_or_else(|| d.join("circuit.zkc")),
                vk: vk.unwrap_or_else(|| d.join("vk.zkc")),
                proof: proof.unwrap_or_else(|| d.join("proof.zkc")),
                public: public.unwrap_or_else(|| d.join("public.json")),
            };
            verify_files(&files)?;
            println!("proof verified");
        }
        Command::Fullprove {
            model,
            input,
            backend,
            out,
            data,
            quant,
        } => {
            let g = load(&model)?;
            let inputs = io::read_inputs(&input, &g)?;
            let samples = match &data {
                Some(d) => io::read_samples(d, &g)?,
                None => vec![inputs.clone()],
            };
            prover::backend(&backend)?;
            let compiled = pipeline::compile(&g, &samples, quant.config()?, &backend)?;
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            pipeline::write_circuit(&out.join("circuit.zkc"), &backend, &compiled)?;
            let file = pipeline::CircuitFile {
                backend: backend.clone(),
                compiled,
            };
            setup_keys(&out, &file, None)?;
            let public = prove_dir(&out, &file, &inputs)?;
            verify_files(&VerifyFiles {
                circuit: out.join("circuit.zkc"),
                vk: out.join("vk.zkc"),
                proof: out.join("proof.zkc"),
                public: out.join("public.json"),
            })?;
            println!(
                "{}",
                serde_json::to_string(&io::OutputFile {
                    output_data: public.output_data
                })?
            );
            eprintln!("proof verified; artifacts in {}", out.display());
        }
        Command::Aggregate { proofs, out } => {
            let mut items = Vec::new();
            let mut inner = Vec::new();
            for d in &proofs {
                let file = pipeline::read_circuit(&d.join("circuit.zkc"))?;
                if file.backend != "plonky2" {
                    bail!(
                        "{}: aggregation needs plonky2 proofs but this one is {}; prove it with --backend plonky2",
                        d.display(),
                        file.backend
                    );
                }
                let h = file.compiled.program.hash();
                let (_, vk) = artifact::read(&d.join("vk.zkc"), "verifying-key", "plonky2", Some(&h))?;
                let (_, proof) = artifact::read(&d.join("proof.zkc"), "proof", "plonky2", Some(&h))?;
                let public = prover::read_public(&d.join("public.json"))?;
                let vals = public.values(&file.compiled, &d.join("public.json").display().to_string())?;
                inner.push(prover::AggregateInner {
                    circuit_hash: h,
                    public: public.public.clone(),
                    output_data: public.output_data.clone(),
                });
                items.push((file.compiled.program, vk, proof, vals));
            }
            let pb = spinner(&format!("aggregating {} proofs", items.len()));
            let args: Vec<_> = items
                .iter()
                .map(|(p, vk, proof, _)| (p.clone(), vk.clone(), proof.clone()))
                .collect();
            let (agg_vk, agg_proof) = zkc_backend_plonky2::aggregate(&args)?;
            pb.finish_and_clear();
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let tag = prover::aggregate_tag(&inner);
            for (i, (_, vk, _, _)) in items.iter().enumerate() {
                artifact::write(
                    &out.join(format!("inner{i}_vk.zkc")),
                    &artifact::Header::new("verifying-key", "plonky2", &inner[i].circuit_hash),
                    vk,
                )?;
            }
            artifact::write(
                &out.join("aggregate_vk.zkc"),
                &artifact::Header::new("aggregate-verifying-key", "plonky2", &tag),
                &agg_vk,
            )?;
            artifact::write(
                &out.join("aggregate_proof.zkc"),
                &artifact::Header::new("aggregate-proof", "plonky2", &tag),
                &agg_proof,
            )?;
            prover::write_aggregate(&out, &inner)?;
            println!("aggregated {} proofs into {}", items.len(), out.display());
        }
        Command::Export { format, dir, out } => {
            debug_assert_eq!(format, "snarkjs");
            let file = pipeline::read_circuit(&dir.join("circuit.zkc"))?;
            if file.backend != "groth16" {
                bail!(
                    "{}: snarkjs export needs a Groth16 proof but this one is {}",
                    dir.display(),
                    file.backend
                );
            }
            let h = file.compiled.program.hash();
            let (_, vk) = artifact::read(&dir.join("vk.zkc"), "verifying-key", "groth16", Some(&h))?;
            let (_, proof) = artifact::read(&dir.join("proof.zkc"), "proof", "groth16", Some(&h))?;
            let public = prover::read_public(&dir.join("public.json"))?;
            let vals = public.values(&file.compiled, &dir.join("public.json").display().to_string())?;
            let out = out.unwrap_or_else(|| dir.join("snarkjs"));
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            zkc_backend_groth16::export_snarkjs(&vk, &proof, &vals, &out)?;
            println!("snarkjs files written to {} (check with: snarkjs groth16 verify verification_key.json public.json proof.json)", out.display());
        }
        Command::Bench(args) => bench::run(args)?,
        Command::Witness { circuit, input, output } => {
            let cpath = circuit_path(&circuit);
            let file = pipeline::read_circuit(&cpath)?;
            let tensors = circuit_inputs(&file, &input)?;
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

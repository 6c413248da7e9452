//! The `zkc` command line: argument parsing and one function per command, in the library so
//! that the `zkc` binary and the Python package run the very same code.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::quant_cli::{QuantArgs, VisibilityArgs};
use crate::{bench, io, onnx, passes_cli, pipeline, prover, table};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use zkc_passes::{QuantConfig, Visibility};
use zkc_runtime::artifact;

/// zkc compiles an ONNX neural network into a zero-knowledge proof of its inference,
/// on the proof system you pick (halo2, plonky2 or Groth16).
///
/// Typical flow: `zkc fullprove MODEL.onnx --input IN.json --backend halo2 --out DIR` proves
/// in one go (compile, setup, prove, verify); step by step: `compile`, `setup`, `prove`,
/// `verify DIR`. `zkc run --fixed` shows the fixed-point outputs a proof attests to;
/// `zkc bench` compares the proof systems on a model.
#[derive(Parser)]
#[command(name = "zkc", version, about, long_about)]
pub struct Cli {
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

/// What the verifier expects the proof to be about; each is checked after the proof verifies.
#[derive(Args, Clone, Default)]
struct Expect {
    /// The proven inputs must be this IN.json: compared value by value when the inputs are
    /// public, through their commitment when hashed.
    #[arg(long, value_name = "IN.json")]
    expect_input: Option<PathBuf>,
    /// The proven outputs must be this OUT.json ({"output_data": ...}): value by value when
    /// public, through their commitment when hashed.
    #[arg(long, value_name = "OUT.json")]
    expect_output: Option<PathBuf>,
    /// A commitment the proof must carry, as GROUP=0x... with GROUP input, params or output
    /// (the value `zkc hash` printed beforehand). Repeatable.
    #[arg(long, value_name = "GROUP=HEX")]
    expect_hash: Vec<String>,
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
        /// Also write the table as JSON to this file: headers, one row of cells per node,
        /// inputs, outputs, parameter count and the per-backend totals.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        #[command(flatten)]
        quant: QuantArgs,
        #[command(flatten)]
        passes: passes_cli::PassArgs,
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
        /// With --fixed: compute what this backend's circuit computes (its field, and its cost
        /// model steering the passes), i.e. exactly the outputs its proofs attest to [default:
        /// a generic 252-bit field, passes steered by Groth16's cost model].
        #[arg(long)]
        backend: Option<String>,
        #[command(flatten)]
        quant: QuantArgs,
        #[command(flatten)]
        passes: passes_cli::PassArgs,
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
        /// Also write what was chosen as JSON to this file: the scales, each input's range,
        /// each node's scale, bits, range and reason, and the output error.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
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
        #[command(flatten)]
        passes: passes_cli::PassArgs,
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
        /// Derive the setup randomness (Groth16's toxic waste, halo2's SRS) from this text, for
        /// byte-identical keys in tests and benchmarks. INSECURE: anyone who knows the text can
        /// forge proofs for these keys.
        #[arg(long, value_name = "TEXT", conflicts_with = "srs")]
        insecure_seed: Option<String>,
        /// Optional: the visibility you expect the circuit to have (checked, not changed).
        #[command(flatten)]
        visibility: VisibilityArgs,
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
        /// For an aggregate: the verifying key (vk.zkc) you trust for its inner proofs, one per
        /// inner proof in order, or one for all. Without it the inner keys stored in the
        /// aggregate directory are taken as they are.
        #[arg(long = "inner-vk", value_name = "VK")]
        inner_vk: Vec<PathBuf>,
        /// halo2: the SRS the keys were made with (default: this machine's cached local one),
        /// used to rebuild the verifying key from the circuit instead of trusting vk.zkc.
        #[arg(long, value_name = "FILE")]
        srs: Option<PathBuf>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Compute, outside any circuit, the Poseidon commitment that `--*-visibility hashed`
    /// makes public, so that it can be published before proving. Prints it as 0x and 64 hex
    /// digits, the form `zkc verify --expect-hash` and public.json use.
    Hash {
        /// IN.json ({"input_data": ...}), OUT.json ({"output_data": ...}), or the params.zkc
        /// that `zkc compile` writes for non-fixed weights (over BN254 hashed packed, as the
        /// circuit hashes them).
        file: PathBuf,
        /// Whose hash: halo2 and groth16 share Poseidon over BN254, plonky2 uses Poseidon over
        /// Goldilocks.
        #[arg(long, default_value = "halo2")]
        backend: String,
        /// The circuit's fixed-point scale (its --scale; default 14, 16 with --target accuracy,
        /// 8 with --target constraints).
        #[arg(long)]
        scale: Option<u32>,
        /// Take the backend and scale from this compiled circuit (DIR or DIR/circuit.zkc).
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
        #[command(flatten)]
        passes: passes_cli::PassArgs,
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
    /// Export a Groth16 proof for another verifier. `snarkjs`: verification_key.json,
    /// proof.json and public.json in snarkjs's format. `solidity`: Verifier.sol (an on-chain
    /// verifier contract) and calldata.hex (the verifyProof call for this proof); when solcjs
    /// is available it is compiled and the call executed in an EVM (revm), printing the gas.
    Export {
        /// Target format.
        #[arg(value_parser = ["snarkjs", "solidity"])]
        format: String,
        /// A Groth16 proof directory.
        dir: PathBuf,
        /// Output directory (default: DIR/snarkjs or DIR/solidity).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// solidity: the solcjs command (npm package `solc`; default: `solcjs` on PATH, then
        /// .ci/node/node_modules/.bin/solcjs).
        #[arg(long)]
        solcjs: Option<PathBuf>,
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
            ..Default::default()
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

/// `zkc table --json`: the rows and the per-backend totals.
fn write_table_json(path: &Path, rows: &table::Rows, totals: &[String]) -> Result<()> {
    let mut v = serde_json::to_value(rows)?;
    v["totals"] = serde_json::json!(totals);
    write_json(path, &v)
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
    let pb = indicatif::ProgressBar::with_draw_target(None, crate::progress::target());
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
    let bad = |reason: String| io::DataError::Format {
        path: p.clone(),
        reason,
    };
    if lists.len() != graph_inputs.len() {
        return Err(bad(format!(
            "has {} input list(s) but the circuit has {} input(s)",
            lists.len(),
            graph_inputs.len()
        ))
        .into());
    }
    let mut tensors = Vec::new();
    for (i, (l, tv)) in lists.into_iter().zip(graph_inputs).enumerate() {
        if l.len() != tv.vars.len() {
            return Err(bad(format!(
                "input {i} `{}` has {} values but the circuit expects {} (shape {:?})",
                tv.name,
                l.len(),
                tv.vars.len(),
                tv.shape
            ))
            .into());
        }
        tensors.push(zkc_ir::Tensor::new(tv.shape.clone(), l));
    }
    Ok(tensors)
}

/// Refuses, before anything is written, a circuit the backend cannot hold (a lookup table or
/// division too wide for Goldilocks, more rows than halo2 supports): the backend's own
/// message names the argument, its node and what to lower. The passes already costed the
/// final program; the backend is asked again only for the message.
fn fits_backend(model: &Path, backend: &str, opt: &zkc_passes::optimize::Optimized) -> Result<()> {
    if opt.report.after != u64::MAX {
        return Ok(());
    }
    let cost = prover::backend(backend)?.cost(&opt.compiled.program);
    if cost.total == u64::MAX {
        bail!(
            "{}: {} (a smaller --scale lowers it; or choose another backend)",
            model.display(),
            cost.detail.trim_start_matches("does not fit: ")
        );
    }
    Ok(())
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

/// Generates and writes the keys; `seed` (`--insecure-seed`) derives the setup randomness.
fn setup_keys(dir: &Path, file: &pipeline::CircuitFile, srs: Option<&Path>, seed: Option<&str>) -> Result<()> {
    let b = make_backend(&file.backend, srs)?;
    let pb = spinner(&format!("{} setup", file.backend));
    let keys = match seed {
        Some(seed) => b.setup_with_seed(&file.compiled.program, seed.as_bytes())?,
        None => b.setup(&file.compiled.program)?,
    };
    pb.finish_and_clear();
    prover::write_keys(dir, file, &keys)?;
    if seed.is_some() {
        eprintln!("warning: keys derived from --insecure-seed: anyone who knows the seed can forge proofs for them (tests and benchmarks only)");
    } else if file.backend == "halo2" && srs.is_none() {
        eprintln!("note: the KZG SRS was generated on this machine (fresh randomness, cached): a local trusted setup that convinces only whoever trusts this machine; for proofs meant for others use --srs with a ceremony file");
    }
    Ok(())
}

/// Proves into `dir`; returns the prover's outputs (whatever their visibility).
fn prove_dir(dir: &Path, file: &pipeline::CircuitFile, inputs: &[zkc_ir::Tensor]) -> Result<io::OutputFile> {
    let b = prover::backend(&file.backend)?;
    let h = file.compiled.program.hash();
    let (pk_header, pk) = artifact::read(&dir.join("pk.zkc"), "proving-key", &file.backend, Some(&h))?;
    pipeline::check_contents(&dir.join("pk.zkc"), &pk_header, file)?;
    let trace = pipeline::witness(&file.compiled, inputs)?;
    let pb = spinner(&format!("{} prove", file.backend));
    let proof = b.prove(&file.compiled.program, &pk, &trace)?;
    pb.finish_and_clear();
    let (_, outputs) = prover::write_proof(dir, file, &trace, &proof)?;
    Ok(outputs)
}

struct VerifyFiles {
    circuit: PathBuf,
    vk: PathBuf,
    proof: PathBuf,
    public: PathBuf,
    /// Whether to rebuild the verifying key from the circuit (not when this run just made it),
    /// and the halo2 SRS to rebuild it with (`--srs`).
    check_key: Option<Option<PathBuf>>,
}

/// Verifies a proof; returns its circuit and the public values it was checked against.
/// With `check_key`, first checks that the verifying key is the circuit's own where the
/// backend can rebuild it, and prints what was established.
fn verify_files(f: &VerifyFiles) -> Result<(pipeline::CircuitFile, Vec<i128>)> {
    let file = pipeline::read_circuit(&f.circuit)?;
    let h = file.compiled.program.hash();
    let (vk_header, vk) = artifact::read(&f.vk, "verifying-key", &file.backend, Some(&h))?;
    pipeline::check_contents(&f.vk, &vk_header, &file)?;
    let (proof_header, proof) = artifact::read(&f.proof, "proof", &file.backend, Some(&h))?;
    pipeline::check_contents(&f.proof, &proof_header, &file)?;
    let public = prover::read_public(&f.public)?;
    if public.circuit_hash != h {
        bail!("{}: these public values are for another circuit", f.public.display());
    }
    let vals = public.values(&file.compiled, &f.public.display().to_string())?;
    let b = match &f.check_key {
        Some(srs) => make_backend(&file.backend, srs.as_deref())?,
        None => prover::backend(&file.backend)?,
    };
    if f.check_key.is_some() {
        let pb = spinner(&format!("{} checking the verifying key", file.backend));
        let checked = b
            .check_verifying_key(&file.compiled.program, &vk)
            .with_context(|| Rejected(format!("{}: the proof does NOT verify", f.vk.display())))?;
        pb.finish_and_clear();
        match checked {
            zkc_runtime::KeyCheck::Rebuilt(how) => println!("{how}"),
            zkc_runtime::KeyCheck::Trusted(why) => println!("note: {why}"),
        }
    }
    b.verify(&file.compiled.program, &vk, &vals, &proof)
        .context(Rejected("the proof does NOT verify".into()))?;
    Ok((file, vals))
}

/// Integers of a float file at each tensor's scale.
fn quantize_lists(lists: &[Vec<f64>], tvs: &[zkc_runtime::TensorVars], what: &str) -> Result<Vec<i128>> {
    if lists.len() != tvs.len() {
        bail!("{what} has {} lists but the circuit has {}", lists.len(), tvs.len());
    }
    let mut out = Vec::new();
    for (l, tv) in lists.iter().zip(tvs) {
        if l.len() != tv.vars.len() {
            bail!(
                "{what}: `{}` has {} values, the circuit has {}",
                tv.name,
                l.len(),
                tv.vars.len()
            );
        }
        out.extend(l.iter().map(|v| (v * (1u64 << tv.scale) as f64).round() as i128));
    }
    Ok(out)
}

/// Checks what the verifier expects against the verified public values; one line per check.
fn check_expectations(file: &pipeline::CircuitFile, vals: &[i128], e: &Expect) -> Result<Vec<String>> {
    let c = &file.compiled;
    let sec = prover::Sections::of(c);
    let mut done = Vec::new();
    let mut compare = |group: &str, ints: &[i128], what: &Path| -> Result<()> {
        let (range, vis) = sec.group(c, group).expect("known group");
        match vis {
            Visibility::Public => {
                if let Some(i) = (0..ints.len()).find(|&i| vals[range.start + i] != ints[i]) {
                    return Err(Rejected(format!(
                        "{}: the proof is about a different {group}: value {i} is {} in the proof, {} here",
                        what.display(),
                        vals[range.start + i],
                        ints[i]
                    ))
                    .into());
                }
            }
            Visibility::Hashed => {
                let (have, want) = (
                    prover::digest_hex(&vals[range]),
                    prover::commitment(&file.backend, group, ints),
                );
                if have != want {
                    return Err(Rejected(format!(
                        "{}: the proof commits to a different {group}: {have} in the proof, {want} for this file",
                        what.display()
                    ))
                    .into());
                }
            }
            v => bail!(
                "the circuit's {group} is {v}: the proof says nothing about it, so --expect-{group} cannot be checked"
            ),
        }
        done.push(format!("{group} matches {}", what.display()));
        Ok(())
    };
    if let Some(p) = &e.expect_input {
        let tensors = circuit_inputs(file, p)?;
        let ints = zkc_passes::lower::quantize_inputs(c, &tensors)?;
        compare("input", &ints, p)?;
    }
    if let Some(p) = &e.expect_output {
        let out = io::read_outputs(p)?;
        let ints = quantize_lists(&out.output_data, &c.program.outputs, &p.display().to_string())?;
        compare("output", &ints, p)?;
    }
    for spec in &e.expect_hash {
        let Some((group, hex)) = spec.split_once('=') else {
            bail!("--expect-hash `{spec}`: write GROUP=0x... with GROUP input, params or output");
        };
        let Some((range, vis)) = sec.group(c, group) else {
            bail!("--expect-hash `{spec}`: unknown group `{group}`; use input, params or output");
        };
        if vis != Visibility::Hashed {
            bail!("--expect-hash {group}=...: the circuit's {group} is {vis}, not hashed");
        }
        let want = prover::digest_hex(&prover::parse_digest_hex(hex).map_err(anyhow::Error::msg)?);
        let have = prover::digest_hex(&vals[range]);
        if have != want {
            return Err(Rejected(format!("the proof commits to {group} {have}, not the expected {want}")).into());
        }
        done.push(format!("{group} commitment matches {want}"));
    }
    Ok(done)
}

/// `zkc export solidity`: the contract and the call, then (with solcjs) compile and run it.
fn export_solidity(vk: &[u8], proof: &[u8], public: &[i128], out: &Path, solcjs: Option<&Path>) -> Result<()> {
    let source = zkc_backend_groth16::export_solidity(vk)?;
    let calldata = zkc_backend_groth16::evm_calldata(proof, public)?;
    let write = |name: &str, text: &str| -> Result<()> {
        let p = out.join(name);
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &p).with_context(|| format!("cannot write {}", p.display()))
    };
    write("Verifier.sol", &source)?;
    write("calldata.hex", &format!("0x{}\n", hex::encode(&calldata)))?;
    println!(
        "Verifier.sol and calldata.hex (verifyProof with this proof, {} public values) written to {}",
        public.len(),
        out.display()
    );
    let solcjs = solcjs.map(Path::to_path_buf).or_else(|| {
        let on_path = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|d| d.join("solcjs"))
            .find(|p| p.is_file());
        on_path.or_else(|| {
            let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/node/node_modules/.bin/solcjs");
            repo.is_file().then_some(repo)
        })
    });
    let Some(solcjs) = solcjs else {
        println!("gas: not measured — solcjs not found (npm install solc, or pass --solcjs PATH)");
        return Ok(());
    };
    let code = zkc_backend_groth16::compile_solidity(&source, &solcjs)?;
    #[cfg(feature = "evm")]
    {
        let (ok, gas) = zkc_backend_groth16::verify_in_evm(&code, proof, public)?;
        if !ok {
            bail!("the exported verifier REJECTS this proof in the EVM (gas {gas})");
        }
        println!("EVM (revm): verifyProof returned true, gas used {gas}");
    }
    #[cfg(not(feature = "evm"))]
    println!(
        "compiled ({} bytes of creation code); gas: not measured — this zkc was built without the `evm` feature",
        code.len()
    );
    Ok(())
}

/// `zkc hash`: the commitment of a data or params file, as 0x and 64 hex digits; the backend
/// and scale from `circuit` when given.
pub fn hash_file(file: &Path, backend: &str, scale: Option<u32>, circuit: Option<&Path>) -> Result<String> {
    let (backend, scale) = match circuit {
        Some(cp) => {
            let f = pipeline::read_circuit(&circuit_path(cp))?;
            (f.backend.clone(), f.compiled.plan.config.scale)
        }
        None => {
            prover::backend(backend)?;
            (backend.to_string(), scale.unwrap_or(QuantConfig::default().scale))
        }
    };
    if scale > 24 {
        bail!("--scale {scale} is too large (at most 24)");
    }
    let p = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("{p}: cannot read"))?;
    let (group, ints): (&str, Vec<i128>) = if bytes.starts_with(b"{")
        || bytes.starts_with(b"[")
        || bytes.first().is_some_and(u8::is_ascii_whitespace)
    {
        let v: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| format!("{p}: not JSON"))?;
        let (group, lists) = if v.get("input_data").is_some() {
            ("input", io::parse_input_lists(std::str::from_utf8(&bytes)?, &p)?)
        } else if v.get("output_data").is_some() {
            ("output", io::read_outputs(file)?.output_data)
        } else {
            bail!("{p}: expected {{\"input_data\": ...}} or {{\"output_data\": ...}}");
        };
        let ints = lists
            .iter()
            .flatten()
            .map(|x| (x * (1u64 << scale) as f64).round() as i128)
            .collect();
        (group, ints)
    } else {
        let (header, payload) = artifact::read_any(file).with_context(|| {
                format!("{p} is neither JSON nor params.zkc; zkc hash takes IN.json ({{\"input_data\": ...}}), OUT.json ({{\"output_data\": ...}}) or params.zkc")
            })?;
        if header.kind != "params" {
            bail!(
                "{p}: a {} file; zkc hash takes IN.json, OUT.json or params.zkc",
                header.kind
            );
        }
        if circuit.is_none() && header.backend != backend {
            bail!(
                "{p}: parameters of a {} circuit; pass --backend {}",
                header.backend,
                header.backend
            );
        }
        let text: Vec<String> = serde_json::from_slice(&payload).with_context(|| format!("{p}: damaged"))?;
        let ints = text
            .iter()
            .map(|t| t.parse::<i128>().with_context(|| format!("{p}: damaged value `{t}`")))
            .collect::<Result<_>>()?;
        ("params", ints)
    };
    Ok(prover::commitment(&backend, group, &ints))
}

/// One node's fixed-point type and why (a row of `calibrate --explain`, an entry of its --json).
#[derive(serde::Serialize)]
struct NodeRange {
    name: String,
    op: String,
    scale: u32,
    bits: u32,
    /// The value range the type admits: ±2^(bits-1) / 2^scale.
    range: f64,
    accumulator_bits: u32,
    reason: &'static str,
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
        Op::Binary(BinaryOp::Max | BinaryOp::Min) => "a maximum or minimum keeps the larger operand bound",
        Op::Activation(Activation::Floor | Activation::Ceil | Activation::Round) => {
            "an integer part by exact Rescales keeps the input's bound (rounded up to an integer)"
        }
        Op::Activation(Activation::Reciprocal) => "1/x by the Div argument: bounded by the smallest |x| in range",
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
        Op::Logic(_) => "0 or 1: Max arguments on the operands' difference or truth values",
        Op::Where => "one of the two values, chosen by a 0/1 truth value: the larger bound",
        Op::Mod { .. } => "a remainder by a constant divisor (Div arguments): below the divisor",
        _ => "layout op: the same values and bound",
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Ops => {
            // Written without println!, so that `zkc ops | head` ends quietly on a closed pipe.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{} supported ONNX ops:", onnx::SUPPORTED_OPS.len());
            for op in onnx::SUPPORTED_OPS {
                if writeln!(out, "  {op}").is_err() {
                    break;
                }
            }
        }
        Command::Table {
            model,
            data,
            backends,
            json,
            quant,
            passes,
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
                for t in &totals {
                    println!("total {t}");
                }
                if let Some(p) = &json {
                    write_table_json(p, &table::rows(&g, &extra), &totals)?;
                }
                let set = passes.set().map_err(anyhow::Error::msg)?;
                if set.any() {
                    let orig = load(&model)?;
                    print!("{}", passes_cli::table_after(&orig, &samples, &cfg, &names, set)?);
                }
            } else {
                print!("{}", table::render(&g, &extra));
                println!("(pass --data SAMPLES.json or --input-range R for scales, bits and cost per backend)");
                if let Some(p) = &json {
                    write_table_json(p, &table::rows(&g, &extra), &[])?;
                }
            }
        }
        Command::Run {
            model,
            input,
            output,
            fixed,
            data,
            backend,
            quant,
            passes,
        } => {
            let g = load(&model)?;
            let inputs = io::read_inputs(&input, &g)?;
            if backend.is_some() && !fixed {
                bail!("--backend only matters with --fixed (the float run is the same for every backend)");
            }
            let outs = if fixed {
                let samples = match &data {
                    Some(d) => io::read_samples(d, &g)?,
                    None => vec![inputs.clone()],
                };
                let opt = passes_cli::compile(
                    &g,
                    &samples,
                    quant.config()?,
                    backend.as_deref().unwrap_or("none"),
                    passes.set().map_err(anyhow::Error::msg)?,
                )?;
                if passes.explain_passes {
                    eprint!("{}", opt.report.explain());
                }
                let compiled = opt.compiled;
                let trace = pipeline::witness(&compiled, &inputs)?;
                pipeline::outputs(&compiled, &trace)
            } else {
                g.run(&inputs)
                    .with_context(|| format!("running {}", model.model.display()))?
            };
            let file = io::outputs_file(&outs).with_kinds(&g.output_kinds);
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
            json,
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
            let mut inputs_json = Vec::new();
            for (i, &id) in g.inputs.iter().enumerate() {
                println!(
                    "input `{}`: range ±{} (largest |value| seen {}, margin ×{})",
                    g.value(id).name,
                    plan.input_ranges[i],
                    plan.input_observed[i],
                    plan.config.input_margin
                );
                inputs_json.push(serde_json::json!({
                    "name": g.value(id).name,
                    "range": plan.input_ranges[i],
                    "observed": plan.input_observed[i],
                    "margin": plan.config.input_margin,
                }));
            }
            let mut worst = 0.0f64;
            for s in &samples {
                let float = g.run(s)?;
                let trace = pipeline::witness(&compiled, s)?;
                worst = worst.max(max_abs_err(&pipeline::outputs(&compiled, &trace), &float));
            }
            let nodes: Vec<NodeRange> = g
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let (scale, bits) = match compiled.types[n.output.0] {
                        Some(zkc_ir::ElemType::Fixed { scale, bits }) => (scale, bits),
                        _ => (0, 0),
                    };
                    let consts = n.inputs.iter().any(|&v| g.value(v).constant.is_some());
                    NodeRange {
                        name: n.name.clone(),
                        op: n.op.name(),
                        scale,
                        bits,
                        range: 2f64.powi(bits as i32 - 1) / 2f64.powi(scale as i32),
                        accumulator_bits: compiled.accumulator_bits[i],
                        reason: explain_reason(&n.op, consts),
                    }
                })
                .collect();
            if explain {
                println!(
                    "{:<4} {:<24} {:<12} {:>5} {:>5} {:>12} {:>8}  reason",
                    "#", "node", "op", "scale", "bits", "range", "acc bits"
                );
                for (i, r) in nodes.iter().enumerate() {
                    println!(
                        "{:<4} {:<24} {:<12} {:>5} {:>5} {:>12} {:>8}  {}",
                        i,
                        r.name,
                        r.op,
                        r.scale,
                        r.bits,
                        format!("±{}", r.range),
                        r.accumulator_bits,
                        r.reason
                    );
                }
            }
            println!("fixed-point output error on the calibration samples: max |Δ| = {worst:.3e}");
            if let Some(p) = &json {
                let v = serde_json::json!({
                    "scale": plan.config.scale,
                    "weight_scale": plan.config.weight_scale,
                    "lookup_bits": plan.config.lookup_bits,
                    "samples": plan.samples,
                    "inputs": inputs_json,
                    "nodes": nodes,
                    "max_abs_error": worst,
                    "arguments": compiled.program.arguments.len(),
                    "witness_values": compiled.program.num_vars,
                });
                write_json(p, &v)?;
            }
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
            passes,
        } => {
            let g = load(&model)?;
            let cfg = quant.config()?;
            let samples = match &data {
                Some(d) => io::read_samples(d, &g)?,
                None if cfg.input_range.is_some() => vec![],
                None => bail!("compile needs calibration data (--data SAMPLES.json) or an explicit --input-range"),
            };
            let opt = passes_cli::compile(&g, &samples, cfg, &backend, passes.set().map_err(anyhow::Error::msg)?)?;
            if passes.explain_passes {
                print!("{}", opt.report.explain());
            }
            fits_backend(&model.model, &backend, &opt)?;
            let compiled = opt.compiled;
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
            if compiled.param_count > 0 {
                eprintln!(
                    "the {} weights and biases are witness values: they are in {} — keep it with the prover, never hand it to verifiers",
                    compiled.param_count,
                    pipeline::params_path(&path).display()
                );
            }
        }
        Command::Mock { circuit, input } => {
            let file = pipeline::read_circuit(&circuit_path(&circuit))?;
            let inputs = circuit_inputs(&file, &input)?;
            let trace = pipeline::witness(&file.compiled, &inputs)?;
            let b = prover::backend(&file.backend)?;
            b.mock(&file.compiled.program, &trace)?;
            println!("mock ({}): all constraints satisfied", file.backend);
        }
        Command::Setup {
            circuit,
            srs,
            insecure_seed,
            visibility,
        } => {
            let cpath = circuit_path(&circuit);
            let file = pipeline::read_circuit(&cpath)?;
            visibility.check(&cpath, file.compiled.plan.config.visibility)?;
            let dir = cpath.parent().map(Path::to_path_buf).unwrap_or_default();
            setup_keys(&dir, &file, srs.as_deref(), insecure_seed.as_deref())?;
            println!("keys written to {} (pk.zkc, vk.zkc)", dir.display());
        }
        Command::Prove { dir, input } => {
            let file = pipeline::read_circuit(&dir.join("circuit.zkc"))?;
            let inputs = circuit_inputs(&file, &input)?;
            let outputs = prove_dir(&dir, &file, &inputs)?;
            println!("{}", serde_json::to_string(&outputs)?);
            eprintln!("proof written to {}", dir.join("proof.zkc").display());
        }
        Command::Verify {
            dir: Some(d), inner_vk, ..
        } if d.join("aggregate.json").exists() => {
            let inner = prover::read_aggregate(&d)?;
            let tag = prover::aggregate_tag(&inner);
            if !(inner_vk.is_empty() || inner_vk.len() == 1 || inner_vk.len() == inner.len()) {
                bail!(
                    "--inner-vk: give one verifying key for all {} inner proofs, or one per inner proof ({} given)",
                    inner.len(),
                    inner_vk.len()
                );
            }
            let trusted = inner_vk
                .iter()
                .map(|p| Ok((p, artifact::read(p, "verifying-key", "plonky2", None)?.1)))
                .collect::<Result<Vec<_>>>()?;
            let mut vks = Vec::new();
            let mut pairs = Vec::new();
            let mut report = Vec::new();
            let plonky2 = prover::backend("plonky2")?;
            for (i, item) in inner.iter().enumerate() {
                // The inner circuit by content: its file, whose program hash must be the one
                // aggregate.json names, and the inner key rebuilt from it (plonky2's circuit
                // digest alone does not cover the gates, where weights and tables live).
                let cpath = d.join(format!("inner{i}_circuit.zkc"));
                if !cpath.exists() {
                    bail!(
                        "{}: missing; an aggregate carries each inner circuit so that its key can be rebuilt (this one was made by an older zkc: aggregate the proofs again)",
                        cpath.display()
                    );
                }
                let file = pipeline::read_circuit(&cpath)?;
                let h = file.compiled.program.hash();
                if h != item.circuit_hash || file.backend != "plonky2" {
                    bail!(
                        "{}: this is not the circuit aggregate.json names for inner proof {i} ({} circuit {h}, expected plonky2 circuit {})",
                        cpath.display(),
                        file.backend,
                        item.circuit_hash
                    );
                }
                let (_, vk) = artifact::read(
                    &d.join(format!("inner{i}_vk.zkc")),
                    "verifying-key",
                    "plonky2",
                    Some(&item.circuit_hash),
                )?;
                match plonky2
                    .check_verifying_key(&file.compiled.program, &vk)
                    .with_context(|| Rejected(format!("inner proof {i}: inner{i}_vk.zkc is not the key of inner{i}_circuit.zkc; the aggregate does NOT verify")))?
                {
                    zkc_runtime::KeyCheck::Rebuilt(_) => {}
                    zkc_runtime::KeyCheck::Trusted(why) => bail!("inner proof {i}: {why}"),
                }
                // The values: the outputs (and public inputs) aggregate.json reports are what
                // they encode, and the public inputs lie in the inner circuit's range.
                let vals = item.values(
                    &file.compiled,
                    &format!("{} (inner proof {i})", d.join("aggregate.json").display()),
                )?;
                report.push(format!(
                    "inner proof {i}: circuit {} (key rebuilt from inner{i}_circuit.zkc), outputs {}",
                    &h[..16],
                    serde_json::to_string(&item.output_data)?
                ));
                // One trusted key for all inner proofs, or one each.
                if let Some((path, want)) = trusted.get(if trusted.len() == 1 { 0 } else { i }) {
                    if *want != vk {
                        return Err(Rejected(format!(
                            "inner proof {i} of {} was made with another verifying key than {} (another model or setup)",
                            d.display(),
                            path.display()
                        ))
                        .into());
                    }
                }
                vks.push(vk.clone());
                pairs.push((vk, vals));
            }
            // The aggregate key is recomputed from the inner keys, not taken on trust.
            let agg_vk = zkc_backend_plonky2::aggregate_vk(&vks)?;
            let (_, agg_proof) =
                artifact::read(&d.join("aggregate_proof.zkc"), "aggregate-proof", "plonky2", Some(&tag))?;
            zkc_backend_plonky2::verify_aggregate(&agg_vk, &agg_proof, &pairs)
                .context(Rejected("the aggregate proof does NOT verify".into()))?;
            println!("aggregate proof verified ({} inner proofs)", inner.len());
            for line in report {
                println!("{line}");
            }
            if trusted.is_empty() {
                println!(
                    "note: the inner circuits are the ones stored in {} (hashes above); pass --inner-vk with the verifying keys you trust to check that they are the circuits you mean",
                    d.display()
                );
            } else {
                println!("inner verifying keys: identical to the --inner-vk keys given");
            }
        }
        Command::Verify {
            dir,
            proof,
            vk,
            public,
            circuit,
            inner_vk,
            srs,
            expect,
        } => {
            if !inner_vk.is_empty() {
                bail!("--inner-vk applies to an aggregate directory (one with aggregate.json); for a single proof pass --vk");
            }
            let d = dir.clone().unwrap_or_default();
            if dir.is_none() && (proof.is_none() || vk.is_none() || public.is_none() || circuit.is_none()) {
                bail!("give a proof directory, or all of --proof, --vk, --public and --circuit");
            }
            let files = VerifyFiles {
                circuit: circuit.unwrap_or_else(|| d.join("circuit.zkc")),
                vk: vk.unwrap_or_else(|| d.join("vk.zkc")),
                proof: proof.unwrap_or_else(|| d.join("proof.zkc")),
                public: public.unwrap_or_else(|| d.join("public.json")),
                check_key: Some(srs),
            };
            let (file, vals) = verify_files(&files)?;
            println!("proof verified");
            for line in check_expectations(&file, &vals, &expect)? {
                println!("{line}");
            }
        }
        Command::Fullprove {
            model,
            input,
            backend,
            out,
            data,
            quant,
            passes,
        } => {
            let g = load(&model)?;
            let inputs = io::read_inputs(&input, &g)?;
            let samples = match &data {
                Some(d) => io::read_samples(d, &g)?,
                None => vec![inputs.clone()],
            };
            prover::backend(&backend)?;
            let opt = passes_cli::compile(
                &g,
                &samples,
                quant.config()?,
                &backend,
                passes.set().map_err(anyhow::Error::msg)?,
            )?;
            if passes.explain_passes {
                eprint!("{}", opt.report.explain());
            }
            fits_backend(&model.model, &backend, &opt)?;
            let compiled = opt.compiled;
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let file = pipeline::write_circuit(&out.join("circuit.zkc"), &backend, &compiled)?;
            setup_keys(&out, &file, None, None)?;
            let outputs = prove_dir(&out, &file, &inputs)?;
            verify_files(&VerifyFiles {
                circuit: out.join("circuit.zkc"),
                vk: out.join("vk.zkc"),
                proof: out.join("proof.zkc"),
                public: out.join("public.json"),
                check_key: None,
            })?;
            println!("{}", serde_json::to_string(&outputs)?);
            eprintln!("proof verified; artifacts in {}", out.display());
        }
        Command::Aggregate { proofs, out } => {
            let mut items = Vec::new();
            let mut inner = Vec::new();
            let mut circuits = Vec::new();
            for d in &proofs {
                let file = pipeline::read_circuit(&d.join("circuit.zkc"))?;
                if file.backend != "plonky2" {
                    bail!(
                        "{}: aggregation needs plonky2 proofs but this one is {}; prove it with --backend plonky2",
                        d.display(),
                        file.backend
                    );
                }
                let vis = file.compiled.plan.config.visibility;
                if [vis.input, vis.params, vis.output].contains(&Visibility::Hashed) {
                    bail!(
                        "{}: this proof publishes Poseidon digests (a hashed visibility); aggregating those is not supported yet — aggregate proofs compiled without `hashed`",
                        d.display()
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
                    input_data: public.input_data.clone(),
                    output_data: public.output_data.clone(),
                });
                circuits.push(d.join("circuit.zkc"));
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
            // Each inner circuit goes along (it holds no private value), so that a verifier
            // can rebuild the inner keys from the circuits instead of trusting them.
            for (i, c) in circuits.iter().enumerate() {
                let to = out.join(format!("inner{i}_circuit.zkc"));
                std::fs::copy(c, &to).with_context(|| format!("cannot copy {} to {}", c.display(), to.display()))?;
            }
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
        Command::Export {
            format,
            dir,
            out,
            solcjs,
        } => {
            let file = pipeline::read_circuit(&dir.join("circuit.zkc"))?;
            if file.backend != "groth16" {
                bail!(
                    "{}: {format} export needs a Groth16 proof but this one is {}; prove with --backend groth16",
                    dir.display(),
                    file.backend
                );
            }
            let h = file.compiled.program.hash();
            let (_, vk) = artifact::read(&dir.join("vk.zkc"), "verifying-key", "groth16", Some(&h))?;
            let (_, proof) = artifact::read(&dir.join("proof.zkc"), "proof", "groth16", Some(&h))?;
            let public = prover::read_public(&dir.join("public.json"))?;
            let vals = public.values(&file.compiled, &dir.join("public.json").display().to_string())?;
            let out = out.unwrap_or_else(|| dir.join(&format));
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            if format == "snarkjs" {
                zkc_backend_groth16::export_snarkjs(&vk, &proof, &vals, &out)?;
                println!("snarkjs files written to {} (check with: snarkjs groth16 verify verification_key.json public.json proof.json)", out.display());
            } else {
                export_solidity(&vk, &proof, &vals, &out, solcjs.as_deref())?;
            }
        }
        Command::Bench(args) => bench::run(args)?,
        Command::Hash {
            file,
            backend,
            scale,
            circuit,
        } => println!("{}", hash_file(&file, &backend, scale, circuit.as_deref())?),
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

/// The error and its causes, `: `-separated, each cause left out when the message so far
/// already contains it (library errors often show their source in their own message).
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

/// Parses `args` (the program name first, as in `std::env::args_os`) and runs the command.
/// `--help` and `--version` print and succeed; a usage error is an [`ErrorKind::Usage`]
/// error. `relaunch` says how `zkc bench` re-runs this program once per backend when it is
/// not the `zkc` executable (the Python package runs `python -m zkc`).
pub fn run_args(args: Vec<OsString>, relaunch: Option<bench::Relaunch>) -> Result<()> {
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            print!("{e}");
            return Ok(());
        }
        Err(e) => return Err(anyhow::Error::new(Usage(e.render().to_string().trim_end().to_string()))),
    };
    if let Command::Bench(b) = &mut cli.command {
        b.relaunch = relaunch;
    }
    run(cli)
}

/// A verification that failed: the proof, a key or what the proof is about was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

/// Command-line arguments clap refused (the message is clap's, with the usage line).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Usage(String);

/// What kind of failure an error is, for callers that react differently to each (the
/// Python package raises one exception class per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The model file is unreadable, not ONNX, or has an invalid node.
    BadModel,
    /// The model uses an op zkc has no import or circuit for.
    UnsupportedOp,
    /// An input or data file (or value) is malformed, of the wrong size, or out of range.
    BadInput,
    /// A proof, key, or an expectation about the proof was rejected.
    ProofRejected,
    /// An artifact is of another version, backend or circuit, or is damaged.
    ArtifactMismatch,
    /// The command line itself was wrong.
    Usage,
    /// Anything else (a circuit that does not fit, an I/O failure, ...).
    Other,
}

/// The kind of `e`, from the typed errors in its chain (the outermost that says).
pub fn error_kind(e: &anyhow::Error) -> ErrorKind {
    // A context (`.context(Rejected(..))`) is found by anyhow's downcast, not in the chain.
    if e.downcast_ref::<Rejected>().is_some() {
        return ErrorKind::ProofRejected;
    }
    if e.downcast_ref::<Usage>().is_some() {
        return ErrorKind::Usage;
    }
    for cause in e.chain() {
        if let Some(i) = cause.downcast_ref::<onnx::ImportError>() {
            return match i {
                onnx::ImportError::Unsupported { .. } => ErrorKind::UnsupportedOp,
                onnx::ImportError::TensorFile { .. } => ErrorKind::BadInput,
                _ => ErrorKind::BadModel,
            };
        }
        if cause.is::<io::DataError>() || cause.is::<zkc_passes::lower::InputRangeError>() {
            return ErrorKind::BadInput;
        }
        if cause.is::<artifact::ArtifactError>() {
            return ErrorKind::ArtifactMismatch;
        }
        if let Some(p) = cause.downcast_ref::<pipeline::PipelineError>() {
            match p {
                pipeline::PipelineError::InputRange(_) => return ErrorKind::BadInput,
                pipeline::PipelineError::Artifact(_)
                | pipeline::PipelineError::Damaged { .. }
                | pipeline::PipelineError::MissingParams(_) => return ErrorKind::ArtifactMismatch,
                _ => {}
            }
        }
        if let Some(zkc_runtime::BackendError::Malformed { .. }) = cause.downcast_ref::<zkc_runtime::BackendError>() {
            return ErrorKind::ArtifactMismatch;
        }
    }
    ErrorKind::Other
}

//! `zkc bench`: one model through compile, setup, prove and verify on every backend, side by
//! side, so a user can pick a proof system with numbers rather than folklore.
//!
//! Each backend runs in its own child process (the same executable, re-invoked with
//! [`CHILD_ENV`] set to the backend's name) so that its peak memory (`VmHWM`) is its own and
//! not the largest of all backends run so far. The child reports its stages and its result
//! on stdout as `ZKC_BENCH <json>` lines; the parent draws progress bars from them and prints
//! one table. Backends run one after another, never in parallel, so they do not share cores.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use zkc_passes::QuantConfig;

use crate::{io, onnx, pipeline, prover};

/// Environment variable that turns `zkc bench` into the child that measures one backend.
pub const CHILD_ENV: &str = "ZKC_BENCH_CHILD";

/// Prefix of the protocol lines a child writes on stdout.
const LINE_PREFIX: &str = "ZKC_BENCH ";

/// Compile, set up, prove and verify a model on several backends and compare them.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// The ONNX model file.
    pub model: PathBuf,
    /// Input file ({"input_data": [[...]]}); also the calibration sample.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Backends to compare, comma-separated (default: every backend built into this zkc).
    #[arg(long, value_delimiter = ',')]
    pub backends: Option<Vec<String>>,
    /// Run setup, prove and verify this many times and report the median of each.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also draw the times and sizes as an SVG chart to this file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Untimed setup/prove/verify rounds before the measured ones, so that first-run costs
    /// (such as generating and caching halo2's SRS) are not counted.
    #[arg(long, default_value_t = 0)]
    pub warmup: usize,
    /// Write each backend's proven outputs to DIR/BACKEND.output.json ({"output_data": ...}).
    #[arg(long, value_name = "DIR")]
    pub outputs: Option<PathBuf>,
    /// The optimization passes, as for `zkc compile` (each backend steers them by its own
    /// cost model).
    #[command(flatten)]
    pub passes: crate::passes_cli::PassArgs,
    /// Fixed-point and visibility settings, as for `zkc compile` (the same for every backend).
    #[command(flatten)]
    pub quant: crate::quant_cli::QuantArgs,
    /// How to re-run this program per backend (default: this executable, with its arguments).
    #[arg(skip)]
    pub relaunch: Option<Relaunch>,
}

/// A command that re-runs `zkc bench` with the same arguments: each backend is measured in
/// its own process, so that peak memory is its own. The Python package, whose executable is
/// the interpreter, passes `python -m zkc ...`.
#[derive(Debug, Clone)]
pub struct Relaunch {
    /// The program to start.
    pub program: PathBuf,
    /// Its arguments, up to and including the `bench` command's own.
    pub args: Vec<std::ffi::OsString>,
}

/// How many setup/prove/verify rounds to run: `warmup` untimed, then `repeat` timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds {
    /// Timed rounds (at least 1); their medians are reported.
    pub repeat: usize,
    /// Untimed rounds first.
    pub warmup: usize,
}

/// The figures of one backend. Serialized as-is into `--json` (fields marked `skip` are
/// table-only).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BackendResult {
    /// Backend name.
    pub backend: String,
    /// Circuit size in the backend's unit ([`zkc_runtime::Cost::total`]).
    pub constraints: u64,
    /// Median key-generation time, seconds.
    pub setup_s: f64,
    /// Median proving time (witness already solved), seconds.
    pub prove_s: f64,
    /// Median verification time, seconds.
    pub verify_s: f64,
    /// Serialized proof size.
    pub proof_bytes: u64,
    /// Serialized verifying-key size.
    pub vk_bytes: u64,
    /// Serialized proving-key size.
    pub pk_bytes: u64,
    /// Peak resident memory of the process that did all of the above (`VmHWM`); 0 if the
    /// platform does not report it.
    pub peak_mem_bytes: u64,
    /// Largest |proven output − float output| over all outputs.
    pub max_abs_err: f64,
    /// Whether every proof verified.
    pub verified: bool,
    /// Unit of `constraints` (rows, gates, constraints).
    #[serde(skip)]
    pub unit: String,
    /// Why verification failed, when it did.
    #[serde(skip)]
    pub note: Option<String>,
}

/// Everything `zkc bench` measured: the `--json` file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// The model path as given.
    pub model: String,
    /// One entry per backend that ran to the end, in the order asked for.
    pub backends: Vec<BackendResult>,
}

/// A pipeline stage, named in progress bars and errors.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Importing the model and reading the input.
    Load,
    /// Calibrating on the input and lowering to a circuit.
    Compile,
    /// Solving the witness.
    Witness,
    /// Key generation.
    Setup,
    /// Proving.
    Prove,
    /// Verification.
    Verify,
    /// Writing the proven outputs (`--outputs`).
    Output,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Load => "load",
            Stage::Compile => "compile",
            Stage::Witness => "witness",
            Stage::Setup => "setup",
            Stage::Prove => "prove",
            Stage::Verify => "verify",
            Stage::Output => "write outputs",
        })
    }
}

/// A failed benchmark, naming the backend and the stage.
#[derive(Debug, thiserror::Error, Serialize, Deserialize, Clone, PartialEq)]
#[error("bench {backend}: {stage} failed: {message}")]
pub struct BenchError {
    /// The backend.
    pub backend: String,
    /// The stage that failed.
    pub stage: Stage,
    /// What went wrong.
    pub message: String,
}

/// What a child tells its parent, one JSON line each.
#[derive(Serialize, Deserialize, Debug)]
enum ChildMessage {
    Stage {
        stage: Stage,
        round: usize,
    },
    Done {
        result: BackendResult,
        unit: String,
        note: Option<String>,
    },
    Failed(BenchError),
}

/// Entry point of `zkc bench`. In the parent: validates the arguments, measures each backend
/// in a child process and prints the table. In a child ([`CHILD_ENV`] set): measures one
/// backend and reports on stdout.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        return child(&args, &backend);
    }
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    if let Some(d) = &args.outputs {
        std::fs::create_dir_all(d).with_context(|| format!("--outputs: cannot create {}", d.display()))?;
    }
    let rounds = Rounds {
        repeat: args.repeat,
        warmup: args.warmup,
    };
    let backends = choose_backends(args.backends.as_deref())?;
    // Fail on a bad model or input here, once, rather than in every child.
    let g = onnx::load(&args.model, &onnx::ImportOptions::default())?;
    io::read_inputs(&args.input, &g)?;
    args.quant.config()?;

    let (exe, exe_args) = match &args.relaunch {
        Some(r) => (r.program.clone(), r.args.clone()),
        None => (
            std::env::current_exe().context("bench: cannot find the zkc executable to re-run per backend")?,
            std::env::args_os().skip(1).collect(),
        ),
    };
    let multi = indicatif::MultiProgress::with_draw_target(crate::progress::target());
    let bars: Vec<_> = backends
        .iter()
        .map(|b| {
            let pb = multi.add(indicatif::ProgressBar::new(stage_count(rounds)));
            pb.set_style(
                indicatif::ProgressStyle::with_template("{prefix:>8} [{bar:24}] {msg:<14} [{elapsed}]")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            pb.set_prefix(b.clone());
            pb.set_message("queued");
            pb
        })
        .collect();

    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (b, pb) in backends.iter().zip(&bars) {
        pb.reset_elapsed();
        match run_child(&exe, &exe_args, b, rounds.repeat, pb) {
            Ok(r) => {
                pb.finish_with_message(if r.verified { "done" } else { "NOT verified" });
                results.push(r);
            }
            Err(e) => {
                pb.abandon_with_message(format!("failed at {}", e.stage));
                failures.push(e);
            }
        }
    }
    drop(multi);

    let report = BenchReport {
        model: args.model.display().to_string(),
        backends: results,
    };
    if !report.backends.is_empty() {
        print!("{}", render_table(&report));
    }
    if let Some(p) = &args.json {
        write_json(p, &report)?;
    }
    if let Some(p) = &args.plot {
        if !report.backends.is_empty() {
            write_plot(p, &report)?;
        }
    }
    let mut problems: Vec<String> = failures.iter().map(|e| e.to_string()).collect();
    for r in &report.backends {
        if !r.verified {
            problems.push(format!(
                "bench {}: verify failed: the proof did NOT verify: {}",
                r.backend,
                r.note.as_deref().unwrap_or("no reason given")
            ));
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}

/// The backends to run: the ones asked for (checked), or all built in.
fn choose_backends(asked: Option<&[String]>) -> anyhow::Result<Vec<String>> {
    let all = prover::available();
    let list: Vec<String> = match asked {
        None => all.iter().map(|s| s.to_string()).collect(),
        Some(l) => l
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if list.is_empty() {
        bail!("--backends is empty; choose from {}", all.join(", "));
    }
    for b in &list {
        if !all.contains(&b.as_str()) {
            bail!("unknown backend `{b}` in --backends; this zkc has {}", all.join(", "));
        }
    }
    Ok(list)
}

/// Progress steps of one backend: load, compile, witness, then setup/prove/verify per round.
fn stage_count(r: Rounds) -> u64 {
    3 + 3 * (r.repeat + r.warmup) as u64
}

/// Spawns the child for `backend`, follows its progress and returns its result.
fn run_child(
    exe: &Path,
    exe_args: &[std::ffi::OsString],
    backend: &str,
    repeat: usize,
    pb: &indicatif::ProgressBar,
) -> Result<BackendResult, BenchError> {
    let fail = |stage, message: String| BenchError {
        backend: backend.into(),
        stage,
        message,
    };
    let mut child = Command::new(exe)
        .args(exe_args)
        .env(CHILD_ENV, backend)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(Stage::Load, format!("cannot start {}: {e}", exe.display())))?;
    let mut stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let stdout = child.stdout.take().expect("piped");
    let mut stage = Stage::Load;
    let mut outcome = None;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Some(json) = line.strip_prefix(LINE_PREFIX) else {
            continue;
        };
        match serde_json::from_str::<ChildMessage>(json) {
            Ok(ChildMessage::Stage { stage: s, round }) => {
                if stage != Stage::Load || s != Stage::Load {
                    pb.inc(1);
                }
                stage = s;
                pb.set_message(match s {
                    Stage::Setup | Stage::Prove | Stage::Verify if round == 0 => format!("{s} (warm-up)"),
                    Stage::Setup | Stage::Prove | Stage::Verify if repeat > 1 => format!("{s} {round}/{repeat}"),
                    _ => s.to_string(),
                });
            }
            Ok(ChildMessage::Done { mut result, unit, note }) => {
                pb.inc(1);
                result.unit = unit;
                result.note = note;
                outcome = Some(Ok(result));
            }
            Ok(ChildMessage::Failed(e)) => outcome = Some(Err(e)),
            Err(e) => {
                outcome = Some(Err(fail(
                    stage,
                    format!("unreadable report from the child process: {e}"),
                )))
            }
        }
    }
    let status = child.wait();
    let err_text = err_reader.join().unwrap_or_default();
    match outcome {
        Some(o) => o,
        None => {
            let tail: String = {
                let t = err_text.trim();
                let start = t.char_indices().rev().nth(2000).map(|(i, _)| i).unwrap_or(0);
                t[start..].to_string()
            };
            let how = match status {
                Ok(s) => format!("the child process exited ({s}) without a result"),
                Err(e) => format!("waiting for the child process: {e}"),
            };
            Err(fail(
                stage,
                if tail.is_empty() {
                    how
                } else {
                    format!("{how}; its stderr ends with:\n{tail}")
                },
            ))
        }
    }
}

fn send(msg: &ChildMessage) {
    println!(
        "{LINE_PREFIX}{}",
        serde_json::to_string(msg).expect("message serializes")
    );
}

/// The child side: measure one backend and report on stdout.
fn child(args: &BenchArgs, backend: &str) -> anyhow::Result<()> {
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    let rounds = Rounds {
        repeat: args.repeat,
        warmup: args.warmup,
    };
    let mut progress = |stage, round| send(&ChildMessage::Stage { stage, round });
    let passes = args.passes.set().map_err(anyhow::Error::msg)?;
    let config = args.quant.config()?;
    let measured =
        measure(&args.model, &args.input, backend, rounds, config, passes, &mut progress).and_then(|(r, outs)| {
            if let Some(d) = &args.outputs {
                let path = d.join(format!("{backend}.output.json"));
                let text = serde_json::to_string(&io::outputs_file(&outs)).expect("outputs serialize");
                zkc_runtime::artifact::write_file_atomic(&path, (text + "\n").as_bytes()).map_err(|e| BenchError {
                    backend: backend.into(),
                    stage: Stage::Output,
                    message: format!("cannot write {}: {e}", path.display()),
                })?;
            }
            Ok(r)
        });
    match measured {
        Ok(r) => {
            let (unit, note) = (r.unit.clone(), r.note.clone());
            send(&ChildMessage::Done { result: r, unit, note });
            Ok(())
        }
        Err(e) => {
            send(&ChildMessage::Failed(e.clone()));
            Err(e.into())
        }
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Measures one backend in this process: compile (calibrated on the input), solve the
/// witness, then `rounds.warmup` untimed and `rounds.repeat` timed rounds of setup, prove and
/// verify; reports medians, with the proven (dequantized) outputs. `progress` is told each
/// stage as it starts, with the 1-based timed round (0 for warm-up rounds).
pub fn measure(
    model: &Path,
    input: &Path,
    backend: &str,
    rounds: Rounds,
    config: QuantConfig,
    passes: zkc_passes::optimize::PassSet,
    progress: &mut dyn FnMut(Stage, usize),
) -> Result<(BackendResult, Vec<zkc_ir::Tensor>), BenchError> {
    let fail = |stage, message: String| BenchError {
        backend: backend.into(),
        stage,
        message,
    };
    progress(Stage::Load, 1);
    let b = prover::backend(backend).map_err(|e| fail(Stage::Load, e.to_string()))?;
    let g = onnx::load(model, &onnx::ImportOptions::default()).map_err(|e| fail(Stage::Load, e.to_string()))?;
    let inputs = io::read_inputs(input, &g).map_err(|e| fail(Stage::Load, e.to_string()))?;
    let float = g
        .run(&inputs)
        .map_err(|e| fail(Stage::Load, format!("float run of {}: {e}", model.display())))?;

    progress(Stage::Compile, 1);
    let compiled = crate::passes_cli::compile(&g, std::slice::from_ref(&inputs), config, backend, passes)
        .map_err(|e| fail(Stage::Compile, e.to_string()))?
        .compiled;
    let program = &compiled.program;
    let cost = b.cost(program);

    progress(Stage::Witness, 1);
    let trace = pipeline::witness(&compiled, &inputs).map_err(|e| fail(Stage::Witness, e.to_string()))?;
    let public = trace.public_values(program);
    // The outputs the proof attests to, dequantized, against the float interpreter.
    let proven = pipeline::outputs(&compiled, &trace);
    let max_abs_err = proven
        .iter()
        .zip(&float)
        .flat_map(|(p, f)| p.data.iter().zip(&f.data).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);

    let (mut setup_s, mut prove_s, mut verify_s) = (vec![], vec![], vec![]);
    let (mut proof_bytes, mut vk_bytes, mut pk_bytes) = (0, 0, 0);
    let mut note = None;
    for i in 0..rounds.warmup + rounds.repeat.max(1) {
        let timed = i >= rounds.warmup;
        let round = if timed { i - rounds.warmup + 1 } else { 0 };
        progress(Stage::Setup, round);
        let t = Instant::now();
        let keys = b.setup(program).map_err(|e| fail(Stage::Setup, e.to_string()))?;
        let setup_t = t.elapsed().as_secs_f64();

        progress(Stage::Prove, round);
        let t = Instant::now();
        let proof = b
            .prove(program, &keys.proving_key, &trace)
            .map_err(|e| fail(Stage::Prove, e.to_string()))?;
        let prove_t = t.elapsed().as_secs_f64();

        progress(Stage::Verify, round);
        let t = Instant::now();
        let ok = b.verify(program, &keys.verifying_key, &public, &proof);
        let verify_t = t.elapsed().as_secs_f64();
        if let Err(e) = ok {
            let when = if timed {
                format!("round {round}")
            } else {
                "warm-up".into()
            };
            note.get_or_insert(format!("{when}: {e}"));
        }
        if timed {
            setup_s.push(setup_t);
            prove_s.push(prove_t);
            verify_s.push(verify_t);
        }
        (proof_bytes, vk_bytes, pk_bytes) = (
            proof.len() as u64,
            keys.verifying_key.len() as u64,
            keys.proving_key.len() as u64,
        );
    }
    let result = BackendResult {
        backend: backend.into(),
        constraints: cost.total,
        setup_s: median(setup_s),
        prove_s: median(prove_s),
        verify_s: median(verify_s),
        proof_bytes,
        vk_bytes,
        pk_bytes,
        peak_mem_bytes: peak_memory().unwrap_or(0),
        max_abs_err,
        verified: note.is_none(),
        unit: cost.unit.to_string(),
        note,
    };
    Ok((result, proven))
}

/// This process's peak resident set size (`VmHWM` in /proc/self/status), in bytes.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut parts = line["VmHWM:".len()..].split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => Some(n * 1024),
        Some(_) => None,
    }
}

/// Bytes in binary units, for people.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn secs(x: f64) -> String {
    if x < 0.1 {
        format!("{x:.4}")
    } else {
        format!("{x:.3}")
    }
}

/// The table `zkc bench` prints: one row per backend, then the units and any failure notes.
pub fn render_table(report: &BenchReport) -> String {
    let header = [
        "backend",
        "constraints",
        "setup s",
        "prove s",
        "verify s",
        "proof",
        "vk",
        "pk",
        "peak mem",
        "max |err|",
        "verified",
    ];
    let rows: Vec<Vec<String>> = report
        .backends
        .iter()
        .map(|r| {
            vec![
                r.backend.clone(),
                if r.unit.is_empty() {
                    r.constraints.to_string()
                } else {
                    format!("{} {}", r.constraints, r.unit)
                },
                secs(r.setup_s),
                secs(r.prove_s),
                secs(r.verify_s),
                human_bytes(r.proof_bytes),
                human_bytes(r.vk_bytes),
                human_bytes(r.pk_bytes),
                if r.peak_mem_bytes == 0 {
                    "n/a".into()
                } else {
                    human_bytes(r.peak_mem_bytes)
                },
                format!("{:.2e}", r.max_abs_err),
                if r.verified { "yes" } else { "NO" }.into(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c > 0 {
                s.push_str("  ");
            }
            // Names left-aligned, figures right-aligned.
            if c == 0 {
                s.push_str(&format!("{cell:<w$}", w = widths[c]));
            } else {
                s.push_str(&format!("{cell:>w$}", w = widths[c]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = format!("model {}\n", report.model);
    out += &line(&header);
    out += &line(
        &widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    for r in &rows {
        out += &line(&r.iter().map(String::as_str).collect::<Vec<_>>());
    }
    for r in &report.backends {
        if let Some(n) = &r.note {
            out += &format!("{}: did not verify: {n}\n", r.backend);
        }
    }
    out
}

/// The `--json` text.
pub fn report_json(report: &BenchReport) -> String {
    serde_json::to_string_pretty(report).expect("report serializes")
}

fn write_json(path: &Path, report: &BenchReport) -> anyhow::Result<()> {
    zkc_runtime::artifact::write_file_atomic(path, (report_json(report) + "\n").as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_plot(path: &Path, report: &BenchReport) -> anyhow::Result<()> {
    let svg = render_plot(report)?;
    zkc_runtime::artifact::write_file_atomic(path, svg.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One panel of grouped bars: `series` are (name, colour, value per backend).
fn bar_panel<DB: plotters::prelude::DrawingBackend>(
    area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    y_desc: &str,
    names: &[String],
    series: &[(&str, plotters::style::RGBColor, Vec<f64>)],
    label: &dyn Fn(f64) -> String,
    tick: &dyn Fn(f64) -> String,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    use plotters::prelude::*;
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .filter(|v| *v > 0.0)
        .collect();
    let lo_v = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi_v = all.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if all.is_empty() {
        (0.1, 10.0)
    } else {
        (
            10f64.powf(lo_v.log10().floor()) / 2.0,
            10f64.powf(hi_v.log10().ceil()) * 2.0,
        )
    };
    // x in thousandths of a group (integer axes take custom key points and formatters; one
    // tick per backend, at the centre of its group).
    let n = names.len();
    let x_range = (-500i32..n as i32 * 1000 - 500).with_key_points((0..n as i32).map(|i| i * 1000).collect());
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(x_range, (lo..hi).log_scale())
        .map_err(|e| anyhow::anyhow!("plot: {e}"))?;
    let name_of = |x: &i32| {
        let i = (x / 1000) as usize;
        if x % 1000 == 0 && *x >= 0 && i < n {
            names[i].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&name_of)
        .x_label_style(("sans-serif", 16))
        .y_desc(y_desc)
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(|e| anyhow::anyhow!("plot: {e}"))?;
    let width = 800 / series.len().max(1) as i32;
    for (j, (sname, colour, values)) in series.iter().enumerate() {
        let x0 = |i: usize| i as i32 * 1000 - 400 + j as i32 * width;
        let colour = *colour;
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Rectangle::new([(x0(i) + 10, lo), (x0(i) + width - 10, v.max(lo))], colour.filled())),
            )
            .map_err(|e| anyhow::anyhow!("plot: {e}"))?
            .label(*sname)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                Text::new(
                    label(*v),
                    (x0(i) + 20, (v.max(lo) * 1.25).min(hi)),
                    ("sans-serif", 12).into_font(),
                )
            }))
            .map_err(|e| anyhow::anyhow!("plot: {e}"))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| anyhow::anyhow!("plot: {e}"))?;
    Ok(())
}

/// A number with at most 3 significant digits and no trailing zeros (axis ticks).
fn trim(v: f64) -> String {
    let s = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Bytes in decimal units: on a log axis the ticks are powers of ten, so kB/MB read cleanly.
fn si_bytes(v: f64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = v.max(0.0);
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    format!("{} {}", trim(v), UNITS[u])
}

/// The `--plot` SVG: times per backend on the left, proof and key sizes on the right, both
/// on log axes (verification is milliseconds while setup is seconds) with each bar labelled.
pub fn render_plot(report: &BenchReport) -> anyhow::Result<String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1200, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("plot: {e}"))?;
        let root = root
            .titled(&format!("zkc bench: {}", report.model), ("sans-serif", 22))
            .map_err(|e| anyhow::anyhow!("plot: {e}"))?;
        let panels = root.split_evenly((1, 2));
        let names: Vec<String> = report.backends.iter().map(|r| r.backend.clone()).collect();
        let col = |f: fn(&BackendResult) -> f64| report.backends.iter().map(f).collect::<Vec<f64>>();
        bar_panel(
            &panels[0],
            "time (median, log scale)",
            "seconds",
            &names,
            &[
                ("setup", RGBColor(76, 114, 176), col(|r| r.setup_s)),
                ("prove", RGBColor(221, 132, 82), col(|r| r.prove_s)),
                ("verify", RGBColor(85, 168, 104), col(|r| r.verify_s)),
            ],
            &|v| {
                if v >= 10.0 {
                    format!("{v:.0} s")
                } else if v >= 0.1 {
                    format!("{v:.2} s")
                } else {
                    format!("{:.1} ms", v * 1000.0)
                }
            },
            &|v| {
                if v >= 0.1 {
                    format!("{} s", trim(v))
                } else {
                    format!("{} ms", trim(v * 1000.0))
                }
            },
        )?;
        bar_panel(
            &panels[1],
            "sizes (log scale)",
            "bytes",
            &names,
            &[
                ("proof", RGBColor(129, 114, 179), col(|r| r.proof_bytes as f64)),
                ("vk", RGBColor(147, 120, 96), col(|r| r.vk_bytes as f64)),
                ("pk", RGBColor(140, 140, 140), col(|r| r.pk_bytes as f64)),
            ],
            &si_bytes,
            &si_bytes,
        )?;
        root.present().map_err(|e| anyhow::anyhow!("plot: {e}"))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed_report() -> BenchReport {
        BenchReport {
            model: "cnn.onnx".into(),
            backends: vec![
                BackendResult {
                    backend: "halo2".into(),
                    constraints: 98304,
                    setup_s: 3.25,
                    prove_s: 7.5,
                    verify_s: 0.0125,
                    proof_bytes: 9643,
                    vk_bytes: 7213,
                    pk_bytes: 55_844_723,
                    peak_mem_bytes: 247_124 * 1024,
                    max_abs_err: 6.1e-5,
                    verified: true,
                    unit: "rows".into(),
                    note: None,
                },
                BackendResult {
                    backend: "groth16".into(),
                    constraints: 123456,
                    setup_s: 20.0,
                    prove_s: 11.0,
                    verify_s: 0.003,
                    proof_bytes: 128,
                    vk_bytes: 1000,
                    pk_bytes: 3 << 30,
                    peak_mem_bytes: 0,
                    max_abs_err: 6.1e-5,
                    verified: false,
                    unit: "constraints".into(),
                    note: Some("pairing check failed".into()),
                },
            ],
        }
    }

    #[test]
    fn json_has_exactly_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&report_json(&fixed_report())).unwrap();
        let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(top, ["backends", "model"]);
        assert_eq!(v["model"], "cnn.onnx");
        let b = v["backends"].as_array().unwrap();
        assert_eq!(b.len(), 2);
        let mut keys: Vec<&str> = b[0].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "backend",
                "constraints",
                "max_abs_err",
                "peak_mem_bytes",
                "pk_bytes",
                "proof_bytes",
                "prove_s",
                "setup_s",
                "verified",
                "verify_s",
                "vk_bytes"
            ]
        );
        assert_eq!(b[0]["backend"], "halo2");
        assert_eq!(b[0]["constraints"], 98304);
        assert_eq!(b[0]["prove_s"], 7.5);
        assert_eq!(b[0]["pk_bytes"], 55_844_723u64);
        assert_eq!(b[0]["verified"], true);
        assert_eq!(b[1]["verified"], false);
        assert!(b[0]["constraints"].is_u64() && b[0]["setup_s"].is_f64());
    }

    #[test]
    fn json_reads_back_to_the_same_figures() {
        let r = fixed_report();
        let back: BenchReport = serde_json::from_str(&report_json(&r)).unwrap();
        // Table-only fields are not in the file.
        for (a, b) in back.backends.iter().zip(&r.backends) {
            assert_eq!(a.unit, "");
            assert_eq!(a.note, None);
            assert_eq!((a.setup_s, a.pk_bytes, a.verified), (b.setup_s, b.pk_bytes, b.verified));
        }
    }

    #[test]
    fn table_renders_fixed_report() {
        insta::assert_snapshot!(render_table(&fixed_report()), @r"
        model cnn.onnx
        backend         constraints  setup s  prove s  verify s    proof       vk        pk   peak mem  max |err|  verified
        -------  ------------------  -------  -------  --------  -------  -------  --------  ---------  ---------  --------
        halo2            98304 rows    3.250    7.500    0.0125  9.4 KiB  7.0 KiB  53.3 MiB  241.3 MiB    6.10e-5       yes
        groth16  123456 constraints   20.000   11.000    0.0030    128 B   1000 B   3.0 GiB        n/a    6.10e-5        NO
        groth16: did not verify: pairing check failed
        ");
    }

    #[test]
    fn plot_labels_backends_stages_and_values() {
        let svg = render_plot(&fixed_report()).unwrap();
        assert!(svg.starts_with("<svg"));
        for s in [
            "halo2", "groth16", "setup", "prove", "verify", "proof", "vk", "7.50 s", "12.5 ms", "9.64 kB", "128 B",
            "1 kB",
        ] {
            assert!(svg.contains(s), "plot lacks `{s}`");
        }
    }

    #[test]
    fn vm_hwm_is_parsed_in_bytes() {
        let status = "Name:\tzkc\nVmPeak:\t  999 kB\nVmHWM:\t   247124 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(247_124 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS: 1 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM: x kB\n"), None);
        assert!(peak_memory().unwrap_or(1) > 0);
    }

    #[test]
    fn plot_units_read_cleanly() {
        assert_eq!(si_bytes(1000.0), "1 kB");
        assert_eq!(si_bytes(9643.0), "9.64 kB");
        assert_eq!(si_bytes(55_844_723.0), "55.8 MB");
        assert_eq!(si_bytes(12.0), "12 B");
        assert_eq!(trim(0.1), "0.1");
        assert_eq!(trim(250.0), "250");
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(vec![5.0]), 5.0);
    }

    #[test]
    fn unknown_or_empty_backend_lists_are_refused() {
        let e = choose_backends(Some(&["halo3".to_string()])).unwrap_err().to_string();
        assert!(e.contains("halo3") && e.contains("halo2"), "{e}");
        assert!(choose_backends(Some(&[" ".to_string()])).is_err());
        assert_eq!(
            choose_backends(None).unwrap(),
            prover::available().iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
    }

    fn shared(name: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/models")).join(name)
    }

    #[test]
    fn measures_ff_on_halo2_end_to_end() {
        let model = shared("ff.onnx");
        let mut stages = Vec::new();
        let rounds = Rounds { repeat: 2, warmup: 1 };
        let passes = zkc_passes::optimize::PassSet::all();
        // Not the defaults, so that the settings are seen to reach the compiled circuit.
        let config = QuantConfig {
            scale: 12,
            weight_scale: 12,
            visibility: zkc_passes::VisibilityConfig {
                input: zkc_passes::Visibility::Public,
                ..Default::default()
            },
            ..QuantConfig::default()
        };
        let (r, outs) = measure(
            &model,
            &shared("ff.input.json"),
            "halo2",
            rounds,
            config.clone(),
            passes,
            &mut |s, round| stages.push((s, round)),
        )
        .unwrap();
        assert_eq!(
            stages,
            [
                (Stage::Load, 1),
                (Stage::Compile, 1),
                (Stage::Witness, 1),
                (Stage::Setup, 0),
                (Stage::Prove, 0),
                (Stage::Verify, 0),
                (Stage::Setup, 1),
                (Stage::Prove, 1),
                (Stage::Verify, 1),
                (Stage::Setup, 2),
                (Stage::Prove, 2),
                (Stage::Verify, 2)
            ]
        );
        // The proven outputs are exactly what `zkc run --fixed` computes.
        let g = onnx::load(&model, &onnx::ImportOptions::default()).unwrap();
        let inputs = io::read_inputs(&shared("ff.input.json"), &g).unwrap();
        // (halo2's cost model steers the passes there, as in the measured run.)
        let fixed = crate::passes_cli::compile(&g, std::slice::from_ref(&inputs), config, "halo2", passes)
            .unwrap()
            .compiled;
        assert_eq!(fixed.plan.config.visibility.input, zkc_passes::Visibility::Public);
        let want = pipeline::outputs(&fixed, &pipeline::witness(&fixed, &inputs).unwrap());
        assert_eq!(outs, want);
        assert!(r.verified, "{:?}", r.note);
        assert_eq!(r.unit, "rows");
        assert!(r.constraints > 0 && r.proof_bytes > 0 && r.vk_bytes > 0 && r.pk_bytes > r.vk_bytes);
        assert!(r.peak_mem_bytes > 0);
        assert!(r.max_abs_err < 1e-2, "fixed point far from float: {}", r.max_abs_err);
    }

    #[test]
    fn errors_name_backend_and_stage() {
        let e = measure(
            Path::new("/nonexistent/model.onnx"),
            Path::new("x.json"),
            "halo2",
            Rounds { repeat: 1, warmup: 0 },
            QuantConfig::default(),
            zkc_passes::optimize::PassSet::all(),
            &mut |_, _| {},
        )
        .unwrap_err();
        assert_eq!((e.backend.as_str(), e.stage), ("halo2", Stage::Load));
        assert!(e.to_string().starts_with("bench halo2: load failed: "), "{e}");
    }
}

//! The circuit program: a flat list of arguments over integer witness values.
//!
//! Every proving backend consumes exactly this program and the [`crate::Trace`] the
//! solver produces for it; no backend recomputes a witness value.

use serde::{Deserialize, Serialize};

/// A witness variable: an index into the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Var(pub u32);

/// Where an argument came from: the IR node index and its ONNX node name.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    /// Index of the IR node in the graph (`zkc table` shows it).
    pub node: usize,
    /// The ONNX node name (or the op type and index when the node had none).
    pub name: String,
}

/// `node 3 `Gemm_0``, or for what the lowering adds outside any graph node (the input,
/// parameter and output sections, whose `node` is `usize::MAX`) just `` `parameters` ``.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.node == usize::MAX {
            write!(f, "`{}`", self.name)
        } else {
            write!(f, "node {} `{}`", self.node, self.name)
        }
    }
}

/// A lookup table: `values[i] = f(lo + i)` for the integer domain `lo .. lo + values.len()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// What the table computes, for display (e.g. `sigmoid in=2^-8 out=2^-8`).
    pub name: String,
    /// The smallest input in the domain.
    pub lo: i128,
    /// The outputs, one per input starting at `lo`.
    pub values: Vec<i128>,
}

impl Table {
    /// The output for `x`, or `None` when `x` is outside the domain.
    pub fn get(&self, x: i128) -> Option<i128> {
        let i = x.checked_sub(self.lo)?;
        if i < 0 {
            return None;
        }
        self.values.get(usize::try_from(i).ok()?).copied()
    }
}

/// Which Poseidon an [`Argument::Hash`] computes. It is fixed by the backend's field: a
/// program hashes with the one its backend proves natively (groth16 and halo2: BN254;
/// plonky2: Goldilocks), and the other backends refuse it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HashKind {
    /// circomlib's Poseidon over BN254's scalar field (t = 3, α = 5, 8 full and 57 partial
    /// rounds) in a rate-2 sponge; see [`crate::poseidon`].
    PoseidonBn254,
    /// plonky2's Poseidon over Goldilocks, `PoseidonHash::hash_no_pad`.
    PoseidonGoldilocks,
}

/// The arguments every backend implements. Each variant documents its constraint; the
/// solver defines the variables listed as "defines" from the ones before them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Argument {
    /// Defines the value of an input variable (a model input); no constraint by itself.
    /// `index` is the position in the flattened model inputs.
    Input {
        /// The variable.
        x: Var,
        /// Position in the flattened model inputs.
        index: usize,
    },
    /// `out = Σ cᵢ·xᵢ + c₀`. Defines `out`.
    Linear {
        /// The defined variable.
        out: Var,
        /// The terms `(cᵢ, xᵢ)`; coefficients are fixed circuit constants.
        terms: Vec<(i128, Var)>,
        /// The constant `c₀`.
        constant: i128,
    },
    /// `out = a·b`. Defines `out`.
    Mul {
        /// The defined variable.
        out: Var,
        /// Left factor.
        a: Var,
        /// Right factor.
        b: Var,
    },
    /// `-2^(bits-1) ≤ x < 2^(bits-1)`. Defines nothing.
    Range {
        /// The checked variable.
        x: Var,
        /// Signed bit width.
        bits: u32,
    },
    /// `(x, y) ∈ table`, i.e. `y = table[x]` with `x` in the table's domain. Defines `y`.
    Lookup {
        /// Input.
        x: Var,
        /// Output.
        y: Var,
        /// Index into [`Program::tables`].
        table: usize,
    },
    /// Fixed-point division by `2^k`, rounding half up:
    /// `x + 2^(k-1) = 2^k·q + r`, `0 ≤ r < 2^k`, `-2^(q_bits-1) ≤ q < 2^(q_bits-1)`.
    /// Defines `q` and `r`. The range on `q` is what makes `r` unique in a field.
    Rescale {
        /// Dividend.
        x: Var,
        /// Quotient (the rescaled value).
        q: Var,
        /// Remainder.
        r: Var,
        /// Shift.
        k: u32,
        /// Signed bit width proven for `q`.
        q_bits: u32,
    },
    /// Division by a witness value, rounding down: `n = q·d + r`, `0 ≤ r < d`,
    /// `0 ≤ d - 1 - r < 2^bits`, `0 ≤ r < 2^bits`, `-2^(bits-1) ≤ q < 2^(bits-1)`.
    /// Defines `q` and `r`. The solver fails if `d ≤ 0`.
    Div {
        /// Dividend.
        n: Var,
        /// Divisor (must be positive).
        d: Var,
        /// Quotient.
        q: Var,
        /// Remainder.
        r: Var,
        /// Bit width for the range checks.
        bits: u32,
    },
    /// `out = max(a, b)` (with `b = 0` when `b` is `None`):
    /// `(out - a)·(out - b) = 0`, `0 ≤ out - a < 2^bits`, `0 ≤ out - b < 2^bits`.
    /// Defines `out`.
    Max {
        /// The defined variable.
        out: Var,
        /// First operand.
        a: Var,
        /// Second operand, or the constant 0 (relu).
        b: Option<Var>,
        /// Bit width bounding `|a - b|`.
        bits: u32,
    },
    /// `x` is a public value the verifier sees, at the next public position. Defines nothing.
    Public {
        /// The public variable.
        x: Var,
    },
    /// `digest = Poseidon(inputs)`, the inputs mapped into the hash's field as everywhere
    /// (a negative `v` is `p - |v|`); [`crate::poseidon::hash`] is the definition. Defines the
    /// 4 `digest` variables. Publishing them commits a proof to values (weights, inputs)
    /// fixed beforehand without revealing them. The number of inputs is fixed by the circuit.
    ///
    /// - [`HashKind::PoseidonBn254`]: the sponge state `[n, 0, 0]` (capacity lane = input
    ///   count) absorbs two inputs at a time into lanes 1 and 2 (an odd last one padded with
    ///   0), permuting after each pair (once when `n = 0`); `h = state[1]`. The digest is `h`'s
    ///   canonical value in four little-endian 64-bit limbs: `0 ≤ digest[i] < 2^64`,
    ///   `Σ digest[i]·2^(64i) = h`. In a circuit the limbs are range-checked to 64 bits and
    ///   their combination equals `h` in the field, which a non-canonical split (an integer
    ///   `h + k·p ≥ p`) also satisfies; but such limbs never equal a canonical digest, so a
    ///   verifier comparing the public limbs with the expected digest is bound to `h`.
    ///   Groth16: `243·max(1, ⌈n/2⌉) + 257` constraints (3 per S-box, 81 S-boxes per
    ///   permutation; 256 limb bits and one recombination). halo2: `38·max(1, ⌈n/2⌉)` rows
    ///   in its hash column groups, plus the limb range checks (see its README).
    /// - [`HashKind::PoseidonGoldilocks`]: plonky2's `hash_no_pad` (overwrite-mode sponge of
    ///   rate 8, no padding; all-zero digest when `n = 0`); the digest is the 4 output
    ///   elements, each canonical in `[0, p)`. plonky2: one Poseidon gate row per 8 inputs
    ///   (`⌈n/8⌉` rows), the outputs copy-constrained to the digest.
    Hash {
        /// The hashed values, in order.
        inputs: Vec<Var>,
        /// The digest (defined).
        digest: [Var; 4],
        /// Which Poseidon.
        kind: HashKind,
    },
}

/// A model input or output as a tensor of variables with its fixed-point scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorVars {
    /// The ONNX name of the tensor.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Value = integer / 2^scale.
    pub scale: u32,
    /// The variables, row-major.
    pub vars: Vec<Var>,
}

/// A whole circuit program.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Number of witness variables; variables are `Var(0) .. Var(num_vars)`.
    pub num_vars: u32,
    /// The arguments, in solving order, each with the IR node it came from.
    pub arguments: Vec<(Argument, Origin)>,
    /// Lookup tables referenced by [`Argument::Lookup`].
    pub tables: Vec<Table>,
    /// The model inputs, in graph order.
    pub inputs: Vec<TensorVars>,
    /// The model outputs, in graph order.
    pub outputs: Vec<TensorVars>,
    /// Layout freedoms the pack pass granted (absent from the JSON, and so from the hash,
    /// when none are).
    #[serde(default, skip_serializing_if = "Packing::is_none")]
    pub packing: Packing,
}

/// Layout freedoms a backend may use, set by the pack pass (`zkc compile --passes`) when the
/// backend's cost model says they help. They never change what the arguments mean: a backend
/// that ignores them proves the same statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packing {
    /// `Linear` arguments over the same ordered inputs (a convolution's output channels at
    /// one position, a matrix product's outputs in one row) may share one placement of their
    /// inputs: plonky2 lays each such group out as a block of a kernel gate that carries the
    /// coefficients, instead of one weighted sum per output with its coefficients in the
    /// row's constants, when that gives fewer padded rows. halo2 and Groth16 ignore it.
    #[serde(default)]
    pub shared_inputs: bool,
}

impl Packing {
    /// No freedom granted (the default, and what `--no-passes` compiles).
    pub fn is_none(&self) -> bool {
        *self == Packing::default()
    }
}

impl Program {
    /// Hex SHA-256 of the program's canonical JSON: the circuit hash in artifact headers.
    pub fn hash(&self) -> String {
        use sha2::Digest;
        let json = serde_json::to_vec(self).expect("program serializes");
        hex::encode(sha2::Sha256::digest(&json))
    }

    /// The variables marked public, in order.
    pub fn public_vars(&self) -> Vec<Var> {
        self.arguments
            .iter()
            .filter_map(|(a, _)| match a {
                Argument::Public { x } => Some(*x),
                _ => None,
            })
            .collect()
    }
}

impl Argument {
    /// The variant's name, e.g. `"Rescale"` (for test reports and error messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Argument::Input { .. } => "Input",
            Argument::Linear { .. } => "Linear",
            Argument::Mul { .. } => "Mul",
            Argument::Range { .. } => "Range",
            Argument::Lookup { .. } => "Lookup",
            Argument::Rescale { .. } => "Rescale",
            Argument::Div { .. } => "Div",
            Argument::Max { .. } => "Max",
            Argument::Public { .. } => "Public",
            Argument::Hash { .. } => "Hash",
        }
    }

    /// The variables this argument defines (the "Defines" of its doc comment).
    pub fn defines(&self) -> Vec<Var> {
        match self {
            Argument::Input { x, .. } => vec![*x],
            Argument::Linear { out, .. } | Argument::Mul { out, .. } | Argument::Max { out, .. } => vec![*out],
            Argument::Lookup { y, .. } => vec![*y],
            Argument::Rescale { q, r, .. } | Argument::Div { q, r, .. } => vec![*q, *r],
            Argument::Range { .. } | Argument::Public { .. } => vec![],
            Argument::Hash { digest, .. } => digest.to_vec(),
        }
    }

    /// The variables this argument reads (defined by earlier arguments).
    pub fn reads(&self) -> Vec<Var> {
        match self {
            Argument::Input { .. } => vec![],
            Argument::Linear { terms, .. } => terms.iter().map(|(_, v)| *v).collect(),
            Argument::Mul { a, b, .. } => vec![*a, *b],
            Argument::Range { x, .. } | Argument::Public { x } | Argument::Lookup { x, .. } => vec![*x],
            Argument::Rescale { x, .. } => vec![*x],
            Argument::Div { n, d, .. } => vec![*n, *d],
            Argument::Max { a, b, .. } => std::iter::once(*a).chain(*b).collect(),
            Argument::Hash { inputs, .. } => inputs.clone(),
        }
    }
}

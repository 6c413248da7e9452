//! A compact human form of each argument, used in error messages, dumps and snapshots.

use std::fmt;

use crate::program::{Argument, HashKind, Program, Var};

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// `v7 = 3·v1 + -2·v4 + 5`, `range(v5, 8 bits)`, `v6 = table0[v5]`, … An argument alone
/// does not know its table's name; [`Program::describe`] shows it.
impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Argument::Input { x, index } => write!(f, "{x} = input[{index}]"),
            Argument::Linear { out, terms, constant } => {
                write!(f, "{out} = ")?;
                for (i, (c, v)) in terms.iter().enumerate() {
                    let sep = if i > 0 { " + " } else { "" };
                    write!(f, "{sep}{c}·{v}")?;
                }
                match (terms.is_empty(), *constant) {
                    (true, c) => write!(f, "{c}"),
                    (false, 0) => Ok(()),
                    (false, c) => write!(f, " + {c}"),
                }
            }
            Argument::Mul { out, a, b } => write!(f, "{out} = {a} · {b}"),
            Argument::Range { x, bits } => write!(f, "range({x}, {bits} bits)"),
            Argument::Lookup { x, y, table } => write!(f, "{y} = table{table}[{x}]"),
            Argument::Rescale { x, q, r, k, q_bits } => {
                write!(f, "{q} = rescale({x}, 2^{k}) r={r} q_bits={q_bits}")
            }
            Argument::Div { n, d, q, r, bits } => write!(f, "{q} = floor({n} / {d}) r={r} bits={bits}"),
            Argument::Max { out, a, b, bits } => match b {
                Some(b) => write!(f, "{out} = max({a}, {b}) bits={bits}"),
                None => write!(f, "{out} = max({a}, 0) bits={bits}"),
            },
            Argument::Public { x } => write!(f, "public({x})"),
            Argument::Hash { inputs, digest, kind } => {
                let [d0, d1, d2, d3] = digest;
                let name = match kind {
                    HashKind::PoseidonBn254 => "poseidon_bn254",
                    HashKind::PoseidonGoldilocks => "poseidon_goldilocks",
                };
                write!(f, "[{d0}, {d1}, {d2}, {d3}] = {name}(")?;
                // A hash of a whole weight tensor would make every message huge: elide.
                let shown = if inputs.len() > 8 { &inputs[..4] } else { &inputs[..] };
                for (i, v) in shown.iter().enumerate() {
                    let sep = if i > 0 { ", " } else { "" };
                    write!(f, "{sep}{v}")?;
                }
                if shown.len() < inputs.len() {
                    let last = inputs[inputs.len() - 1];
                    write!(f, ", …, {last}; {} inputs", inputs.len())?;
                }
                f.write_str(")")
            }
        }
    }
}

impl Program {
    /// The display form of `a` with its lookup table named (`v6 = sigmoid[v5]`).
    pub fn describe(&self, a: &Argument) -> String {
        match a {
            Argument::Lookup { x, y, table } => match self.tables.get(*table) {
                Some(t) => format!("{y} = {}[{x}]", t.name),
                None => a.to_string(),
            },
            _ => a.to_string(),
        }
    }

    /// One line per argument: `index: argument    # node name`.
    pub fn listing(&self) -> String {
        self.arguments
            .iter()
            .enumerate()
            .map(|(i, (a, o))| format!("{i:>3}: {}    # {o}\n", self.describe(a)))
            .collect()
    }
}

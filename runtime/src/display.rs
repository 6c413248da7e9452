//! A compact human form of each argument, used in error messages and dumps.

use std::fmt;

use crate::program::{Argument, Var};

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Argument::Input { x, index } => write!(f, "{x} = input[{index}]"),
            Argument::Linear { out, terms, constant } => {
                write!(f, "{out} = ")?;
                for (i, (c, v)) in terms.iter().enumerate() {
                    if i > 0 {
                        write!(f, " + ")?;
                    }
                    write!(f, "{c}·{v}")?;
                }
                if *constant != 0 || terms.is_empty() {
                    if !terms.is_empty() {
                        write!(f, " + ")?;
                    }
                    write!(f, "{constant}")?;
                }
                Ok(())
            }
            Argument::Mul { out, a, b } => write!(f, "{out} = {a} · {b}"),
            Argument::Range { x, bits } => write!(f, "range({x}, {bits} bits)"),
            Argument::Lookup { x, y, table } => write!(f, "{y} = table{table}[{x}]"),
            Argument::Rescale { x, q, r, k, q_bits } => write!(f, "{q} = rescale({x}, 2^{k}) r={r} q_bits={q_bits}"),
            Argument::Div { n, d, q, r, bits } => write!(f, "{q} = floor({n} / {d}) r={r} bits={bits}"),
            Argument::Max {
                out,
                a,
                b: Some(b),
                bits,
            } => write!(f, "{out} = max({a}, {b}) bits={bits}"),
            Argument::Max { out, a, b: None, bits } => write!(f, "{out} = max({a}, 0) bits={bits}"),
            Argument::Public { x } => write!(f, "public({x})"),
        }
    }
}

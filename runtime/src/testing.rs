//! The shared soundness harness. Backends use it in their own tests: a program that uses
//! every argument kind, and the single-value mutations of a trace that every backend must
//! reject (`mock`, and prove/verify).

use crate::program::{Argument, Origin, Program, Table, Var};
use crate::solver::solve;
use crate::trace::Trace;

struct Build {
    p: Program,
    node: usize,
}

impl Build {
    fn var(&mut self) -> Var {
        self.p.num_vars += 1;
        Var(self.p.num_vars - 1)
    }
    fn push(&mut self, a: Argument) {
        let origin = Origin {
            node: self.node,
            name: format!("test_node_{}", self.node),
        };
        self.node += 1;
        self.p.arguments.push((a, origin));
    }
}

/// A small program (about 35 variables) that uses every [`Argument`] kind, every variable
/// constrained, with inputs for which it solves. Values stay below 2^40 and the lookup
/// table fits 16-bit (so the Goldilocks backend can run it too).
pub fn every_argument_program() -> (Program, Vec<i128>) {
    let mut b = Build {
        p: Program::default(),
        node: 0,
    };
    let x0 = b.var();
    let x1 = b.var();
    let x2 = b.var();
    b.push(Argument::Input { x: x0, index: 0 });
    b.push(Argument::Input { x: x1, index: 1 });
    b.push(Argument::Input { x: x2, index: 2 });
    for &x in &[x0, x1, x2] {
        b.push(Argument::Range { x, bits: 12 });
    }
    // l = 3·x0 - 2·x1 + 5
    let l = b.var();
    b.push(Argument::Linear {
        out: l,
        terms: vec![(3, x0), (-2, x1)],
        constant: 5,
    });
    // m = l · x2
    let m = b.var();
    b.push(Argument::Mul { out: m, a: l, b: x2 });
    // Rescale of a negative and a positive value.
    let (q1, r1) = (b.var(), b.var());
    b.push(Argument::Rescale {
        x: m,
        q: q1,
        r: r1,
        k: 4,
        q_bits: 20,
    });
    let (q2, r2) = (b.var(), b.var());
    b.push(Argument::Rescale {
        x: l,
        q: q2,
        r: r2,
        k: 3,
        q_bits: 12,
    });
    // Lookup with negative lo and non-monotone values.
    b.p.tables.push(Table {
        name: "test square-ish".into(),
        lo: -20,
        values: (-20i128..=20).map(|i| (i * i * 7) % 23 + 100).collect(),
    });
    let y = b.var();
    b.push(Argument::Lookup { x: q2, y, table: 0 });
    // Div n = q·d + r with a positive divisor.
    let d = b.var();
    b.push(Argument::Linear {
        out: d,
        terms: vec![(1, y)],
        constant: -90,
    });
    let (dq, dr) = (b.var(), b.var());
    b.push(Argument::Div {
        n: m,
        d,
        q: dq,
        r: dr,
        bits: 24,
    });
    // Max with two operands and relu.
    let mx = b.var();
    b.push(Argument::Max {
        out: mx,
        a: q1,
        b: Some(dq),
        bits: 24,
    });
    let relu_neg = b.var();
    b.push(Argument::Max {
        out: relu_neg,
        a: q1,
        b: None,
        bits: 24,
    });
    let relu_pos = b.var();
    b.push(Argument::Max {
        out: relu_pos,
        a: dq,
        b: None,
        bits: 24,
    });
    // Outputs: a sum of everything defined so the remainders feed a public value too.
    let out = b.var();
    b.push(Argument::Linear {
        out,
        terms: vec![(1, mx), (1, relu_neg), (2, relu_pos), (1, r1), (1, r2), (1, dr), (1, y)],
        constant: 0,
    });
    b.push(Argument::Public { x: out });
    b.push(Argument::Public { x: q2 });
    (b.p, vec![-7, 5, 9])
}

/// One trace with a single value changed.
#[derive(Clone, Debug)]
pub struct Mutation {
    /// The changed variable.
    pub var: Var,
    /// The kind of the argument that defines the variable.
    pub argument_kind: &'static str,
    /// The mutated trace.
    pub trace: Trace,
}

/// The kind name of an argument.
pub fn kind(a: &Argument) -> &'static str {
    match a {
        Argument::Input { .. } => "Input",
        Argument::Linear { .. } => "Linear",
        Argument::Mul { .. } => "Mul",
        Argument::Range { .. } => "Range",
        Argument::Lookup { .. } => "Lookup",
        Argument::Rescale { .. } => "Rescale",
        Argument::Div { .. } => "Div",
        Argument::Max { .. } => "Max",
        Argument::Public { .. } => "Public",
    }
}

/// The variables an argument defines.
pub fn defines(a: &Argument) -> Vec<Var> {
    match a {
        Argument::Input { x, .. } => vec![*x],
        Argument::Linear { out, .. } | Argument::Mul { out, .. } | Argument::Max { out, .. } => vec![*out],
        Argument::Lookup { y, .. } => vec![*y],
        Argument::Rescale { q, r, .. } | Argument::Div { q, r, .. } => vec![*q, *r],
        Argument::Range { .. } | Argument::Public { .. } => vec![],
    }
}

/// For every variable, the trace with that value changed by +1.
pub fn mutations(program: &Program, trace: &Trace) -> Vec<Mutation> {
    let mut out = Vec::new();
    for (a, _) in &program.arguments {
        for v in defines(a) {
            let mut t = trace.clone();
            t.values[v.0 as usize] += 1;
            out.push(Mutation {
                var: v,
                argument_kind: kind(a),
                trace: t,
            });
        }
    }
    out
}

/// One mutation per defining argument kind (for the slow prove/verify soundness tests).
pub fn one_mutation_per_argument_kind(program: &Program, trace: &Trace) -> Vec<Mutation> {
    let mut seen = std::collections::BTreeSet::new();
    mutations(program, trace)
        .into_iter()
        .filter(|m| seen.insert(m.argument_kind))
        .collect()
}

/// The every-argument program's trace.
pub fn every_argument_trace() -> (Program, Trace) {
    let (p, inputs) = every_argument_program();
    let t = solve(&p, &inputs).expect("the every-argument program solves");
    (p, t)
}

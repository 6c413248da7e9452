//! Small hand-built programs for the plonky2 tests, solved by the runtime's solver.

#![allow(dead_code)]

use zkc_runtime::{solve, Argument, Origin, Program, Table, Trace, Var};

/// Builds a program argument by argument; every argument gets its own node.
pub struct Builder {
    pub program: Program,
    inputs: Vec<i128>,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            program: Program::default(),
            inputs: Vec::new(),
        }
    }
    pub fn var(&mut self) -> Var {
        self.program.num_vars += 1;
        Var(self.program.num_vars - 1)
    }
    pub fn push(&mut self, a: Argument) {
        let n = self.program.arguments.len();
        self.program.arguments.push((
            a,
            Origin {
                node: n,
                name: format!("node{n}"),
            },
        ));
    }
    pub fn input(&mut self, v: i128) -> Var {
        let x = self.var();
        let index = self.inputs.len();
        self.inputs.push(v);
        self.push(Argument::Input { x, index });
        x
    }
    pub fn linear(&mut self, terms: &[(i128, Var)], constant: i128) -> Var {
        let out = self.var();
        self.push(Argument::Linear {
            out,
            terms: terms.to_vec(),
            constant,
        });
        out
    }
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        let out = self.var();
        self.push(Argument::Mul { out, a, b });
        out
    }
    pub fn range(&mut self, x: Var, bits: u32) {
        self.push(Argument::Range { x, bits });
    }
    pub fn table(&mut self, lo: i128, values: Vec<i128>) -> usize {
        self.program.tables.push(Table {
            name: format!("t{}", self.program.tables.len()),
            lo,
            values,
        });
        self.program.tables.len() - 1
    }
    pub fn lookup(&mut self, x: Var, table: usize) -> Var {
        let y = self.var();
        self.push(Argument::Lookup { x, y, table });
        y
    }
    pub fn rescale(&mut self, x: Var, k: u32, q_bits: u32) -> (Var, Var) {
        let (q, r) = (self.var(), self.var());
        self.push(Argument::Rescale { x, q, r, k, q_bits });
        (q, r)
    }
    pub fn div(&mut self, n: Var, d: Var, bits: u32) -> (Var, Var) {
        let (q, r) = (self.var(), self.var());
        self.push(Argument::Div { n, d, q, r, bits });
        (q, r)
    }
    pub fn max(&mut self, a: Var, b: Option<Var>, bits: u32) -> Var {
        let out = self.var();
        self.push(Argument::Max { out, a, b, bits });
        out
    }
    pub fn public(&mut self, x: Var) {
        self.push(Argument::Public { x });
    }
    /// The program and its solved trace.
    pub fn finish(self) -> (Program, Trace) {
        let t = solve(&self.program, &self.inputs).expect("test program solves");
        (self.program, t)
    }
}

/// A second, different small program: a dot product with a long sum, a relu and a rescale.
pub fn dot_program(seed: i128) -> (Program, Trace) {
    let mut b = Builder::new();
    let xs: Vec<Var> = (0..6).map(|i| b.input((i * 7 + seed) % 19 - 9)).collect();
    let terms: Vec<(i128, Var)> = (0..100).map(|i| ((i as i128 % 11) - 5, xs[i % 6])).collect();
    let acc = b.linear(&terms, 3);
    let (q, _) = b.rescale(acc, 2, 16);
    let y = b.max(q, None, 16);
    let sq = b.mul(xs[0], xs[1]);
    b.public(y);
    b.public(sq);
    b.finish()
}

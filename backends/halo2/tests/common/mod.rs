//! A hand-built program that uses every argument kind, with its trace, until the
//! runtime's shared harness (`zkc_runtime::testing`) is available.

#![allow(dead_code)]

use zkc_runtime::{Argument, HashKind, Origin, Program, Table, Trace, Var};

pub struct Builder {
    pub program: Program,
    pub values: Vec<i128>,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            program: Program::default(),
            values: Vec::new(),
        }
    }
    fn var(&mut self, v: i128) -> Var {
        self.values.push(v);
        self.program.num_vars += 1;
        Var(self.program.num_vars - 1)
    }
    fn push(&mut self, a: Argument) {
        let n = self.program.arguments.len();
        self.program.arguments.push((
            a,
            Origin {
                node: n,
                name: format!("node{n}"),
            },
        ));
    }
    fn val(&self, v: Var) -> i128 {
        self.values[v.0 as usize]
    }
    pub fn input(&mut self, v: i128) -> Var {
        let x = self.var(v);
        let index = self.program.arguments.len();
        self.push(Argument::Input { x, index });
        x
    }
    pub fn linear(&mut self, terms: &[(i128, Var)], constant: i128) -> Var {
        let v = terms.iter().map(|&(c, x)| c * self.val(x)).sum::<i128>() + constant;
        let out = self.var(v);
        self.push(Argument::Linear {
            out,
            terms: terms.to_vec(),
            constant,
        });
        out
    }
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        let out = self.var(self.val(a) * self.val(b));
        self.push(Argument::Mul { out, a, b });
        out
    }
    pub fn range(&mut self, x: Var, bits: u32) {
        self.push(Argument::Range { x, bits });
    }
    pub fn table(&mut self, lo: i128, f: impl Fn(i128) -> i128, len: usize) -> usize {
        let values = (0..len as i128).map(|i| f(lo + i)).collect();
        self.program.tables.push(Table {
            name: "t".into(),
            lo,
            values,
        });
        self.program.tables.len() - 1
    }
    pub fn lookup(&mut self, x: Var, table: usize) -> Var {
        let y = self.program.tables[table].get(self.val(x)).expect("in domain");
        let y = self.var(y);
        self.push(Argument::Lookup { x, y, table });
        y
    }
    pub fn rescale(&mut self, x: Var, k: u32, q_bits: u32) -> Var {
        let xv = self.val(x) + if k > 0 { 1 << (k - 1) } else { 0 };
        let q = self.var(xv.div_euclid(1 << k));
        let r = self.var(xv.rem_euclid(1 << k));
        self.push(Argument::Rescale { x, q, r, k, q_bits });
        q
    }
    pub fn div(&mut self, n: Var, d: Var, bits: u32) -> Var {
        let (nv, dv) = (self.val(n), self.val(d));
        let q = self.var(nv.div_euclid(dv));
        let r = self.var(nv.rem_euclid(dv));
        self.push(Argument::Div { n, d, q, r, bits });
        q
    }
    pub fn max(&mut self, a: Var, b: Option<Var>, bits: u32) -> Var {
        let out = self.var(self.val(a).max(b.map_or(0, |b| self.val(b))));
        self.push(Argument::Max { out, a, b, bits });
        out
    }
    pub fn public(&mut self, x: Var) {
        self.push(Argument::Public { x });
    }
    /// A PoseidonBn254 Hash; the digest from the runtime's off-circuit hash.
    pub fn hash(&mut self, inputs: &[Var]) -> [Var; 4] {
        let values: Vec<i128> = inputs.iter().map(|&v| self.val(v)).collect();
        let d = zkc_runtime::poseidon::hash(HashKind::PoseidonBn254, &values);
        let digest = d.map(|x| self.var(x));
        self.push(Argument::Hash {
            inputs: inputs.to_vec(),
            digest,
            kind: HashKind::PoseidonBn254,
        });
        digest
    }
    pub fn finish(self) -> (Program, Trace) {
        (self.program, Trace { values: self.values })
    }
}

/// Every argument kind, including a Linear chain longer than a slot row, a Rescale and a
/// Relu on negative values, a two-operand Max and a multi-limb Range.
pub fn every_argument() -> (Program, Trace) {
    let mut b = Builder::new();
    let x0 = b.input(5);
    let x1 = b.input(-3);
    let x2 = b.input(11);
    let l = b.linear(&[(3, x0), (-2, x1)], 7); // 28
    let long_terms: Vec<(i128, Var)> = (0..40).map(|i| ((i % 7) - 3, [x0, x1, x2][i as usize % 3])).collect();
    let long = b.linear(&long_terms, -1);
    let q = b.rescale(l, 2, 8); // 7
    let relu = b.max(q, None, 8);
    let neg = b.linear(&[(-1, l)], 0);
    let qn = b.rescale(neg, 2, 8); // -7
    let relu_neg = b.max(qn, None, 8); // 0
    let m2 = b.max(x0, Some(x1), 8); // 5
    let p = b.mul(x0, x1); // -15
    let dq = b.div(l, x0, 8); // 28 / 5 = 5 r 3
    b.range(x1, 4);
    b.range(long, 20);
    let t = b.table(-4, |x| x * x, 9);
    let y = b.lookup(x1, t); // 9
    let _lr = b.rescale(long, 3, 16);
    b.public(relu);
    b.public(relu_neg);
    b.public(m2);
    b.public(p);
    b.public(dq);
    b.public(y);
    b.finish()
}

/// Every single-variable change by ±1 (each breaks the argument that defines or uses it).
pub fn mutations(trace: &Trace) -> Vec<(usize, Trace)> {
    let mut out = Vec::new();
    for v in 0..trace.values.len() {
        for d in [1, -1] {
            let mut t = trace.clone();
            t.values[v] += d;
            out.push((v, t));
        }
    }
    out
}

pub fn srs_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("zkc-halo2-srs")
}

/// A Hash of five inputs (odd: the last chunk is padded), one of them a Linear output and
/// one negative, the digest published; plus a Relu so the program has other arguments.
pub fn hash_program() -> (Program, Trace) {
    let mut b = Builder::new();
    let x0 = b.input(5);
    let x1 = b.input(-3);
    let x2 = b.input(1 << 100);
    let x3 = b.input(0);
    let l = b.linear(&[(3, x0), (-2, x1)], 7);
    let r = b.max(x1, None, 8);
    let d = b.hash(&[x0, x1, x2, x3, l]);
    for v in d {
        b.public(v);
    }
    b.public(r);
    b.finish()
}

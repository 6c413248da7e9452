//! `Lookup`: `y = table[x]`, `x` in the table's domain `lo .. lo + N`.
//!
//! Two one-hot selectors over a grid of `R` rows by `M` columns (`M = ⌈√(2N)⌉`,
//! `R = ⌈N/M⌉`): row bits `sᵢ` and column bits `tⱼ`, each boolean and summing to 1, with
//! `x - lo = Σ i·M·sᵢ + Σ j·tⱼ`. Entry `(i, j)` is `table[i·M + j]`; per row
//! `uᵢ = sᵢ·(Σⱼ table[i·M + j]·tⱼ)` and `y = Σ uᵢ` (a linear combination, no witness). When
//! the grid has cells past the table's end, `s_{R-1}·(Σ_{j past the end} tⱼ) = 0` excludes them.
//!
//! Constraints per lookup: `R + M` booleanity, 2 sums, 1 index, `R` products, +1 exclusion:
//! `2R + M + 3` (+1), about `2·√(2N)`: 24 for a 41-entry table, 187 for 4096 entries.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use zkc_runtime::{BackendError, Var};

use crate::field::fr;
use crate::r1cs::{combine, normalize, Builder, Lc, ONE};

/// Grid shape `(rows, columns)` for an `n`-entry table.
pub(crate) fn grid(n: usize) -> (usize, usize) {
    let m = ((2.0 * n as f64).sqrt().ceil() as usize).max(1);
    (n.div_ceil(m), m)
}

pub(crate) fn lower(b: &mut Builder<'_>, x: Var, y: Var, table: usize) -> Result<(), BackendError> {
    let t = b
        .program
        .tables
        .get(table)
        .ok_or_else(|| b.malformed(format!("table {table} does not exist")))?;
    let n = t.values.len();
    if n == 0 || n > (1 << 32) {
        return Err(b.malformed(format!("table `{}` has {n} entries (1 .. 2^32 supported)", t.name)));
    }
    let lo = t.lo;
    let values = b.tables[table].clone();
    let lx = b.lc(x)?.clone();
    let (rows, cols) = grid(n);
    let one = Fr::one();
    // The selected cell, if x is in the domain (otherwise no selector is set and the sums fail).
    let idx = b
        .tv(x)
        .checked_sub(lo)
        .filter(|&i| i >= 0 && (i as u128) < n as u128)
        .map(|i| i as usize);
    let (si, tj) = match idx {
        Some(i) if b.has_witness() => (Some(i / cols), Some(i % cols)),
        _ => (None, None),
    };
    let bit = |on: bool| if on { Fr::one() } else { Fr::zero() };
    let mut s = Vec::with_capacity(rows);
    for i in 0..rows {
        let w = b.witness(|| bit(si == Some(i)));
        b.enforce(vec![(one, w)], vec![(one, ONE), (-one, w)], Vec::new());
        s.push(w);
    }
    let mut tcol = Vec::with_capacity(cols);
    for j in 0..cols {
        let w = b.witness(|| bit(tj == Some(j)));
        b.enforce(vec![(one, w)], vec![(one, ONE), (-one, w)], Vec::new());
        tcol.push(w);
    }
    b.enforce(
        s.iter().map(|&w| (one, w)).collect(),
        vec![(one, ONE)],
        vec![(one, ONE)],
    );
    b.enforce(
        tcol.iter().map(|&w| (one, w)).collect(),
        vec![(one, ONE)],
        vec![(one, ONE)],
    );
    // x - lo - Σ i·M·sᵢ - Σ j·tⱼ = 0
    let mut index: Lc = vec![(-fr(lo), ONE)];
    index.extend(s.iter().enumerate().map(|(i, &w)| (-Fr::from((i * cols) as u64), w)));
    index.extend(tcol.iter().enumerate().map(|(j, &w)| (-Fr::from(j as u64), w)));
    let index = normalize(index);
    let row = combine([(one, &lx[..]), (one, &index[..])], lx.len() + index.len());
    b.enforce_zero(row);
    let mut y_lc: Lc = Vec::with_capacity(rows);
    for (i, &si_w) in s.iter().enumerate() {
        let start = i * cols;
        let sel: Lc = normalize(
            (0..cols)
                .filter(|j| start + j < n)
                .map(|j| (values[start + j], tcol[j]))
                .collect(),
        );
        let (row_on, col) = (si == Some(i), tj);
        let val = col.filter(|&j| row_on && start + j < n).map(|j| values[start + j]);
        let u = b.witness(|| val.unwrap_or(Fr::zero()));
        b.enforce(vec![(one, si_w)], sel, vec![(one, u)]);
        y_lc.push((one, u));
    }
    let past = rows * cols - n;
    if past > 0 {
        let tail: Lc = tcol[cols - past..].iter().map(|&w| (one, w)).collect();
        b.enforce(vec![(one, s[rows - 1])], tail, Vec::new());
    }
    b.define(y, y_lc)
}

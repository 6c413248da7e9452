//! The pack pass: places every argument of a [`Program`] on cells of the halo2 grid.
//!
//! The grid has three kinds of column groups (see [`Shape`]):
//! - `slots`: `slots` groups of `width` advice columns. Every slot-row carries two generic
//!   gates with coefficients in fixed columns:
//!   `F1 = Σⱼ c1ⱼ·aⱼ + p1·a_{w-1}(prev) + k1` over all cells of the slot-row, and
//!   `F2 = m·a₀·a₁ + Σⱼ<4 c2ⱼ·aⱼ`. `F2` exists only when the program has a product
//!   (Max, Mul, Div) and its linear part only for Mul and Div ([`Shape::f2`]), so a program
//!   that does not need them pays no fixed columns for them.
//!   A Linear dot product runs down a slot as a chain (`w-1` terms per row plus a running
//!   sum in the last cell, chained through `p1`). All coefficients are fixed columns, so
//!   an unused slot-row has every coefficient zero and constrains nothing.
//! - `lanes`: single advice columns with a lookup `(t, t·a - u·a(next)) ∈ (TAG, TAG·X)`.
//!   A range check of a value of `b` bits is a running sum down the lane: `z₀` is a copy
//!   of the value, each row checks the limb `zᵢ - 2^L·zᵢ₊₁` (`u = t·2^L`) and the last row
//!   checks the (signed or unsigned) top limb itself (`u = 0`).
//! - `pairs`: two advice columns `(x, y)` with the lookup `(t, t·x, t·y) ∈ (TAG, TAG·X, TAG·Y)`
//!   for the program's lookup tables.
//! - `hash_groups` (only when the program has a Hash): nine advice columns with the Poseidon
//!   gates of [`crate::poseidon`], filled by `crate::args::hash`.
//!
//! Every variable has one defining cell; every other cell holding it is copy-constrained
//! to that cell. Auxiliary cells (partial sums, differences, limbs) are computed from the
//! trace by [`crate::witness`], never taken on trust: the gates pin them.

use std::collections::{BTreeMap, BTreeSet};

use halo2_proofs::halo2curves::bn256::Fr;
use zkc_runtime::{Argument, BackendError, Program, Var};

use crate::field::{fr, pow2};
use crate::poseidon;

/// The column structure of the circuit. The program determines it ([`crate::layout`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Number of arithmetic slots side by side.
    pub slots: usize,
    /// Advice columns per slot (at least [`MIN_WIDTH`]).
    pub width: usize,
    /// Range-check lanes.
    pub lanes: usize,
    /// Table-lookup lanes (two advice columns each).
    pub pairs: usize,
    /// Limb width `L` of the range table.
    pub limb_bits: u32,
    /// The second slot gate: 0 none, 1 `F2 = m·a₀·a₁`, 2 `F2 = m·a₀·a₁ + Σⱼ<4 c2ⱼ·aⱼ`.
    pub f2: u32,
    /// Poseidon hash groups ([`crate::poseidon`]); 0 unless the program has a Hash.
    pub hash_groups: usize,
}

/// The smallest slot width: `Div` needs five cells in one row.
pub const MIN_WIDTH: usize = 5;

impl Shape {
    /// Total advice columns.
    pub fn advice_columns(&self) -> usize {
        self.slots * self.width + self.lanes + 2 * self.pairs + poseidon::ADVICE * self.hash_groups
    }
    /// Advice columns that take part in copy constraints (all but the hash groups' inner cells).
    pub fn equality_columns(&self) -> usize {
        self.advice_columns() - (poseidon::ADVICE - poseidon::EQUALITY) * self.hash_groups
    }
    /// Advice column of cell `j` of hash group `g`.
    pub fn hash_col(&self, g: usize, j: usize) -> usize {
        self.slots * self.width + self.lanes + 2 * self.pairs + poseidon::ADVICE * g + j
    }
    /// Fixed column `j` (see [`crate::poseidon::QF`] and the following) of hash group `g`.
    pub fn hash_fixed(&self, g: usize, j: usize) -> usize {
        self.pair_t(self.pairs) + if self.has_table() { 3 } else { 0 } + poseidon::FIXED * g + j
    }
    /// Advice column of cell `j` of slot `s`.
    pub fn slot_col(&self, s: usize, j: usize) -> usize {
        s * self.width + j
    }
    /// Advice column of lane `i`.
    pub fn lane_col(&self, i: usize) -> usize {
        self.slots * self.width + i
    }
    /// Advice column of the `x` cell of pair lane `p` (`y` is the next column).
    pub fn pair_col(&self, p: usize) -> usize {
        self.slots * self.width + self.lanes + 2 * p
    }
    /// Fixed columns per slot: `c1ⱼ`, `p1`, `k1`, then `m` and `c2ⱼ` as [`Shape::f2`] asks.
    fn slot_fixed_len(&self) -> usize {
        self.width + 2 + usize::from(self.f2 >= 1) + 4 * usize::from(self.f2 >= 2)
    }
    fn slot_fixed(&self, s: usize) -> usize {
        s * self.slot_fixed_len()
    }
    /// Fixed column of coefficient `c1ⱼ` of slot `s`.
    pub fn c1(&self, s: usize, j: usize) -> usize {
        self.slot_fixed(s) + j
    }
    /// Fixed column of `p1` of slot `s`.
    pub fn p1(&self, s: usize) -> usize {
        self.slot_fixed(s) + self.width
    }
    /// Fixed column of `k1` of slot `s`.
    pub fn k1(&self, s: usize) -> usize {
        self.slot_fixed(s) + self.width + 1
    }
    /// Fixed column of the product coefficient `m` of slot `s` (needs `f2 ≥ 1`).
    pub fn m(&self, s: usize) -> usize {
        debug_assert!(self.f2 >= 1);
        self.slot_fixed(s) + self.width + 2
    }
    /// Fixed column of `c2ⱼ` (`j < 4`) of slot `s` (needs `f2 = 2`).
    pub fn c2(&self, s: usize, j: usize) -> usize {
        debug_assert!(self.f2 >= 2 && j < 4);
        self.slot_fixed(s) + self.width + 3 + j
    }
    /// Fixed tag column `t` of lane `i`.
    pub fn lane_t(&self, i: usize) -> usize {
        self.slot_fixed(self.slots) + 2 * i
    }
    /// Fixed running-sum column `u` of lane `i`.
    pub fn lane_u(&self, i: usize) -> usize {
        self.lane_t(i) + 1
    }
    /// Fixed tag column of pair lane `p`.
    pub fn pair_t(&self, p: usize) -> usize {
        self.slot_fixed(self.slots) + 2 * self.lanes + p
    }
    /// Whether the circuit has the lookup table columns.
    pub fn has_table(&self) -> bool {
        self.lanes + self.pairs > 0
    }
    /// Fixed table columns `(TAG, TAG·X, TAG·Y)`.
    pub fn table_cols(&self) -> [usize; 3] {
        let b = self.pair_t(self.pairs);
        [b, b + 1, b + 2]
    }
    /// Total fixed columns.
    pub fn fixed_columns(&self) -> usize {
        self.hash_fixed(self.hash_groups, 0)
    }
    /// Serialized form (keys carry it so a key of another shape is refused).
    pub fn to_words(self) -> [u32; 7] {
        [
            self.slots as u32,
            self.width as u32,
            self.lanes as u32,
            self.pairs as u32,
            self.limb_bits,
            self.f2,
            self.hash_groups as u32,
        ]
    }
    /// Inverse of [`Shape::to_words`].
    pub fn from_words(w: [u32; 7]) -> Self {
        Shape {
            slots: w[0] as usize,
            width: w[1] as usize,
            lanes: w[2] as usize,
            pairs: w[3] as usize,
            limb_bits: w[4],
            f2: w[5],
            hash_groups: w[6] as usize,
        }
    }
}

/// A cell: advice column and row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Advice column.
    pub col: u32,
    /// Row.
    pub row: u32,
}

/// A value the backend derives from the trace for an auxiliary cell.
#[derive(Clone, Copy, Debug)]
pub enum Val {
    /// `trace[v]`.
    Var(u32),
    /// `trace[a] - trace[b] + c` (`b` absent means 0).
    Diff {
        /// Minuend.
        a: u32,
        /// Subtrahend.
        b: Option<u32>,
        /// Constant.
        c: i128,
    },
    /// Limb `limb` of `(p - 1) - Σ dᵢ·2^(64i)` (or, with `borrow`, the borrow out of limb
    /// `limb`) for the digest `d` of a Hash, see [`poseidon::below_p`].
    BelowP {
        /// The digest variables.
        digest: [u32; 4],
        /// Limb index.
        limb: u8,
        /// The borrow instead of the limb.
        borrow: bool,
    },
}

/// Where an advice cell's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// Unused cell (zero).
    Empty,
    /// A program variable.
    Var(u32),
    /// A derived value `vals[i]` (as a field element).
    Val(u32),
    /// `floor(vals[i] / 2^s)` (a running-sum limb row).
    Shift(u32, u32),
    /// The running sum `partials[i]` of a Linear chain.
    Partial(u32),
    /// Cell `i` of the sponge of hash `h` ([`poseidon::sponge_cells`]).
    Sponge(u32, u32),
}

/// A running sum inside a Linear chain: `prev + Σ terms[start..end] except skip`, plus
/// `c₀` and the in-place term `terms[skip]` on the chain's first row.
#[derive(Clone, Copy, Debug)]
pub struct Partial {
    /// The previous partial sum of the chain.
    pub prev: Option<u32>,
    /// The Linear argument.
    pub arg: u32,
    /// First term index summed in this row.
    pub start: u32,
    /// One past the last term index summed in this row.
    pub end: u32,
    /// The term taken in place from the previous row's last cell, if any.
    pub skip: Option<u32>,
    /// Whether this is the chain's first row (adds `c₀` and the in-place term).
    pub first: bool,
}

/// The complete placement of a program: what every cell holds and every fixed value.
#[derive(Debug)]
pub struct Plan {
    /// Column structure.
    pub shape: Shape,
    /// Rows used by advice cells.
    pub rows: usize,
    /// Rows used by the lookup table (excluding the implicit all-zero row).
    pub table_rows: usize,
    /// `advice[col][row]` for `row < rows`.
    pub advice: Vec<Vec<Src>>,
    /// Non-zero fixed values per fixed column, `(row, value)` in increasing row order.
    pub fixed: Vec<Vec<(u32, Fr)>>,
    /// Copy constraints between advice cells.
    pub copies: Vec<(Pos, Pos)>,
    /// The cell of each public value, in `Public` order (instance row = index).
    pub publics: Vec<Pos>,
    /// Derived values.
    pub vals: Vec<Val>,
    /// Linear chain partial sums.
    pub partials: Vec<Partial>,
    /// `owner[col][row]`: the argument index a cell belongs to (`u32::MAX`: none).
    pub owner: Vec<Vec<u32>>,
    /// `slot_owner[s][row]`: the argument whose gates use slot-row `(s, row)`.
    pub slot_owner: Vec<Vec<u32>>,
    /// The argument index of each `Public`.
    pub public_owner: Vec<u32>,
    /// The argument index of each Hash (hash `h` is `hashes[h]`).
    pub hashes: Vec<u32>,
    /// `group_owner[g][row]`: the argument whose gates use row `row` of hash group `g`.
    pub group_owner: Vec<Vec<u32>>,
    /// Grid units (slot-rows, lane rows, pair rows) used per IR node.
    pub units_per_node: BTreeMap<usize, u64>,
}

/// No owner.
pub const NONE: u32 = u32::MAX;

/// Range-table tag of a `(width, signed)` range.
pub fn range_tag(width: u32, signed: bool) -> u64 {
    1 + 2 * width as u64 + signed as u64
}

/// Table tag of program table `i` (above every range tag: widths are < 256).
pub fn table_tag(i: usize) -> u64 {
    1024 + i as u64
}

/// The lane rows a range check of `bits` needs with limbs of `limb_bits`, and the top limb width.
pub fn limbs(bits: u32, limb_bits: u32) -> (u32, u32) {
    if bits <= limb_bits {
        (1, bits)
    } else {
        let m = bits.div_ceil(limb_bits);
        (m, bits - limb_bits * (m - 1))
    }
}

/// The range tags a check of `(bits, signed)` uses.
pub fn check_tags(bits: u32, signed: bool, limb_bits: u32) -> Vec<(u32, bool)> {
    let (m, top) = limbs(bits, limb_bits);
    if m == 1 {
        vec![(bits, signed)]
    } else {
        vec![(limb_bits, false), (top, signed)]
    }
}

/// Number of entries of a range of `width` bits.
pub fn range_size(width: u32) -> u64 {
    1u64 << width
}

/// The values of a `(width, signed)` range.
fn range_values(width: u32, signed: bool) -> std::ops::Range<i128> {
    if signed {
        if width == 0 {
            0..1
        } else {
            -(1i128 << (width - 1))..(1i128 << (width - 1))
        }
    } else {
        0..(1i128 << width)
    }
}

/// Incremental placement state. Argument kinds live in `crate::args`, one file each.
pub(crate) struct Packer<'p> {
    pub program: &'p Program,
    pub shape: Shape,
    pub max_rows: usize,
    pub advice: Vec<Vec<Src>>,
    pub owner: Vec<Vec<u32>>,
    pub slot_owner: Vec<Vec<u32>>,
    pub fixed: Vec<Vec<(u32, Fr)>>,
    pub copies: Vec<(Pos, Pos)>,
    pub vals: Vec<Val>,
    pub partials: Vec<Partial>,
    pub def: Vec<Option<Pos>>,
    slot_next: Vec<usize>,
    /// The variable in the last cell of the last row of each slot, if any.
    slot_last: Vec<Option<u32>>,
    lane_next: Vec<usize>,
    pair_next: Vec<usize>,
    /// First unused row of each hash group.
    pub group_next: Vec<usize>,
    /// Per hash group: its last row, when it is a permutation's output row whose input cells
    /// are still free (the next permutation can absorb there).
    pub group_pending: Vec<Option<usize>>,
    pub group_owner: Vec<Vec<u32>>,
    pub hashes: Vec<u32>,
    free: Option<(usize, usize, usize)>,
    pub arg: u32,
    pub node: usize,
    units: BTreeMap<usize, u64>,
    range_tags: BTreeSet<(u32, bool)>,
    tables_used: BTreeSet<usize>,
    publics: Vec<(u32, u32)>,
}

impl<'p> Packer<'p> {
    fn new(program: &'p Program, shape: Shape, max_rows: usize) -> Self {
        let cols = shape.advice_columns();
        Packer {
            program,
            shape,
            max_rows,
            advice: vec![Vec::new(); cols],
            owner: vec![Vec::new(); cols],
            slot_owner: vec![Vec::new(); shape.slots],
            fixed: vec![Vec::new(); shape.fixed_columns()],
            copies: Vec::new(),
            vals: Vec::new(),
            partials: Vec::new(),
            def: vec![None; program.num_vars as usize],
            slot_next: vec![0; shape.slots],
            slot_last: vec![None; shape.slots],
            lane_next: vec![0; shape.lanes],
            pair_next: vec![0; shape.pairs],
            group_next: vec![0; shape.hash_groups],
            group_pending: vec![None; shape.hash_groups],
            group_owner: vec![Vec::new(); shape.hash_groups],
            hashes: Vec::new(),
            free: None,
            arg: NONE,
            node: 0,
            units: BTreeMap::new(),
            range_tags: BTreeSet::new(),
            tables_used: BTreeSet::new(),
            publics: Vec::new(),
        }
    }

    fn too_big(&self) -> BackendError {
        BackendError::DoesNotFit {
            backend: "halo2",
            reason: format!("the layout needs more than {} rows; use a larger k", self.max_rows),
        }
    }

    fn ensure_row(&mut self, col: usize, row: usize) {
        if self.advice[col].len() <= row {
            self.advice[col].resize(row + 1, Src::Empty);
            self.owner[col].resize(row + 1, NONE);
        }
    }

    /// Checks a variable index against `num_vars`.
    pub fn var(&self, v: Var) -> Result<u32, BackendError> {
        if v.0 < self.program.num_vars {
            Ok(v.0)
        } else {
            Err(BackendError::DoesNotFit {
                backend: "halo2",
                reason: format!(
                    "argument {} uses variable {} but the program has {} variables",
                    self.arg, v.0, self.program.num_vars
                ),
            })
        }
    }

    /// Writes `src` into cell `(col, row)`.
    pub fn set(&mut self, col: usize, row: usize, src: Src) {
        self.ensure_row(col, row);
        self.advice[col][row] = src;
        self.owner[col][row] = self.arg;
    }

    /// Places variable `v` in `(col, row)`: its defining cell if it has none yet,
    /// otherwise a copy of it.
    pub fn place_var(&mut self, v: u32, col: usize, row: usize) {
        self.set(col, row, Src::Var(v));
        let here = Pos {
            col: col as u32,
            row: row as u32,
        };
        match self.def[v as usize] {
            None => self.def[v as usize] = Some(here),
            Some(d) => self.copies.push((d, here)),
        }
    }

    /// Constrains two cells equal.
    pub fn copy(&mut self, a: Pos, b: Pos) {
        self.copies.push((a, b));
    }

    /// Sets a fixed value.
    pub fn fix(&mut self, col: usize, row: usize, value: Fr) {
        if value != Fr::zero() {
            self.fixed[col].push((row as u32, value));
        }
    }

    /// Adds a derived value.
    pub fn val(&mut self, v: Val) -> u32 {
        self.vals.push(v);
        (self.vals.len() - 1) as u32
    }

    fn unit(&mut self, n: usize) {
        *self.units.entry(self.node).or_default() += n as u64;
    }

    /// The slot whose last row ends with `v` in its last cell, if any.
    pub fn slot_ending_with(&self, v: u32) -> Option<usize> {
        (0..self.shape.slots).find(|&s| self.slot_last[s] == Some(v))
    }

    /// Allocates `n` consecutive rows in slot `prefer` (or the least filled slot).
    /// Returns the slot and the first row.
    pub fn slot_rows(&mut self, prefer: Option<usize>, n: usize) -> Result<(usize, usize), BackendError> {
        let s = match prefer {
            Some(s) => s,
            None => (0..self.shape.slots)
                .min_by_key(|&s| self.slot_next[s])
                .expect("at least one slot"),
        };
        let row = self.slot_next[s];
        if row + n > self.max_rows {
            return Err(self.too_big());
        }
        self.slot_next[s] += n;
        self.slot_last[s] = None;
        for r in row..row + n {
            if self.slot_owner[s].len() <= r {
                self.slot_owner[s].resize(r + 1, NONE);
            }
            self.slot_owner[s][r] = self.arg;
        }
        self.unit(n);
        Ok((s, row))
    }

    /// Allocates `n` rows at the end of hash group `g` (they start no output row) and
    /// returns the first.
    pub fn group_rows(&mut self, g: usize, n: usize) -> Result<usize, BackendError> {
        let row = self.group_next[g];
        if row + n > self.max_rows {
            return Err(self.too_big());
        }
        self.group_next[g] += n;
        self.group_pending[g] = None;
        self.claim_group_rows(g, row, n);
        Ok(row)
    }

    /// Marks rows `row..row + n` of hash group `g` as used by the current argument.
    pub fn claim_group_rows(&mut self, g: usize, row: usize, n: usize) {
        let o = &mut self.group_owner[g];
        if o.len() < row + n {
            o.resize(row + n, NONE);
        }
        o[row..row + n].fill(self.arg);
        self.unit(n);
    }

    /// Records that the last cell of slot `s`'s last row holds `v` (usable in place).
    pub fn ends_with(&mut self, s: usize, v: u32) {
        self.slot_last[s] = Some(v);
    }

    /// Gives `v` a defining cell in a shared row of unconstrained cells.
    pub fn free_cell(&mut self, v: u32) -> Result<(), BackendError> {
        let w = self.shape.width;
        let (s, row, fill) = match self.free {
            // Cells of a free row are unconstrained, so it can keep filling even after
            // later rows were allocated in its slot (none of them chains from it).
            Some((s, row, fill)) if fill < w => (s, row, fill),
            _ => {
                let (s, row) = self.slot_rows(None, 1)?;
                (s, row, 0)
            }
        };
        let col = self.shape.slot_col(s, fill);
        self.place_var(v, col, row);
        self.free = Some((s, row, fill + 1));
        Ok(())
    }

    /// Range-checks the value in `at` (derived value `val`) to `bits` bits, signed or not,
    /// as a running sum down the least filled lane.
    pub fn range_check(&mut self, at: Option<Pos>, val: u32, bits: u32, signed: bool) -> Result<(), BackendError> {
        if bits >= 250 {
            return Err(BackendError::DoesNotFit {
                backend: "halo2",
                reason: format!(
                    "argument {} range-checks {bits} bits; BN254 holds at most 249 here",
                    self.arg
                ),
            });
        }
        let l = self.shape.limb_bits;
        let (m, top) = limbs(bits, l);
        let lane = (0..self.shape.lanes)
            .min_by_key(|&i| self.lane_next[i])
            .ok_or_else(|| BackendError::DoesNotFit {
                backend: "halo2",
                reason: "range check without range lanes (layout bug)".into(),
            })?;
        let row = self.lane_next[lane];
        if row + m as usize > self.max_rows {
            return Err(self.too_big());
        }
        self.lane_next[lane] += m as usize;
        self.unit(m as usize);
        let col = self.shape.lane_col(lane);
        let two_l = pow2(l);
        for i in 0..m {
            let r = row + i as usize;
            let src = if i == 0 {
                match self.vals[val as usize] {
                    Val::Var(v) => Src::Var(v),
                    _ => Src::Val(val),
                }
            } else {
                Src::Shift(val, l * i)
            };
            self.set(col, r, src);
            let (width, sgn) = if i + 1 == m { (top, signed) } else { (l, false) };
            self.range_tags.insert((width, sgn));
            let t = Fr::from(range_tag(width, sgn));
            self.fix(self.shape.lane_t(lane), r, t);
            if i + 1 < m {
                self.fix(self.shape.lane_u(lane), r, t * two_l);
            }
        }
        let z0 = Pos {
            col: col as u32,
            row: row as u32,
        };
        match (at, self.vals[val as usize]) {
            (Some(p), _) => self.copy(p, z0),
            (None, Val::Var(v)) => match self.def[v as usize] {
                Some(d) => self.copy(d, z0),
                None => self.def[v as usize] = Some(z0),
            },
            (None, _) => unreachable!("derived values are always checked at a cell"),
        }
        Ok(())
    }

    /// Range-checks variable `v`.
    pub fn range_check_var(&mut self, v: u32, bits: u32, signed: bool) -> Result<(), BackendError> {
        let val = self.val(Val::Var(v));
        self.range_check(None, val, bits, signed)
    }

    /// Places a table lookup `(x, y) ∈ table` in the least filled pair lane.
    pub fn table_lookup(&mut self, x: u32, y: u32, table: usize) -> Result<(), BackendError> {
        if table >= self.program.tables.len() {
            return Err(BackendError::DoesNotFit {
                backend: "halo2",
                reason: format!(
                    "argument {} looks up table {table} but the program has {} tables",
                    self.arg,
                    self.program.tables.len()
                ),
            });
        }
        let p = (0..self.shape.pairs)
            .min_by_key(|&p| self.pair_next[p])
            .ok_or_else(|| BackendError::DoesNotFit {
                backend: "halo2",
                reason: "lookup without lookup lanes (layout bug)".into(),
            })?;
        let row = self.pair_next[p];
        if row + 1 > self.max_rows {
            return Err(self.too_big());
        }
        self.pair_next[p] += 1;
        self.unit(1);
        let col = self.shape.pair_col(p);
        self.place_var(x, col, row);
        self.place_var(y, col + 1, row);
        self.fix(self.shape.pair_t(p), row, Fr::from(table_tag(table)));
        self.tables_used.insert(table);
        Ok(())
    }

    /// Marks `v` public at the next instance row.
    pub fn public(&mut self, v: u32) {
        self.publics.push((v, self.arg));
    }

    fn finish(mut self) -> Result<Plan, BackendError> {
        // Every variable gets a cell, even one no argument mentions.
        self.arg = NONE;
        for v in 0..self.program.num_vars {
            if self.def[v as usize].is_none() {
                self.free_cell(v)?;
            }
        }
        let publics: Vec<Pos> = self
            .publics
            .iter()
            .map(|&(v, _)| self.def[v as usize].expect("every variable has a cell"))
            .collect();
        let public_owner = self.publics.iter().map(|&(_, a)| a).collect();
        if publics.len() > self.max_rows {
            return Err(self.too_big());
        }
        // The lookup table: range tags, then the program tables that are used.
        let mut table_rows = 0usize;
        if self.shape.has_table() {
            let [tc, xc, yc] = self.shape.table_cols();
            let mut entries: Vec<(u64, i128, i128)> = Vec::new();
            let mut size = 0u64;
            for &(w, _) in &self.range_tags {
                size += range_size(w);
            }
            for &t in &self.tables_used {
                size += self.program.tables[t].values.len() as u64;
            }
            // One row stays all-zero: the entry every inactive lookup row matches.
            if size + 1 > self.max_rows as u64 {
                return Err(BackendError::DoesNotFit {
                    backend: "halo2",
                    reason: format!(
                        "the lookup table needs {size} rows but only {} fit; use a larger k",
                        self.max_rows - 1
                    ),
                });
            }
            for &(w, s) in &self.range_tags {
                for x in range_values(w, s) {
                    entries.push((range_tag(w, s), x, 0));
                }
            }
            for &t in &self.tables_used {
                let table = &self.program.tables[t];
                for (i, &y) in table.values.iter().enumerate() {
                    let x = table
                        .lo
                        .checked_add(i as i128)
                        .ok_or_else(|| BackendError::DoesNotFit {
                            backend: "halo2",
                            reason: format!("table {t} domain overflows i128"),
                        })?;
                    entries.push((table_tag(t), x, y));
                }
            }
            table_rows = entries.len();
            for (row, (tag, x, y)) in entries.into_iter().enumerate() {
                let t = Fr::from(tag);
                self.fix(tc, row, t);
                self.fix(xc, row, t * fr(x));
                self.fix(yc, row, t * fr(y));
            }
        }
        let rows = self.advice.iter().map(Vec::len).max().unwrap_or(0);
        for col in 0..self.advice.len() {
            self.advice[col].resize(rows, Src::Empty);
            self.owner[col].resize(rows, NONE);
        }
        for s in 0..self.shape.slots {
            self.slot_owner[s].resize(rows, NONE);
        }
        for g in &mut self.group_owner {
            g.resize(rows, NONE);
        }
        for col in &mut self.fixed {
            col.sort_by_key(|&(r, _)| r);
        }
        Ok(Plan {
            shape: self.shape,
            rows,
            table_rows,
            advice: self.advice,
            fixed: self.fixed,
            copies: self.copies,
            publics,
            vals: self.vals,
            partials: self.partials,
            owner: self.owner,
            slot_owner: self.slot_owner,
            public_owner,
            hashes: self.hashes,
            group_owner: self.group_owner,
            units_per_node: self.units,
        })
    }
}

/// Places `program` on a grid of `shape` with at most `max_rows` usable rows.
pub fn pack(program: &Program, shape: Shape, max_rows: usize) -> Result<Plan, BackendError> {
    let mut p = Packer::new(program, shape, max_rows);
    for (i, (arg, origin)) in program.arguments.iter().enumerate() {
        p.arg = i as u32;
        p.node = origin.node;
        crate::args::place(&mut p, arg)?;
    }
    p.finish()
}

/// Whether an argument defines or uses anything the slot gates see (for statistics).
pub fn slot_rows_of(arg: &Argument, width: usize) -> usize {
    match arg {
        Argument::Input { .. } | Argument::Range { .. } | Argument::Lookup { .. } | Argument::Public { .. } => 0,
        Argument::Linear { terms, .. } => terms.len().div_ceil(width - 1).max(1),
        Argument::Mul { .. } | Argument::Rescale { .. } | Argument::Div { .. } => 1,
        Argument::Max { b: None, .. } => 1,
        Argument::Max { b: Some(_), .. } => 2,
        Argument::Hash { .. } => crate::args::hash::SLOT_ROWS,
    }
}

/// Rows a Hash uses in the hash groups (0 for other arguments).
pub fn group_rows_of(arg: &Argument) -> usize {
    match arg {
        Argument::Hash { inputs, .. } => poseidon::permutations(inputs.len()) * poseidon::BLOCK_ROWS,
        _ => 0,
    }
}

/// The [`Shape::f2`] level an argument needs.
pub fn f2_of(arg: &Argument) -> u32 {
    match arg {
        Argument::Mul { .. } | Argument::Div { .. } => 2,
        Argument::Max { .. } => 1,
        _ => 0,
    }
}

/// The range checks `(bits, signed)` an argument makes.
pub fn checks_of(arg: &Argument) -> Vec<(u32, bool)> {
    match arg {
        Argument::Range { bits, .. } => vec![(*bits, true)],
        Argument::Rescale { k, q_bits, .. } => vec![(*k, false), (*q_bits, true)],
        Argument::Div { bits, .. } => vec![(*bits, false), (*bits, false), (*bits, true)],
        Argument::Max { bits, .. } => vec![(*bits, false), (*bits, false)],
        Argument::Hash { .. } => crate::args::hash::CHECKS.to_vec(),
        _ => vec![],
    }
}

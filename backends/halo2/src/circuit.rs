//! The halo2 circuit: columns and gates from a [`Shape`], cells from a [`Plan`].
//!
//! Gates (per slot `s`, all coefficients fixed columns, so no selectors are needed):
//! `F1 = Σⱼ c1ⱼ·aⱼ + p1·a_{w-1}(prev) + k1 = 0` and
//! `F2 = m·a₀·a₁ + Σⱼ<4 c2ⱼ·aⱼ = 0` (only the parts the program needs, see [`Shape::f2`]).
//! Lookups: range lane `i`: `(t, t·a - u·a(next)) ∈ (TAG, TAG·X)`; pair lane `p`:
//! `(t, t·x, t·y) ∈ (TAG, TAG·X, TAG·Y)`. Hash groups (only when the program has a Hash):
//! the Poseidon gates of [`crate::poseidon`], degree 3 like `F2`. The maximum degree is 5
//! (lookups), which also lets the permutation argument take three columns per grand product.

use halo2_proofs::circuit::{Cell, Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Advice, Any, Circuit, Column, ConstraintSystem, Error, Expression, Fixed, Instance};
use halo2_proofs::poly::Rotation;

use crate::plan::{Plan, Pos, Shape, MIN_WIDTH};
use crate::poseidon;

/// The columns.
#[derive(Clone, Debug)]
pub struct Config {
    advice: Vec<Column<Advice>>,
    fixed: Vec<Column<Fixed>>,
    instance: Column<Instance>,
}

/// A program's circuit; `witness` holds the advice columns when proving or mocking.
pub struct ZkcCircuit<'a> {
    /// The placement.
    pub plan: &'a Plan,
    /// Advice values per column (`None` for key generation).
    pub witness: Option<&'a [Vec<Fr>]>,
}

/// Builds the constraint system of `shape` into `meta`.
pub fn configure(meta: &mut ConstraintSystem<Fr>, sh: Shape) -> Config {
    let advice: Vec<_> = (0..sh.advice_columns()).map(|_| meta.advice_column()).collect();
    let fixed: Vec<_> = (0..sh.fixed_columns()).map(|_| meta.fixed_column()).collect();
    let instance = meta.instance_column();
    let hash_inner = |c: usize| {
        (0..sh.hash_groups).any(|g| (sh.hash_col(g, poseidon::EQUALITY)..sh.hash_col(g, poseidon::ADVICE)).contains(&c))
    };
    for (c, a) in advice.iter().enumerate() {
        if !hash_inner(c) {
            meta.enable_equality(*a);
        }
    }
    meta.enable_equality(instance);
    let w = sh.width;
    for s in 0..sh.slots {
        meta.create_gate(format!("zkc:slot={s}"), |vc| {
            let a: Vec<Expression<Fr>> = (0..w)
                .map(|j| vc.query_advice(advice[sh.slot_col(s, j)], Rotation::cur()))
                .collect();
            let prev = vc.query_advice(advice[sh.slot_col(s, w - 1)], Rotation::prev());
            let mut f = |c: usize| vc.query_fixed(fixed[c], Rotation::cur());
            let mut f1 = f(sh.p1(s)) * prev.clone() + f(sh.k1(s));
            for (j, aj) in a.iter().enumerate() {
                f1 = f1 + f(sh.c1(s, j)) * aj.clone();
            }
            let mut gates = vec![(format!("zkc:slot={s}:F1"), f1)];
            if sh.f2 >= 1 {
                let mut f2 = f(sh.m(s)) * a[0].clone() * a[1].clone();
                if sh.f2 >= 2 {
                    for (j, aj) in a.iter().enumerate().take(4) {
                        f2 = f2 + f(sh.c2(s, j)) * aj.clone();
                    }
                }
                gates.push((format!("zkc:slot={s}:F2"), f2));
            }
            gates
        });
    }
    if sh.has_table() {
        let [tc, xc, yc] = sh.table_cols();
        for i in 0..sh.lanes {
            meta.lookup_any(format!("zkc:lane={i}"), |vc| {
                let t = vc.query_fixed(fixed[sh.lane_t(i)], Rotation::cur());
                let u = vc.query_fixed(fixed[sh.lane_u(i)], Rotation::cur());
                let a = vc.query_advice(advice[sh.lane_col(i)], Rotation::cur());
                let next = vc.query_advice(advice[sh.lane_col(i)], Rotation::next());
                let tt = vc.query_fixed(fixed[tc], Rotation::cur());
                let tx = vc.query_fixed(fixed[xc], Rotation::cur());
                vec![(t.clone(), tt), (t * a - u * next, tx)]
            });
        }
        for p in 0..sh.pairs {
            meta.lookup_any(format!("zkc:pair={p}"), |vc| {
                let t = vc.query_fixed(fixed[sh.pair_t(p)], Rotation::cur());
                let x = vc.query_advice(advice[sh.pair_col(p)], Rotation::cur());
                let y = vc.query_advice(advice[sh.pair_col(p) + 1], Rotation::cur());
                let tt = vc.query_fixed(fixed[tc], Rotation::cur());
                let tx = vc.query_fixed(fixed[xc], Rotation::cur());
                let ty = vc.query_fixed(fixed[yc], Rotation::cur());
                vec![(t.clone(), tt), (t.clone() * x, tx), (t * y, ty)]
            });
        }
    }
    for g in 0..sh.hash_groups {
        let a: Vec<_> = (0..poseidon::ADVICE).map(|j| advice[sh.hash_col(g, j)]).collect();
        let f: Vec<_> = (0..poseidon::FIXED).map(|j| fixed[sh.hash_fixed(g, j)]).collect();
        poseidon::configure(meta, g, &a, &f);
    }
    Config {
        advice,
        fixed,
        instance,
    }
}

impl Circuit<Fr> for ZkcCircuit<'_> {
    type Config = Config;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Shape;

    fn without_witnesses(&self) -> Self {
        ZkcCircuit {
            plan: self.plan,
            witness: None,
        }
    }

    fn params(&self) -> Shape {
        self.plan.shape
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, shape: Shape) -> Config {
        configure(meta, shape)
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Config {
        // Only reached without circuit params; every zkc circuit passes its Shape.
        configure(
            meta,
            Shape {
                slots: 1,
                width: MIN_WIDTH,
                lanes: 0,
                pairs: 0,
                limb_bits: 1,
                f2: 2,
                hash_groups: 0,
            },
        )
    }

    fn synthesize(&self, config: Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let plan = self.plan;
        let cell = |p: &Pos| Cell {
            row_offset: p.row as usize,
            column: Column::<Any>::from(config.advice[p.col as usize]),
        };
        layouter.assign_region(
            || "zkc",
            |mut region| {
                for (c, col) in plan.fixed.iter().enumerate() {
                    for &(row, v) in col {
                        region.assign_fixed(config.fixed[c], row as usize, v);
                    }
                }
                if let Some(w) = self.witness {
                    for (c, col) in w.iter().enumerate() {
                        for (row, v) in col.iter().take(plan.rows).enumerate() {
                            region.assign_advice(config.advice[c], row, Value::known(*v));
                        }
                    }
                }
                for (a, b) in &plan.copies {
                    region.constrain_equal(cell(a), cell(b));
                }
                Ok(())
            },
        )?;
        for (i, p) in plan.publics.iter().enumerate() {
            layouter.constrain_instance(cell(p), config.instance, i);
        }
        Ok(())
    }
}

//! Layout rules: Transpose/Reshape pairs cancel or compose, and a scalar moves through a
//! layout op (so it can reach a weight on the other side). Layout ops cost nothing in a
//! circuit; these rules exist so the folds in `linear` see through them.

use egg::{Id, Subst};
use zkc_ir::ops::Op;

use super::{add_param, konst, param, scalar_of, shape, var, Rhs, Rule};
use crate::fuse::lang::{Tl, EG};

fn perm_of(eg: &EG, s: &Subst, v: &str) -> Option<Vec<usize>> {
    match param(eg, s, v)? {
        Op::Transpose { perm } => Some(perm.clone()),
        _ => None,
    }
}

fn identity_perm(eg: &EG, s: &Subst) -> bool {
    perm_of(eg, s, "?p").is_some_and(|p| p.iter().enumerate().all(|(i, &a)| i == a))
}

fn same_shape(eg: &EG, s: &Subst) -> bool {
    matches!(param(eg, s, "?s"), Some(Op::Reshape { shape: t }) if shape(eg, s, "?x") == Some(t.as_slice()))
}

/// `?c` is one value whose rank does not exceed that of `?x` or of the layout op's output.
fn c_scalar_for_layout(eg: &EG, s: &Subst) -> bool {
    let out_rank = match param(eg, s, "?s") {
        Some(Op::Reshape { shape }) => shape.len(),
        _ => usize::MAX,
    };
    match (konst(eg, s, "?c"), shape(eg, s, "?x")) {
        (Some(c), Some(x)) => scalar_of(c, x.len().min(out_rank)).is_some(),
        _ => false,
    }
}

/// `transpose(transpose(x, q), p) = transpose(x, q∘p)`, or `x` when that is the identity.
fn compose_transposes(eg: &mut EG, s: &Subst) -> Option<Id> {
    let (p, q) = (perm_of(eg, s, "?p")?, perm_of(eg, s, "?q")?);
    if p.len() != q.len() {
        return None;
    }
    let composed: Vec<usize> = p.iter().map(|&i| q[i]).collect();
    if composed.iter().enumerate().all(|(i, &a)| i == a) {
        return Some(s[var("?x")]);
    }
    let pc = add_param(eg, Op::Transpose { perm: composed });
    Some(eg.add(Tl::Transpose([pc, s[var("?x")]])))
}

/// The rules of this file.
pub fn rules() -> Vec<Rule> {
    use Rhs::{Build, Pattern};
    vec![
        Rule::new(
            "transpose-pair",
            "(transpose ?p (transpose ?q ?x))",
            vec![],
            Build(compose_transposes),
        ),
        Rule::new(
            "transpose-identity",
            "(transpose ?p ?x)",
            vec![("the permutation is the identity", identity_perm)],
            Pattern("?x"),
        ),
        Rule::new(
            "reshape-pair",
            "(reshape ?s (reshape ?t ?x))",
            vec![],
            Pattern("(reshape ?s ?x)"),
        ),
        Rule::new(
            "reshape-identity",
            "(reshape ?s ?x)",
            vec![("x already has the shape", same_shape)],
            Pattern("?x"),
        ),
        Rule::new(
            "scalar-out-of-transpose",
            "(transpose ?p (mul ?x ?c))",
            vec![("c is one value", c_scalar_for_layout)],
            Pattern("(mul (transpose ?p ?x) ?c)"),
        ),
        Rule::new(
            "scalar-into-transpose",
            "(mul (transpose ?p ?x) ?c)",
            vec![("c is one value", c_scalar_for_layout)],
            Pattern("(transpose ?p (mul ?x ?c))"),
        ),
        Rule::new(
            "scalar-out-of-reshape",
            "(reshape ?s (mul ?x ?c))",
            vec![("c is one value", c_scalar_for_layout)],
            Pattern("(mul (reshape ?s ?x) ?c)"),
        ),
        Rule::new(
            "scalar-into-reshape",
            "(mul (reshape ?s ?x) ?c)",
            vec![("c is one value", c_scalar_for_layout)],
            Pattern("(reshape ?s (mul ?x ?c))"),
        ),
    ]
}

//! Who sees what: the visibility of the model inputs, the parameters (weights and biases) and
//! the outputs of a circuit.
//!
//! - `public`: the values are public values of the proof; the verifier sees them.
//! - `private`: witness values only; the verifier learns nothing about them but what the
//!   statement implies.
//! - `hashed`: private, but a Poseidon hash of all of them (one digest per group) is computed
//!   inside the circuit and made public, so a proof binds to values committed beforehand.
//!   Over BN254, parameters are hashed packed several to a field element
//!   (`zkc_runtime::poseidon::pack_params`).
//! - `fixed` (parameters only, the default): the weights are constants baked into the circuit;
//!   anyone holding the compiled circuit knows them, and fixed-weight products cost nothing
//!   on Groth16.
//!
//! The public values of a proof are laid out in this order: inputs (values or digest),
//! parameters (values or digest), outputs (values or digest). A digest is four public values
//! (see `zkc_runtime::Argument::Hash`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How one group of values is exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Public values of the proof.
    Public,
    /// Witness values only.
    Private,
    /// Private, with their Poseidon hash public.
    Hashed,
    /// Constants of the circuit (parameters only).
    Fixed,
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Hashed => "hashed",
            Visibility::Fixed => "fixed",
        })
    }
}

impl FromStr for Visibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "public" => Ok(Visibility::Public),
            "private" => Ok(Visibility::Private),
            "hashed" => Ok(Visibility::Hashed),
            "fixed" => Ok(Visibility::Fixed),
            other => Err(format!(
                "unknown visibility `{other}`; choose public, private, hashed (or fixed, for parameters)"
            )),
        }
    }
}

/// The visibility of each group. Defaults: private inputs, fixed parameters, public outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibilityConfig {
    /// The model inputs.
    pub input: Visibility,
    /// The weights and biases: the constant operands of Conv, ConvTranspose, MatMul (and so
    /// Gemm) and of Add/Sub/Mul (biases, BatchNorm's scale and shift). Other constants
    /// (divisors, padding values, clip bounds, PRelu slopes, shapes, indices) stay fixed.
    pub params: Visibility,
    /// The model outputs.
    pub output: Visibility,
}

impl Default for VisibilityConfig {
    fn default() -> Self {
        VisibilityConfig {
            input: Visibility::Private,
            params: Visibility::Fixed,
            output: Visibility::Public,
        }
    }
}

impl VisibilityConfig {
    /// Checks that `fixed` is only used for parameters.
    pub fn validate(&self) -> Result<(), String> {
        if self.input == Visibility::Fixed {
            return Err("--input-visibility fixed makes no sense: inputs are given at proving time; choose public, private or hashed".into());
        }
        if self.output == Visibility::Fixed {
            return Err(
                "--output-visibility fixed makes no sense: outputs are computed; choose public, private or hashed"
                    .into(),
            );
        }
        Ok(())
    }

    /// How many public values a group of `n` values contributes under `v`.
    pub fn public_count(v: Visibility, n: usize) -> usize {
        match v {
            Visibility::Public => n,
            Visibility::Hashed => 4,
            Visibility::Private | Visibility::Fixed => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_visibility() {
        for v in [
            Visibility::Public,
            Visibility::Private,
            Visibility::Hashed,
            Visibility::Fixed,
        ] {
            assert_eq!(v.to_string().parse::<Visibility>(), Ok(v));
        }
        assert!("secret"
            .parse::<Visibility>()
            .unwrap_err()
            .contains("public, private, hashed"));
    }

    #[test]
    fn fixed_only_for_parameters() {
        let mut c = VisibilityConfig::default();
        assert!(c.validate().is_ok());
        c.input = Visibility::Fixed;
        assert!(c.validate().unwrap_err().contains("--input-visibility"));
        c.input = Visibility::Public;
        c.output = Visibility::Fixed;
        assert!(c.validate().unwrap_err().contains("--output-visibility"));
    }
}

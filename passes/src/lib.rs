//! zkc's passes over the tensor IR. Each pass is a function over the graph that returns what
//! it did:
//!
//! - [`quantize`]: calibration and the fixed-point configuration (scales, input ranges);
//! - [`lower`]: fixed-point type inference by interval arithmetic and lowering of every op
//!   into the backend-independent circuit arguments of `zkc_runtime`;
//! - [`visibility`]: which inputs, parameters and outputs are public, private or hashed.

pub mod fuse;
pub mod lower;
pub mod optimize;
pub mod pack;
pub mod quantize;
pub mod visibility;

pub use lower::{lower, Compiled, LowerError};
pub use quantize::{calibrate, QuantConfig, QuantError, QuantPlan};
pub use visibility::{Visibility, VisibilityConfig};

//! zkc's groth16 backend (in progress).

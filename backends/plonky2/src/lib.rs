//! zkc's plonky2 backend (in progress).

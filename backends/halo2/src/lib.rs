//! zkc's halo2 backend (in progress).

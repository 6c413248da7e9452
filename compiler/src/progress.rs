//! Whether long steps draw progress on stderr (on by default; indicatif draws only on a
//! terminal). The Python package switches it with `zkc.set_progress(False)`, the CLI with
//! `ZKC_PROGRESS=0`.

use std::sync::atomic::{AtomicBool, Ordering};

static OFF: AtomicBool = AtomicBool::new(false);

/// Turns progress drawing on or off for this process.
pub fn set_enabled(on: bool) {
    OFF.store(!on, Ordering::Relaxed);
}

/// Whether progress is drawn: not when switched off, nor when `ZKC_PROGRESS=0`.
pub fn enabled() -> bool {
    !OFF.load(Ordering::Relaxed) && std::env::var_os("ZKC_PROGRESS").is_none_or(|v| v != "0")
}

/// Where a progress bar draws: stderr, or nowhere when progress is off.
pub fn target() -> indicatif::ProgressDrawTarget {
    if enabled() {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    }
}

//! Ctrl-C during long calls: work that runs without the GIL asks at its checkpoints whether
//! Python received a signal; work that cannot (an HNSW build) runs on the pool while the caller
//! waits interruptibly.

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use pyo3::prelude::*;

use crate::errors::KgcoreError;

/// Ctrl-C for work running on the calling thread without the GIL: `interrupted()` re-attaches
/// at most every 20 ms to let Python run its signal handlers (only the main thread receives
/// them) and keeps the KeyboardInterrupt for `finish`. Work that checks it between chunks or
/// spur searches stops within one; nothing moves to another thread, so a call pays nothing
/// for it but a clock read per check.
pub(crate) struct SignalPoll {
    last: Instant,
    raised: Option<PyErr>,
}

impl SignalPoll {
    const EVERY: Duration = Duration::from_millis(20);

    pub(crate) fn new() -> Self {
        SignalPoll { last: Instant::now(), raised: None }
    }

    pub(crate) fn interrupted(&mut self) -> bool {
        if self.raised.is_some() {
            return true;
        }
        if self.last.elapsed() < Self::EVERY {
            return false;
        }
        self.last = Instant::now();
        self.raised = Python::attach(|py| py.check_signals()).err();
        self.raised.is_some()
    }

    /// The answer, or the KeyboardInterrupt (or other handler error) that stopped it.
    pub(crate) fn finish<T>(self, v: T) -> PyResult<T> {
        match self.raised {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }
}

/// Runs `work`, which cannot check for interrupts itself (an HNSW build), on the worker pool
/// while the caller waits without the GIL, waking every 50 ms to let Python run its signal
/// handlers: Ctrl-C raises KeyboardInterrupt at once, and the answer that still arrives is
/// dropped, so the call has no effect.
pub(crate) fn interruptible<T: Send + 'static>(py: Python<'_>, work: impl FnOnce() -> T + Send + 'static) -> PyResult<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rayon::spawn(move || {
        // A panic must not reach the pool (it would abort the process): the caller sees the
        // channel close instead and raises KgcoreError.
        if let Ok(v) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            let _ = tx.send(v);
        }
    });
    py.detach(move || {
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(v) => return Ok(v),
                Err(RecvTimeoutError::Timeout) => Python::attach(|py| py.check_signals())?,
                Err(RecvTimeoutError::Disconnected) => return Err(KgcoreError::new_err("the vector index build failed")),
            }
        }
    })
}

/// Work items per chunk of a batch call, between checks of the interrupt flag.
pub(crate) const CHUNK: usize = 16_384;

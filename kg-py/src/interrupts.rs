//! Ctrl-C during long calls: work on the calling thread (without the GIL) asks at its
//! checkpoints whether Python received a signal; work on the pool (parallel batches, long
//! listings, an HNSW build) is told to stop by a flag while the caller waits interruptibly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyList;

use kgcore::query::Stop;

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

/// Runs `work` on the worker pool while the caller waits without the GIL, waking every 20 ms
/// to let Python run its signal handlers. On Ctrl-C the `Stop` handed to `work` starts saying
/// yes and KeyboardInterrupt is raised at once; work that asks it (path listing and sampling,
/// batches of pairs) ends at its next checkpoint, work that cannot (an HNSW build) runs to
/// its end, and either way its answer is dropped, so the call has no effect. For calls that
/// can run long: the hop to the pool costs about 30 µs (`benches/python_calls.py`), so
/// [`interruptible`] keeps small calls on the calling thread.
pub(crate) fn on_pool<T: Send + 'static>(py: Python<'_>, work: impl FnOnce(Stop<'_>) -> T + Send + 'static) -> PyResult<T> {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let asked = Arc::clone(&stop);
    rayon::spawn(move || {
        let check = move || asked.load(Ordering::Relaxed);
        // A panic must not reach the pool (it would abort the process): the caller sees the
        // channel close instead and raises KgcoreError.
        if let Ok(v) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&check))) {
            let _ = tx.send(v);
        }
    });
    py.detach(move || {
        loop {
            match rx.recv_timeout(SignalPoll::EVERY) {
                Ok(v) => return Ok(v),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return Err(KgcoreError::new_err("the work failed unexpectedly (a bug): please report it")),
            }
        }
    })
}

/// `work`, which searches `pairs` pairs and lists at most `paths` paths, without the GIL: on
/// the calling thread when both are few enough to end quickly, else through [`on_pool`] so
/// Ctrl-C can stop it.
pub(crate) fn interruptible<T: Send + 'static>(
    py: Python<'_>, pairs: usize, paths: usize, work: impl FnOnce(Stop<'_>) -> T + Send + 'static,
) -> PyResult<T> {
    const FEW_PAIRS: usize = 64;
    if pairs <= FEW_PAIRS && paths <= CHUNK { Ok(py.detach(|| work(kgcore::query::NEVER))) } else { on_pool(py, work) }
}

/// `paths` as a Python list of lists, letting Python run its signal handlers every [`CHUNK`]
/// paths: converting a million paths takes most of a second. An item equal to the one at the
/// same position on the path before (paths come sorted, so neighbours share their ends and
/// often more) is the same Python object, not a new one.
pub(crate) fn path_list<'py, T>(py: Python<'py>, paths: Vec<Vec<T>>) -> PyResult<Bound<'py, PyList>>
where
    T: IntoPyObject<'py> + PartialEq + Clone,
{
    let list = PyList::empty(py);
    let mut before: Vec<(T, Bound<'py, PyAny>)> = Vec::new();
    for (i, path) in paths.into_iter().enumerate() {
        if i % CHUNK == CHUNK - 1 {
            py.check_signals()?;
        }
        before.truncate(path.len());
        for (at, item) in path.into_iter().enumerate() {
            match before.get_mut(at) {
                Some((same, _)) if *same == item => {}
                Some(slot) => *slot = (item.clone(), item.into_bound_py_any(py)?),
                None => before.push((item.clone(), item.into_bound_py_any(py)?)),
            }
        }
        list.append(PyList::new(py, before.iter().map(|(_, o)| o))?)?;
    }
    Ok(list)
}

/// Work items per chunk of a batch call, between checks of the interrupt flag.
pub(crate) const CHUNK: usize = 16_384;

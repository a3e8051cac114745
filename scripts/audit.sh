#!/usr/bin/env bash
# Dependency hygiene with cargo-deny (policy in deny.toml), for the workspace and the fuzz crate:
# licenses, banned crates, sources, and RustSec advisories (vulnerable, unsound, unmaintained,
# yanked). The advisory database is a git clone from github.com; where it cannot be fetched the
# check uses a copy already on the machine, and says so loudly when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if ! cargo deny --version >/dev/null 2>&1; then
    # Its own build directory: cargo-deny's dependencies must not evict the project's build.
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR}-tools" cargo install --locked cargo-deny
fi
manifests=(Cargo.toml fuzz/Cargo.toml)
for manifest in "${manifests[@]}"; do
    echo "audit: $manifest: bans, licenses, sources"
    cargo deny --manifest-path "$manifest" check bans licenses sources
done
if timeout 300 cargo deny fetch >/dev/null 2>&1; then
    offline=()
    echo "audit: advisory database fetched"
elif [ -n "$(ls -d "$HOME"/.cargo/advisory-dbs/advisory-db-*/crates 2>/dev/null)" ]; then
    offline=(--offline)
    echo "audit: advisory database unreachable; using the copy in ~/.cargo/advisory-dbs" >&2
else
    echo "audit: WARNING: advisory database unreachable and no local copy: advisories NOT checked" >&2
    exit 0
fi
for manifest in "${manifests[@]}"; do
    echo "audit: $manifest: advisories"
    cargo deny "${offline[@]}" --manifest-path "$manifest" check advisories
done

#!/usr/bin/env bash
# A short run of every cargo-fuzz target (default 20 s each) from the committed seeds: the CI
# smoke of docs/RELIABILITY.md. Longer runs: FUZZ_SECONDS=600 bash scripts/fuzz-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
seconds="${FUZZ_SECONDS:-20}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi
# The instrumented build gets a target directory of its own; the stable toolchain takes
# cargo-fuzz's sanitizer flags with RUSTC_BOOTSTRAP.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR}-fuzz" RUSTC_BOOTSTRAP=1
cd fuzz
claim_target_dir "$CARGO_TARGET_DIR" --target "$(rustc -vV | sed -n 's/^host: //p')" -- kg-core kg-index kgcore-fuzz
# Every target builds, or the smoke fails: the runs below filter their output.
cargo fuzz build -O
for target in $(cargo fuzz list); do
    corpus="$(mktemp -d)"
    # The targets write their inputs to files in the temporary directory: one of their own,
    # removed after the run.
    scratch="$(mktemp -d)"
    echo "fuzz: $target for ${seconds}s"
    TMPDIR="$scratch" cargo fuzz run -O "$target" "$corpus" "seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 2>&1 \
        | grep -E "^(stat::number_of_executed_units|Done|==[0-9]+==ERROR|thread .* panicked)" | tee "$corpus.out" || true
    ran=$(grep -c "^Done" "$corpus.out" || true)
    rm -rf "$corpus" "$corpus.out" "$scratch"
    # A crash leaves an artifact and a nonzero status; the pipe above hides the status, so
    # check for artifacts instead.
    if compgen -G "artifacts/$target/*" >/dev/null; then
        echo "fuzz: $target found a failing input: fuzz/artifacts/$target" >&2
        exit 1
    fi
    if [ "$ran" = 0 ]; then
        echo "fuzz: $target did not run" >&2
        exit 1
    fi
done

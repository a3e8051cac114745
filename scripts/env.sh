# Shared by the scripts: one build directory outside the checkout, so RocksDB's C++ is compiled
# once per machine and CI (a fresh clone) reuses it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kgcore-target}"
KGCORE="$CARGO_TARGET_DIR/release/kgcore"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Cargo names the artifacts of this workspace's own crates by their path inside the workspace,
# not by where the checkout is. Two checkouts sharing a target directory therefore share those
# artifacts, and a build in one can be taken as up to date for the other's older sources (a
# stale binary, silently). When the checkout building into DIR changes, its PACKAGES are cleaned
# first; RocksDB and the other dependencies stay built. (Two checkouts building at the same
# moment still need two directories.)
claim_target_dir() { # DIR [cargo clean options...] -- PACKAGE...
    local dir="$1" here mark p opts=() packages=()
    shift
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift || true
    for p in "$@"; do packages+=(-p "$p"); done
    here="$(pwd -P)"
    mark="$dir/.kgcore-checkout"
    if [ -d "$dir" ] && [ "$(cat "$mark" 2>/dev/null)" != "$here" ]; then
        echo "target directory $dir was last used by another checkout: rebuilding this one's crates" >&2
        CARGO_TARGET_DIR="$dir" cargo clean --release "${opts[@]}" "${packages[@]}" >/dev/null 2>&1 || true
    fi
    mkdir -p "$dir" && echo "$here" >"$mark"
}

# RocksDB's bindings are generated with bindgen, which needs libclang.
ensure_libclang() {
    # libclang-cpp (which LLVM's own packages bring) is not the C library bindgen loads.
    if ! ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* >/dev/null 2>&1 \
        && ! ldconfig -p 2>/dev/null | grep -qE 'libclang(-[0-9][0-9.]*)?\.so'; then
        echo "installing libclang-dev (needed to build RocksDB's bindings)" >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq && $sudo apt-get install -y -qq libclang-dev >/dev/null
    fi
}

# Debian's headless Chromium and its WebDriver, for the explorer page's browser test.
ensure_chromium() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        echo "installing chromium and chromium-driver (the explorer page's browser test)" >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
            || { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium chromium-driver >/dev/null; } \
            || echo "could not install chromium: the browser test will be skipped" >&2
    fi
}

# Builds the abi3 wheel of the `kgcore` Python module (same release profile) and installs it.
install_python_module() {
    python3 -m pip install -q "maturin>=1.7,<2" 2>&1 | grep -v "Running pip as the 'root' user" || true
    rm -f "$CARGO_TARGET_DIR"/wheels/kgcore-*.whl
    # Stripped, as users get it (debug tables make the module ~440 MB); KGCORE_KEEP_SYMBOLS=1
    # keeps them for local profiling.
    if [ -n "${KGCORE_KEEP_SYMBOLS:-}" ]; then
        maturin build --release -m kg-py/Cargo.toml >&2
    else
        maturin build --release --strip -m kg-py/Cargo.toml >&2
    fi
    python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/kgcore-*.whl 2>&1 | grep -v "Running pip as the 'root' user" || true
    python3 -m pip install -q "numpy>=1.24" 2>&1 | grep -v "Running pip as the 'root' user" || true
}

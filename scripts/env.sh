# Shared by the scripts: one build directory outside the checkout, so RocksDB's C++ is compiled
# once per machine and CI (a fresh clone) reuses it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kgcore-target}"
KGCORE="$CARGO_TARGET_DIR/release/kgcore"
export PIP_DISABLE_PIP_VERSION_CHECK=1

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

# Builds the abi3 wheel of the `kgcore` Python module (same release profile) and installs it.
install_python_module() {
    python3 -m pip install -q "maturin>=1.7,<2" 2>&1 | grep -v "Running pip as the 'root' user" || true
    rm -f "$CARGO_TARGET_DIR"/wheels/kgcore-*.whl
    maturin build --release -m crates/kg-py/Cargo.toml >&2
    python3 -m pip install -q --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/kgcore-*.whl 2>&1 | grep -v "Running pip as the 'root' user" || true
    python3 -m pip install -q "numpy>=1.24" 2>&1 | grep -v "Running pip as the 'root' user" || true
}

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HETIONET = ROOT.parent / "shared" / "data" / "hetionet-partial" / "kg.csv.gz"


def kgcore_binary() -> pathlib.Path:
    target = os.environ.get("CARGO_TARGET_DIR", str(pathlib.Path.home() / ".cache" / "kgcore-target"))
    return pathlib.Path(target) / "release" / "kgcore"


@pytest.fixture(scope="session")
def kgcore():
    exe = kgcore_binary()
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "kg-cli"], cwd=ROOT, check=True)
    return exe


@pytest.fixture(scope="session")
def hetionet_db(kgcore, tmp_path_factory):
    if not HETIONET.exists():
        pytest.skip("../shared/data/hetionet-partial is not present")
    db = tmp_path_factory.mktemp("het") / "db"
    subprocess.run([str(kgcore), "import", "--db", str(db), str(HETIONET)], check=True, capture_output=True)
    return db


@pytest.fixture(scope="session")
def kgcore_cli(kgcore):
    """The CLI binary, for modules where the name `kgcore` is the Python module."""
    return kgcore

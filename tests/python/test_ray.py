"""MedReason's KG step on a two-node Ray cluster (simulated on this machine): the database
shipped to each node with the job's working directory, one actor per node, and the same bytes
as the single-process run."""

import pathlib
import shutil

import pytest

import kgcore.medreason

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

QA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "qa" / "medqa_test.jsonl"


@pytest.fixture(scope="module")
def two_nodes(hetionet_db, tmp_path_factory):
    # The job's working directory holds the database. The added node unpacks it into a
    # runtime-env directory of its own, as a separate machine would (the head keeps Ray's
    # default one, where the driver uploads the package).
    job = tmp_path_factory.mktemp("job")
    shutil.copytree(hetionet_db, job / "db")
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "resources": {"grounder": 1}})
    cluster.add_node(num_cpus=2, resources={"grounder": 1}, runtime_env_dir_name="rt_worker")
    ray.init(address=cluster.address, runtime_env={"working_dir": str(job)}, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()
    cluster.shutdown()


def test_two_nodes_write_what_one_process_writes(two_nodes, hetionet_db, tmp_path):
    if not QA.exists():
        pytest.skip("../shared/data/qa is not present")
    single, spread = tmp_path / "single.jsonl", tmp_path / "ray.jsonl"
    expected = kgcore.medreason.ground(hetionet_db, QA, single, seed=11)
    # One actor per node: each needs the one "grounder" unit its node has. The database path
    # is relative: each actor runs in its node's copy of the working directory.
    summary = kgcore.medreason.ground_with_ray("db", QA, spread, actors=2, batch_size=128, seed=11,
                                               actor_options={"resources": {"grounder": 1}, "num_cpus": 1})
    assert summary == expected
    assert spread.read_bytes() == single.read_bytes()


def test_bad_lines_are_rows_not_failures(two_nodes, hetionet_db, tmp_path):
    qa = tmp_path / "mixed.jsonl"
    qa.write_bytes(b'{"question": "fever and cough", "answer": "Oseltamivir"}\n{broken\n\n{"question": "q"}\n{"question": "caf\xe9"}\r\n')
    out, single = tmp_path / "out.jsonl", tmp_path / "single.jsonl"
    summary = kgcore.medreason.ground_with_ray("db", qa, out, actors=2, actor_options={"resources": {"grounder": 1}, "num_cpus": 1})
    assert summary["read"] == 4 and summary["bad"] == 3
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in summary["bad_lines"]] == ["2", "4", "5"]
    assert summary["bad_lines"][2].endswith("not UTF-8 text")
    assert kgcore.medreason.ground(hetionet_db, qa, single) == summary, "the same summary as one process"
    assert out.read_bytes() == single.read_bytes()

"""MedReason's KG step end to end: the CLI and Python write the same records; Ctrl-C leaves a
file the rerun completes to exactly what one whole run writes."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import kgcore.medreason

QA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "qa"


@pytest.fixture(scope="module")
def medqa(tmp_path_factory):
    path = QA / "medqa_test.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/qa is not present")
    return path


def records(path):
    return [json.loads(line) for line in pathlib.Path(path).read_text().splitlines()]


def test_cli_and_python_write_the_same_records(kgcore_cli, hetionet_db, medqa, tmp_path):
    out_cli, out_py = tmp_path / "cli.jsonl", tmp_path / "py.jsonl"
    done = subprocess.run([str(kgcore_cli), "ground", "--db", str(hetionet_db), "--qa", str(medqa), "--out", str(out_cli), "--seed", "3", "--json"],
                          check=True, capture_output=True, text=True)
    summary = json.loads(done.stdout)
    assert kgcore.medreason.ground(hetionet_db, medqa, out_py, seed=3) == summary
    assert out_cli.read_bytes() == out_py.read_bytes()
    written = records(out_py)
    assert len(written) == summary["with_path"] > 0.3 * summary["read"]
    for r in written:
        assert r["path_groups"] and r["question_entities"] and r["answer_entities"] and r["reasoning"] is None
        for e in r["question_entities"]:
            assert r["question"][e["start"]:e["end"]] == e["text"]
        lines = r["thinking_paths"].splitlines()
        assert len(lines) == sum(len(g["paths"]) for g in r["path_groups"])
        for g in r["path_groups"]:
            assert 1 <= len(g["paths"]) <= 3 and int(g["count"]) >= len(g["paths"])
            for p in g["paths"]:
                assert len(p["names"]) == g["distance"] + 1 and p["names"][0] == g["from"] and p["names"][-1] == g["to"]
        assert r["thinking_paths"] in r["prompt"]

    typed_cli, typed_py = tmp_path / "typed-cli.jsonl", tmp_path / "typed-py.jsonl"
    subprocess.run([str(kgcore_cli), "ground", "--db", str(hetionet_db), "--qa", str(medqa), "--out", str(typed_cli), "--typed"], check=True, capture_output=True)
    kgcore.medreason.ground(hetionet_db, medqa, typed_py, typed=True)
    assert typed_cli.read_bytes() == typed_py.read_bytes()
    for r in records(typed_py)[:50]:
        for g in r["path_groups"]:
            for p in g["paths"]:
                assert all(len(n) == 1 for n in p["nodes"]) and p["labelled"].count(" -[") == g["distance"]


def test_ctrl_c_leaves_a_file_the_rerun_completes(hetionet_db, medqa, tmp_path):
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    kgcore.medreason.ground(hetionet_db, medqa, whole)
    slow = (
        "import sys, time, kgcore.medreason\n"
        "def slow(done, total):\n"
        "    print(done, flush=True); time.sleep(0.3)\n"
        f"kgcore.medreason.ground({str(hetionet_db)!r}, {str(medqa)!r}, {str(cut)!r}, progress=slow)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", slow], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "256", "one batch is written"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    partial = cut.read_text()
    assert 0 < len(partial) < len(whole.read_text())
    summary = kgcore.medreason.ground(hetionet_db, medqa, cut)
    assert summary["already_done"] > 0
    assert cut.read_bytes() == whole.read_bytes()


def test_the_cli_stopped_by_ctrl_c_leaves_whole_lines_and_resumes(kgcore_cli, hetionet_db, medqa, tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text(medqa.read_text() * 30)
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    base = [str(kgcore_cli), "ground", "--db", str(hetionet_db), "--qa", str(big)]
    subprocess.run(base + ["--out", str(whole)], check=True, capture_output=True)
    proc = subprocess.Popen(base + ["--out", str(cut)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while (not cut.exists() or cut.stat().st_size == 0) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    written = cut.read_text()
    assert written.endswith("\n"), "every batch is one write: the file ends with a whole line"
    lines = written.splitlines()
    assert all(json.loads(line)["prompt"] for line in lines)
    whole_lines = whole.read_text().splitlines()
    assert 0 < len(lines) <= len(whole_lines) and lines == whole_lines[: len(lines)]
    rerun = subprocess.run(base + ["--out", str(cut), "--json"], check=True, capture_output=True, text=True)
    assert json.loads(rerun.stdout)["already_done"] >= len(lines)
    assert cut.read_bytes() == whole.read_bytes()


def test_bad_arguments_to_the_record_calls_name_what_is_wrong(hetionet_db):
    with kgcore.open(str(hetionet_db), read_only=True) as g:
        with pytest.raises(ValueError, match="2 lines but 1 line numbers"):
            g.ground_lines(["{}", "{}"], dataset="d", line_numbers=[1])
        with pytest.raises(ValueError, match="spaceship"):
            g.ground_lines(["{}"], dataset="d", node_types=["spaceship"])
        assert json.loads(g.ground_lines(["[1]"], dataset="d", line_numbers=[9])[0]) == {"line": 9, "error": "not a JSON object"}
    with pytest.raises(ValueError, match="not JSON"):
        kgcore.render_prompt("{broken", "")
    assert "Answer: b" in kgcore.render_prompt(json.dumps({"question": "a", "answer": "b"}), "")

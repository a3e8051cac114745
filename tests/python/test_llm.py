"""The model steps of the pipeline against a local OpenAI-compatible server the tests start:
scripted replies, errors, slow and nonsense replies, an endpoint that is down."""

import json

import pytest

import kgcore
import kgcore.llm
import kgcore.medreason as mr
from llm_server import ScriptedServer, step

RECORD = {"question": "A woman with rheumatoid arthritis has fevers.", "answer": "Methotrexate", "options": {"A": "Methotrexate"}}
ENTITIES = {"question": [{"name": "rheumatoid arthritis", "type": "disease"}, {"name": "fevers", "type": "effect/phenotype"}],
            "answer": [{"name": "Methotrexate", "type": "drug"}]}


@pytest.fixture(scope="module")
def graph(hetionet_db):
    with kgcore.open(str(hetionet_db), read_only=True) as g:
        yield g


def serve(**replies):
    """A server answering each step with `replies[step]`: a (status, text, delay) tuple, a
    JSON-able value (200 at once), or a list of either, one per request of that step."""
    counts = {}

    def reply(request):
        s = step(request)
        r = replies.get(s, (200, "ok", 0))
        if isinstance(r, list):
            r = r[min(counts.get(s, 0), len(r) - 1)]
        counts[s] = counts.get(s, 0) + 1
        return r if isinstance(r, tuple) else (200, json.dumps(r) if not isinstance(r, str) else r, 0)

    return ScriptedServer(reply)


def client(server, **kw):
    return kgcore.llm.ChatClient(server.url, "test-model", "key", backoff=0.01, **kw)


def test_every_step_through_the_model(graph):
    server = serve(extract=ENTITIES, choose={"choice": 1}, prune={"keep": [2, 1]}, reason="Fever and arthritis point to methotrexate.")
    try:
        out = mr.ground_with_llm(graph, [RECORD], dataset="t", llm=client(server), seed=4)[0]
    finally:
        server.close()
    assert out["llm_errors"] == []
    assert [e["name"] for e in out["question_entities"]] == ["rheumatoid arthritis", "fever"], "fevers chosen as fever"
    assert [e["start"] for e in out["question_entities"]] == [None, None], "named by the model, not found in the text"
    default = mr.ground_with_llm(graph, [RECORD], dataset="t", seed=4, keep=50)[0]
    by_pair = {(g["from"], g["to"]): g["paths"] for g in default["path_groups"]}
    for g in out["path_groups"]:
        offered = by_pair[(g["from"], g["to"])]
        assert g["paths"] == ([offered[1], offered[0]] if len(offered) > 3 else offered[:3]), "the model's choice, in its order"
    assert out["reasoning"] == "Fever and arthritis point to methotrexate."
    assert out["thinking_paths"] == kgcore.render_medreason([p["names"] for g in out["path_groups"] for p in g["paths"]])
    assert out["thinking_paths"] in out["prompt"]
    assert {step(r) for r in server.requests} == {"extract", "choose", "prune", "reason"}
    assert all(r["model"] == "test-model" for r in server.requests)


def test_without_a_model_each_step_is_its_default(graph):
    plain = mr.ground_with_llm(graph, [RECORD], dataset="t", seed=4)[0]
    reference = mr.ground_records(graph, [RECORD], dataset="t", seed=4)[0]
    assert plain.pop("llm_errors") == []
    assert plain == reference


def test_nonsense_replies_are_recorded_and_the_defaults_used(graph):
    server = serve(extract="these are the entities: fever", reason=(200, "", 0))
    try:
        out = mr.ground_with_llm(graph, [RECORD], dataset="t", llm=client(server), steps=["extract", "reason"], seed=4)[0]
    finally:
        server.close()
    assert [e.split(":")[0] for e in out["llm_errors"]] == ["extract", "reason"]
    assert "not JSON" in out["llm_errors"][0] and "empty" in out["llm_errors"][1]
    reference = mr.ground_records(graph, [RECORD], dataset="t", seed=4)[0]
    assert out["question_entities"] == reference["question_entities"], "dictionary extraction instead"
    assert out["reasoning"] is None

    server = serve(extract=ENTITIES, choose={"choice": 9}, prune={"keep": [99]})
    try:
        out = mr.ground_with_llm(graph, [RECORD], dataset="t", llm=client(server), steps=["extract", "choose", "prune"], seed=4)[0]
    finally:
        server.close()
    assert any(e.startswith("choose 'fevers': no candidate") for e in out["llm_errors"]), out["llm_errors"]
    assert "fever" in [e["name"] for e in out["question_entities"]], "the nearest name, alone at one edit"
    pruned = [e for e in out["llm_errors"] if e.startswith("prune")]
    assert pruned and all("no path [99]" in e for e in pruned)
    assert all(len(g["paths"]) <= 3 for g in out["path_groups"])


def test_errors_are_retried_slow_replies_time_out_and_a_dead_endpoint_costs_no_record(graph):
    server = serve(extract=[(500, "busy", 0), (429, "slow down", 0), (200, json.dumps(ENTITIES), 0)], reason=(200, "late", 2.0))
    try:
        out = mr.ground_with_llm(graph, [RECORD], dataset="t", llm=client(server, timeout=0.5, retries=1), steps=["extract", "reason"])[0]
    finally:
        server.close()
    assert [e.split(":")[0] for e in out["llm_errors"]] == ["extract", "reason"], out["llm_errors"]
    assert "failed 2 times" in out["llm_errors"][0] and "HTTP 429" in out["llm_errors"][0]
    assert "failed 2 times" in out["llm_errors"][1]

    server = serve(extract=[(503, "busy", 0), (200, json.dumps(ENTITIES), 0)])
    try:
        out = mr.ground_with_llm(graph, [RECORD], dataset="t", llm=client(server, retries=2), steps=["extract"])[0]
    finally:
        server.close()
    assert out["llm_errors"] == [] and [e["name"] for e in out["answer_entities"]] == ["methotrexate"]

    dead = kgcore.llm.ChatClient("http://127.0.0.1:9/v1", "m", retries=0, timeout=1)
    out = mr.ground_with_llm(graph, [RECORD, "{broken"], dataset="t", llm=dead)
    assert out[0]["path_groups"] and out[0]["llm_errors"][0].startswith("extract: the endpoint failed 1 times")
    assert out[1] == {"line": 2, "error": "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"}


def test_requests_in_flight_are_bounded(graph):
    server = serve(reason=(200, "because", 0.2))
    try:
        out = mr.ground_with_llm(graph, [RECORD] * 8, dataset="t", llm=client(server, max_in_flight=2), steps=["reason"], max_workers=8)
    finally:
        server.close()
    assert [o["reasoning"] for o in out] == ["because"] * 8
    assert server.most_in_flight == 2


def test_client_settings(monkeypatch):
    for var in ("KGCORE_LLM_BASE_URL", "OPENAI_BASE_URL", "KGCORE_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)
    assert kgcore.llm.ChatClient.from_env() is None
    with pytest.raises(ValueError, match="no endpoint"):
        kgcore.llm.ChatClient(model="m")
    monkeypatch.setenv("KGCORE_LLM_BASE_URL", "http://127.0.0.1:9/v1/")
    with pytest.raises(ValueError, match="no model"):
        kgcore.llm.ChatClient()
    monkeypatch.setenv("KGCORE_LLM_MODEL", "m")
    c = kgcore.llm.ChatClient.from_env()
    assert (c.base_url, c.model) == ("http://127.0.0.1:9/v1", "m")
    with pytest.raises(ValueError, match="timeout and max_in_flight must be positive"):
        kgcore.llm.ChatClient(timeout=0)
    with pytest.raises(ValueError, match="unknown step"):
        mr.ground_with_llm(None, [], dataset="t", steps=["dream"])


def trigrams(texts):
    """A stand-in embedder: hashed character trigrams, unit length (close spellings are close)."""
    import zlib

    import numpy as np

    out = np.zeros((len(texts), 512), dtype=np.float32)
    for row, text in enumerate(texts):
        t = f"  {text.lower()} "
        for i in range(len(t) - 2):
            out[row, zlib.crc32(t[i:i + 3].encode()) % 512] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_an_embedder_maps_names_no_node_bears(hetionet_db, tmp_path):
    import shutil

    import kgcore.embed

    db = tmp_path / "db"
    shutil.copytree(hetionet_db, db)
    with kgcore.open(str(db)) as g:
        kgcore.embed.attach_name_embeddings(g, trigrams, node_types=["disease", "drug"], index="exact")
        rec = dict(RECORD, question_entities=[{"name": "rheumatoid arthritides", "type": "disease"}, {"name": "qqqq zzzz", "type": "disease"}],
                   answer_entities=[{"name": "methotrexat", "type": "drug"}])
        out = mr.ground_with_llm(g, [rec], dataset="t", embedder=trigrams)[0]
        assert [e["name"] for e in out["question_entities"]] == ["rheumatoid arthritis"]
        assert [e["name"] for e in out["answer_entities"]] == ["methotrexate"]
        assert out["unmapped_entities"] == ["qqqq zzzz"] and out["path_groups"]
        plain = mr.ground_with_llm(g, [rec], dataset="t")[0]
        assert [e["name"] for e in plain["answer_entities"]] == ["methotrexate"], "one edit: the nearest name"
        assert plain["question_entities"] == [], "two edits and more: not without an embedder"
        odd = dict(rec, question_entities=[{"name": "fever", "type": "planet"}, {"name": "fevers", "type": "effect/phenotype"}])
        out = mr.ground_with_llm(g, [odd], dataset="t", embedder=trigrams)[0]
        assert out["unmapped_entities"] == ["fever"] and [e["name"] for e in out["question_entities"]] == ["fever"], "a type the graph lacks maps nothing"
        with pytest.raises(ValueError, match="ambiguous"):
            mr.ground_with_llm(g, [rec], dataset="t", ambiguous="maybe")

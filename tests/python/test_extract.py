"""Entity extraction from Python: on hetionet-partial and MedQA's real questions."""

import json
import pathlib
import re

import pytest

import kgcore

QA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "qa"


@pytest.fixture(scope="module")
def graph(hetionet_db):
    with kgcore.open(str(hetionet_db), read_only=True) as g:
        yield g


def medqa_questions(n):
    path = QA / "medqa_test.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/qa is not present")
    with path.open() as f:
        return [json.loads(line)["question"] for _, line in zip(range(n), f)]


def test_gene_symbols_only_in_their_case(graph):
    found = graph.extract("The boy was set to rest. WAS and SET mutations; CAMP levels.")
    assert [m["text"] for m in found] == ["WAS", "SET", "CAMP"]
    for m in found:
        assert {graph.node(n)["type"] for n in m["nodes"]} == {"gene/protein"}


def test_mentions_on_real_questions(graph):
    questions = medqa_questions(400)
    many = graph.extract_many(questions)
    assert many == [graph.extract(q) for q in questions], "the batch form answers as one call per text"
    with_names = 0
    for q, mentions in zip(questions, many):
        with_names += bool(mentions)
        ends = [(m["start"], m["end"]) for m in mentions]
        assert ends == sorted(ends) and all(a[1] <= b[0] for a, b in zip(ends, ends[1:])), "in order, not overlapping"
        for m in mentions:
            assert q[m["start"]:m["end"]] == m["text"]
            assert m["how"] in ("exact", "folded")
            names = [graph.node(n)["name"] for n in m["nodes"]]
            assert m["name"] == names[0]
            if m["how"] == "exact":
                assert " ".join(m["text"].lower().split()) in {" ".join(n.lower().split()) for n in names}
            for n in m["nodes"]:
                node = graph.node(n)
                if node["type"] == "gene/protein":
                    # As written, or with a hyphen or space between letters and digits (IL-4, JAK 2).
                    written = re.sub(r"(?<=[A-Z])[- ](?=[0-9])", "", m["text"], count=1)
                    assert node["name"] in (m["text"], written), "a symbol matches only in its own case"
    assert with_names / len(questions) > 0.9


def test_types_fuzzy_and_bad_input(graph):
    drugs = graph.extract("fever treated with Ibuprofen", node_types=["drug"])
    assert [m["text"] for m in drugs] == ["Ibuprofen"]
    assert graph.extract("Ibuprfoen", fuzzy=False) == []
    typo = graph.extract("Ibuprfoen", fuzzy=True)
    assert [(m["name"], m["how"], m["distance"]) for m in typo] == [("Ibuprofen", "fuzzy", 1)]
    assert graph.extract("") == [] and graph.extract_many([]) == []
    with pytest.raises(ValueError, match="spaceship"):
        graph.extract("fever", node_types=["spaceship"])

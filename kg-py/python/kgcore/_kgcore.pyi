from os import PathLike
from typing import Any, Literal, TypeAlias, TypedDict, Unpack, final

import numpy as np
import numpy.typing as npt

__version__: str

__all__ = ['Graph', 'PathPicture', 'open', '_reopen_read_only', 'import_files', 'import_hpo', 'generate', 'render_medreason', 'render_prompt', '__version__', 'KgcoreError', 'LockedError', 'CorruptionError']

class KgcoreError(Exception): ...
class LockedError(KgcoreError): ...
class CorruptionError(KgcoreError): ...

_Path: TypeAlias = list[int]
_Direction: TypeAlias = Literal["out", "in", "both"]
_SetOp: TypeAlias = Literal["intersection", "union", "difference"]

class _PathConstraints(TypedDict, total=False):
    """The constraint keywords every path method takes, applied during the search."""

    directed: bool
    node_types: list[str] | None
    exclude_node_types: list[str] | None
    relations: list[str] | None
    exclude_relations: list[str] | None
    exclude_nodes: list[int] | None
    max_hops: int | None
    max_degree: int | None

class _Mention(TypedDict):
    """A node name found in a text by `Graph.extract`."""

    start: int
    end: int
    text: str
    name: str
    nodes: list[int]
    how: Literal["exact", "folded", "fuzzy"]
    distance: int

_Term: TypeAlias = int | str

@final
class PathPicture:
    @property
    def svg(self) -> str: ...
    @property
    def nodes(self) -> int: ...
    @property
    def edges(self) -> int: ...
    @property
    def caption(self) -> str: ...
    def save(self, path: str | PathLike[str]) -> None: ...
    def _repr_svg_(self) -> str: ...
    def _repr_html_(self) -> str: ...
_Schema: TypeAlias = dict[Literal["phenotype_type", "disease_type", "is_a", "present", "absent"], str]

@final
class Graph:
    def info(self) -> dict[str, Any]: ...
    def node(self, index: int) -> dict[str, Any]: ...
    def find(self, name: str) -> list[int]: ...
    def neighbours(self, index: int) -> list[int]: ...
    def shortest_path(self, source: int, target: int, **constraints: Unpack[_PathConstraints]) -> _Path | None: ...
    def all_shortest_paths(
        self,
        source: int,
        target: int,
        *,
        limit: int = 1000,
        sample: int | None = None,
        seed: int = 0,
        **constraints: Unpack[_PathConstraints],
    ) -> tuple[int | None, int, list[_Path]]: ...
    def k_shortest_paths(
        self,
        source: int,
        target: int,
        k: int,
        *,
        max_searches: int = 5000,
        max_seconds: float | None = 0.25,
        report: bool = False,
        **constraints: Unpack[_PathConstraints],
    ) -> list[_Path] | tuple[list[_Path], bool]: ...
    def neighbourhood(
        self,
        seeds: list[int],
        hops: int,
        *,
        max_nodes: int = 10000,
        max_edges: int = 100000,
        **constraints: Unpack[_PathConstraints],
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]], bool]: ...
    def distances(
        self, pairs: npt.NDArray[np.int64], **constraints: Unpack[_PathConstraints]
    ) -> npt.NDArray[np.int64]: ...
    def neighbour_set(
        self,
        node: int,
        *,
        direction: _Direction = "both",
        relations: list[str] | None = None,
        node_types: list[str] | None = None,
    ) -> npt.NDArray[np.uint32]: ...
    def set_size(
        self,
        a: int,
        b: int,
        *,
        op: _SetOp = "intersection",
        direction: _Direction = "both",
        relations: list[str] | None = None,
        node_types: list[str] | None = None,
    ) -> int: ...
    def set_sizes(
        self,
        pairs: npt.NDArray[np.int64],
        *,
        op: _SetOp = "intersection",
        direction: _Direction = "both",
        relations: list[str] | None = None,
        node_types: list[str] | None = None,
    ) -> npt.NDArray[np.uint64]: ...
    def set_members(
        self,
        a: int,
        b: int,
        *,
        op: _SetOp = "intersection",
        direction: _Direction = "both",
        relations: list[str] | None = None,
        node_types: list[str] | None = None,
    ) -> npt.NDArray[np.uint32]: ...
    def within_hops(self, node: int, k: int, *, node_types: list[str] | None = None) -> int: ...
    def nodes_within_hops(self, node: int, k: int, *, node_types: list[str] | None = None) -> npt.NDArray[np.uint32]: ...
    def many_to_many(
        self,
        sources: list[int],
        targets: list[int],
        *,
        max_paths: int = 50,
        seed: int = 0,
        **constraints: Unpack[_PathConstraints],
    ) -> list[tuple[int, int, int | None, int, list[_Path]]]: ...
    def medreason_paths(
        self,
        question: list[str],
        answer: list[str],
        *,
        max_paths: int = 50,
        seed: int = 0,
        report: bool = False,
        **constraints: Unpack[_PathConstraints],
    ) -> list[list[list[str]]] | tuple[list[list[list[str]]], list[str]]: ...
    def render_labelled(self, path: _Path) -> str: ...
    def search_names(
        self,
        text: str,
        *,
        node_type: str | None = None,
        fuzzy: int = 0,
        prefix: bool = False,
        case_sensitive: bool = False,
        limit: int = 20,
    ) -> list[tuple[str, int, list[int]]]: ...
    def resolve(self, term: str) -> int: ...
    def draw_paths(
        self,
        source: _Term,
        target: _Term,
        *,
        sample: int | None = None,
        seed: int = 0,
        k: int | None = None,
        limit: int = 50,
        medreason: bool = False,
        **constraints: Unpack[_PathConstraints],
    ) -> PathPicture: ...
    def rank_diseases(
        self,
        phenotypes: list[_Term],
        *,
        candidates: list[_Term] | None = None,
        k: int = 10,
        noise: float = 0.0001,
        specific: float = 0.01,
        skip_unknown: bool = False,
        schema: _Schema | None = None,
    ) -> list[tuple[int, float]]: ...
    def rank_diseases_many(
        self,
        patients: list[list[_Term]],
        *,
        candidates: list[_Term] | None = None,
        k: int = 10,
        noise: float = 0.0001,
        specific: float = 0.01,
        skip_unknown: bool = False,
        schema: _Schema | None = None,
    ) -> list[list[tuple[int, float]]]: ...
    def disease_evidence(
        self,
        phenotypes: list[_Term],
        disease: _Term,
        *,
        max_paths: int = 3,
        seed: int = 0,
        noise: float = 0.0001,
        specific: float = 0.01,
        schema: _Schema | None = None,
    ) -> dict[str, Any]: ...
    def discriminating_findings(self, diseases: list[_Term], *, per_disease: int = 5, schema: _Schema | None = None) -> list[dict[str, Any]]: ...
    def ontology_parents(self, term: _Term, *, schema: _Schema | None = None) -> list[int]: ...
    def card(self, node: _Term, *, max_tokens: int = 300) -> dict[str, Any]: ...
    def extract(self, text: str, *, node_types: list[str] | None = None, fuzzy: bool = False) -> list[_Mention]: ...
    def extract_many(
        self, texts: list[str], *, node_types: list[str] | None = None, fuzzy: bool = False
    ) -> list[list[_Mention]]: ...
    def ground_lines(
        self,
        lines: list[str],
        *,
        dataset: str,
        line_numbers: list[int] | None = None,
        seed: int = 0,
        max_paths: int = 50,
        keep: int = 3,
        max_hops: int | None = None,
        node_types: list[str] | None = None,
        fuzzy: bool = False,
        typed: bool = False,
    ) -> list[str]: ...
    def ground_file(
        self,
        qa: str | PathLike[str],
        out: str | PathLike[str],
        *,
        dataset: str | None = None,
        seed: int = 0,
        max_paths: int = 50,
        keep: int = 3,
        max_hops: int | None = None,
        node_types: list[str] | None = None,
        fuzzy: bool = False,
        typed: bool = False,
        progress: Any = None,
    ) -> dict[str, Any]: ...
    def set_vectors(
        self,
        ids: npt.NDArray[np.int64],
        vectors: npt.NDArray[np.float32],
        *,
        index: str | None = None,
        m: int = 16,
        ef_construction: int = 200,
        ef_search: int = 64,
    ) -> int: ...
    def search_vectors(
        self,
        query: npt.NDArray[np.float32],
        k: int = 10,
        *,
        node_type: str | None = None,
        exact: bool = False,
        ef: int | None = None,
    ) -> list[tuple[int, float]]: ...
    def map_entity(
        self,
        text: str,
        vector: npt.NDArray[np.float32] | None = None,
        *,
        node_type: str | None = None,
        k: int = 10,
        min_sim: float = 0.7,
        accept_sim: float = 0.85,
        exact: bool = False,
    ) -> tuple[str, list[tuple[int, float]]]: ...
    def map_entities(
        self,
        texts: list[str],
        vectors: npt.NDArray[np.float32] | None = None,
        *,
        node_types: list[str | None] | None = None,
        k: int = 10,
        min_sim: float = 0.7,
        accept_sim: float = 0.85,
        exact: bool = False,
    ) -> list[tuple[str, list[tuple[int, float]]]]: ...
    def apply(
        self,
        *,
        add_nodes: list[dict[str, Any]] | None = None,
        add_edges: list[dict[str, Any]] | None = None,
        remove_nodes: list[int] | None = None,
        remove_edges: list[tuple[int, int, str]] | None = None,
    ) -> dict[str, Any]: ...
    def edges_arrays(
        self,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint16], list[str], list[str]]: ...
    def nodes_arrays(self) -> tuple[npt.NDArray[np.uint32], list[str], list[str], list[str], list[str]]: ...
    def induced_edges(self, nodes: list[int], *, max_edges: int = 1000000) -> list[tuple[int, int, str, str]]: ...
    @property
    def path(self) -> str | None: ...
    @property
    def read_only(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Graph: ...
    def __exit__(self, *_args: object) -> None: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def open(path: str | PathLike[str], *, read_only: bool = False) -> Graph: ...
def _reopen_read_only(path: str | PathLike[str]) -> Graph: ...
def import_files(path: str | PathLike[str], files: list[str | PathLike[str]]) -> dict[str, Any]: ...
def import_hpo(
    path: str | PathLike[str],
    data: str | PathLike[str] | None = None,
    *,
    obo: str | PathLike[str] | None = None,
    hpoa: str | PathLike[str] | None = None,
    genes: str | PathLike[str] | None = None,
) -> dict[str, Any]: ...
def generate(out: str | PathLike[str], *, scale: float = 1.0, seed: int = 42) -> dict[str, Any]: ...
def render_medreason(paths: list[list[str]]) -> str: ...
def render_prompt(record: str, thinking_paths: str) -> str: ...

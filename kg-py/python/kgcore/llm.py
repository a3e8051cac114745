"""The model steps of MedReason's pipeline, through any OpenAI-compatible chat endpoint.

`ChatClient` sends chat requests with a time limit, retries with exponential backoff and a
bound on requests in flight. The steps ask for one small JSON answer each and check it
strictly: a reply that is not what was asked raises `LLMError`, which the pipeline
(`kgcore.medreason.ground_with_llm`) records against the record, using the step's
deterministic default instead.

- `extract_entities`: the entities of a question and its answer, with node types.
- `choose_candidate`: which of a name's near matches is meant, or none.
- `choose_paths`: which paths of a group to keep.
- `write_reasoning`: the chain of thought for a prompt.

Endpoint settings come from the arguments, else the environment: `KGCORE_LLM_BASE_URL` (or
`OPENAI_BASE_URL`), `KGCORE_LLM_MODEL`, `KGCORE_LLM_API_KEY` (or `OPENAI_API_KEY`). Requests
go through the standard library. An `openai.OpenAI` client (the `openai` extra) may be
passed as `client=` instead, and is then used as it is configured.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any


class LLMError(Exception):
    """A model step failed: the endpoint could not be reached in time, or answered something
    other than what was asked."""


class ChatClient:
    """Chat completions from an OpenAI-compatible endpoint (`base_url` ends before
    `/chat/completions`, e.g. `http://localhost:8000/v1`)."""

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_in_flight: int = 8,
        temperature: float = 0.0,
        client: Any = None,
    ) -> None:
        env = os.environ.get
        self.base_url = (base_url or env("KGCORE_LLM_BASE_URL") or env("OPENAI_BASE_URL") or "").rstrip("/")
        self.model = model or env("KGCORE_LLM_MODEL") or ""
        self.api_key = api_key or env("KGCORE_LLM_API_KEY") or env("OPENAI_API_KEY") or ""
        if client is None and not self.base_url:
            raise ValueError("no endpoint: pass base_url, or set KGCORE_LLM_BASE_URL")
        if not self.model:
            raise ValueError("no model: pass model, or set KGCORE_LLM_MODEL")
        if timeout <= 0 or retries < 0 or backoff < 0 or max_in_flight < 1:
            raise ValueError("timeout and max_in_flight must be positive, retries and backoff not negative")
        self.timeout, self.retries, self.backoff, self.temperature = timeout, retries, backoff, temperature
        self.client = client
        self._slots = threading.BoundedSemaphore(max_in_flight)

    @classmethod
    def from_env(cls, **kwargs: Any) -> ChatClient | None:
        """A client for the endpoint the environment names, or None when it names none."""
        if not (os.environ.get("KGCORE_LLM_BASE_URL") or os.environ.get("OPENAI_BASE_URL")):
            return None
        return cls(**kwargs)

    def chat(self, messages: list[dict[str, str]]) -> str:
        """The reply's text. Transient failures (connection errors, timeouts, HTTP 429 and
        5xx) are retried `retries` times with exponential backoff; then, or on another
        error, `LLMError`."""
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with self._slots:
                    return self._send(messages)
            except _Transient as e:
                last = str(e)
        raise LLMError(f"the endpoint failed {self.retries + 1} times; last: {last}")

    def _send(self, messages: list[dict[str, str]]) -> str:
        if self.client is not None:
            try:
                reply = self.client.chat.completions.create(model=self.model, messages=messages, temperature=self.temperature, timeout=self.timeout)
            except Exception as e:  # the openai package's own errors: connection, status, timeout
                status = getattr(e, "status_code", None)
                if status is None or status == 429 or status >= 500:
                    raise _Transient(f"{type(e).__name__}: {e}") from e
                raise LLMError(f"{type(e).__name__}: {e}") from e
            return _text(reply.model_dump() if hasattr(reply, "model_dump") else reply)
        body = json.dumps({"model": self.model, "messages": messages, "temperature": self.temperature}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + "/chat/completions", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:200].decode(errors="replace")
            if e.code == 429 or e.code >= 500:
                raise _Transient(f"HTTP {e.code}: {detail}") from e
            raise LLMError(f"HTTP {e.code} from {self.base_url}: {detail}") from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise _Transient(f"{type(e).__name__}: {getattr(e, 'reason', e)}") from e
        try:
            return _text(json.loads(payload))
        except ValueError as e:
            raise LLMError(f"not a chat completion: {payload[:200]!r}") from e


class _Transient(Exception):
    """A failure worth another try."""


def _text(completion: Any) -> str:
    try:
        content = completion["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as e:
        raise LLMError(f"not a chat completion: {str(completion)[:200]}") from e
    if not isinstance(content, str):
        raise LLMError("the reply has no text")
    return content


def _json_reply(client: ChatClient, system: str, user: str) -> Any:
    """The reply as JSON; a fenced ```json block is unwrapped."""
    text = client.chat([{"role": "system", "content": system}, {"role": "user", "content": user}])
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    try:
        return json.loads(fenced.group(1) if fenced else text)
    except ValueError as e:
        raise LLMError(f"the reply is not JSON: {text[:200]!r}") from e


EXTRACT = (
    "You find the medical entities in a question and in its answer. Reply with JSON only: "
    '{{"question": [{{"name": ..., "type": ...}}], "answer": [{{"name": ..., "type": ...}}]}}, '
    "each type one of: {types}."
)


def extract_entities(client: ChatClient, question: str, answer: str, node_types: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    """The entities of `question` and `answer`, each `{"name", "type"}` with a type among
    `node_types`."""
    reply = _json_reply(client, EXTRACT.format(types=", ".join(node_types)), f"Question: {question}\nAnswer: {answer}")
    if not isinstance(reply, dict) or set(reply) != {"question", "answer"}:
        raise LLMError(f"expected {{\"question\": [...], \"answer\": [...]}}, got {str(reply)[:200]}")
    out: dict[str, list[dict[str, str]]] = {}
    for side in ("question", "answer"):
        items = reply[side]
        if not isinstance(items, list):
            raise LLMError(f"{side!r} is not a list")
        for e in items:
            if not (isinstance(e, dict) and isinstance(e.get("name"), str) and e.get("type") in node_types):
                raise LLMError(f"not an entity of a known type: {str(e)[:200]}")
        out[side] = [{"name": e["name"], "type": e["type"]} for e in items]
    return out


CHOOSE = (
    'Which of the numbered candidates names the same thing as the entity? Reply with JSON only: '
    '{"choice": N} with the candidate\'s number, or {"choice": null} if none does.'
)


def choose_candidate(client: ChatClient, entity: str, candidates: Sequence[str]) -> int | None:
    """The index of the candidate the model says `entity` means, or None."""
    listing = "\n".join(f"{i}: {c}" for i, c in enumerate(candidates, 1))
    reply = _json_reply(client, CHOOSE, f"Entity: {entity}\nCandidates:\n{listing}")
    choice = reply.get("choice", "missing") if isinstance(reply, dict) else "missing"
    if choice is None:
        return None
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= len(candidates):
        raise LLMError(f"no candidate {str(reply)[:100]} among 1..{len(candidates)}")
    return choice - 1


PRUNE = (
    "Which numbered knowledge-graph paths best explain how the question leads to the answer? "
    'Reply with JSON only: {{"keep": [numbers]}}, at most {keep} of them, best first.'
)


def choose_paths(client: ChatClient, question: str, answer: str, paths: Sequence[str], keep: int = 3) -> list[int]:
    """Indices of at most `keep` of `paths` (rendered `a->b->c`), best first."""
    listing = "\n".join(f"{i}: {p}" for i, p in enumerate(paths, 1))
    reply = _json_reply(client, PRUNE.format(keep=keep), f"Question: {question}\nAnswer: {answer}\nPaths:\n{listing}")
    chosen = reply.get("keep") if isinstance(reply, dict) else None
    if not isinstance(chosen, list) or not 1 <= len(chosen) <= keep or len(set(map(str, chosen))) != len(chosen):
        raise LLMError(f"expected {{\"keep\": [1..{keep} distinct numbers]}}, got {str(reply)[:200]}")
    if not all(isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= len(paths) for c in chosen):
        raise LLMError(f"no path {chosen} among 1..{len(paths)}")
    return [c - 1 for c in chosen]


def write_reasoning(client: ChatClient, prompt: str) -> str:
    """The model's chain of thought for `prompt`, as it wrote it."""
    text = client.chat([{"role": "user", "content": prompt}]).strip()
    if not text:
        raise LLMError("the reply is empty")
    return text


__all__ = ["ChatClient", "LLMError", "choose_candidate", "choose_paths", "extract_entities", "write_reasoning"]

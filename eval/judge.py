"""``judge`` mode: answer extraction by an OpenAI-compatible chat endpoint (e.g. a local vLLM server).

Off by default; nothing here runs unless ``--mode judge --judge-url URL`` is given. The prompt is MathVista's
official few-shot extraction prompt (``evaluation/prompts/ext_ans.py``: five worked examples, then the
problem's ``query`` and the model response, ending in ``Extracted answer:``), which the other benchmarks
reuse. The official pipeline's shortcuts run first and never call the endpoint: an empty response extracts
"", a response equal to a choice or a bare number is the extraction.

Every call is cached (a JSONL file keyed by the SHA-256 of model + prompt, one ``{"key", "extraction"}`` object
a line; a file of anything else is refused with one line), so a rerun or a resumed run asks nothing twice.
Failed calls are retried with exponential backoff (seconds: 0.5, 1, 2) and, after the last try, extract "" (the
official script does the same on errors); they are counted (``failures``, ``last_error``) for the warning and
the card. An endpoint that never answers stops the command: after ``fail_after`` failed calls in a row with no
success ever (``stop_after`` in a row after some successes) :class:`JudgeUnavailable` names the URL and the last
error. Until the first success, a failed call is not retried again, so a dead endpoint costs seconds; answers
served from the cache count as successes (a rerun with a prompt that always fails warns, never refuses). A
request is given ``timeout_s`` seconds (``--judge-timeout``, 30 by default); ``timeouts_after`` (3) requests in a
row without an answer stop the command with one line naming the URL, so a hung endpoint costs at most about
``3 × timeout_s``. Uses
only the standard library (urllib).

Example::

    judge = JudgeExtractor("http://127.0.0.1:8000/v1", model="Qwen2.5-7B-Instruct", cache_path="judge.jsonl")
    extraction = judge({"query": ..., "response": ..., "question_type": "free_form", "answer_type": "integer"})
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError


class JudgeUnavailable(UserError):
    """The judge endpoint does not answer: one line naming the URL and the last error."""


def read_cache_file(path: Path) -> dict[str, str]:
    """``key -> extraction`` of a judge cache file; a torn last line (a crash mid-write) is ignored, anything
    else that is not a ``{"key": str, "extraction": str}`` line is a one-line :class:`UserError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a judge cache (not UTF-8 text); name a new file or an earlier judge "
                        "cache") from None
    cache: dict[str, str] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError) as err:  # not JSON, nested too deeply, a number too long
            if number == len(lines) and isinstance(err, json.JSONDecodeError):  # the last line, torn by a crash
                continue
            entry = None
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str)
                and isinstance(entry.get("extraction"), str)):
            raise UserError(f"{path}: line {number} is not a judge cache entry ({{\"key\", \"extraction\"}}); "
                            "name a new file or an earlier judge cache")
        cache[entry["key"]] = entry["extraction"]
    return cache

DEMO_PROMPT = """Please read the following example. Then extract the answer from the model response and type it at the end of the prompt.

Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.
Question: Which number is missing?

Model response: The number missing in the sequence is 14.

Extracted answer: 14

Hint: Please answer the question requiring a floating-point number with one decimal place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.
Question: What is the fraction of females facing the camera?

Model response: The fraction of females facing the camera is 0.6, which means that six out of ten females in the group are facing the camera.

Extracted answer: 0.6

Hint: Please answer the question requiring a floating-point number with two decimal places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.
Question: How much money does Luca need to buy a sour apple candy and a butterscotch candy? (Unit: $)

Model response: Luca needs $1.45 to buy a sour apple candy and a butterscotch candy.

Extracted answer: 1.45

Hint: Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.
Question: Between which two years does the line  graph saw its maximum peak?

Model response: The line graph saw its maximum peak between 2007 and 2008.

Extracted answer: [2007, 2008]

Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.
Question: What fraction of the shape is blue?\\nChoices:\\n(A) 3/11\\n(B) 8/11\\n(C) 6/11\\n(D) 3/5

Model response: The correct answer is (B) 8/11.

Extracted answer: B"""


def extraction_prompt(query: str, response: str) -> str:
    """The official full prompt: demo, the problem's query, the response, then ``Extracted answer: ``."""
    return f"{DEMO_PROMPT.strip()}\n\n{query}\n\n{response}\n\nExtracted answer: "


class JudgeExtractor:
    """Callable ``item -> extraction`` backed by an OpenAI-compatible ``/chat/completions`` endpoint.

    base_url: e.g. ``http://127.0.0.1:8000/v1``; model: the served model name; api_key: sent as a Bearer token
    if given; cache_path: JSONL cache (None: in memory only); retries: tries after the first; timeout_s: per
    request (``--judge-timeout``); timeouts_after: requests in a row without an answer within ``timeout_s`` that
    stop the command (:class:`JudgeUnavailable`); backoff_s: first retry delay (doubles each retry); fail_after: failed calls in a row, with no
    success yet, that stop the command (:class:`JudgeUnavailable`); stop_after: the same after some successes.
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "default",
        api_key: str | None = None,
        cache_path: str | Path | None = None,
        retries: int = 3,
        timeout_s: float = 30.0,
        backoff_s: float = 0.5,
        max_tokens: int = 64,
        fail_after: int = 3,
        stop_after: int = 10,
        timeouts_after: int = 3,
    ) -> None:
        self.base_url = base_url
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key = model, api_key
        self.retries, self.timeout_s, self.backoff_s, self.max_tokens = retries, timeout_s, backoff_s, max_tokens
        self.cache_path = Path(cache_path) if cache_path else None
        self.cache: dict[str, str] = {}
        self.requests = 0  # HTTP requests sent (tries included)
        self.calls = 0  # prompts sent to the endpoint (not served from the cache)
        self.failures = 0  # prompts that failed after every retry
        self.successes = 0
        self.served = 0  # prompts answered from the cache: the endpoint answered them in an earlier run
        self.in_a_row = 0  # failed prompts since the last success
        self.timeouts_in_a_row = 0  # requests in a row that got no answer within timeout_s
        self.timeouts_after = timeouts_after
        self.last_error: str | None = None
        self.fail_after, self.stop_after = fail_after, stop_after
        self._lock = threading.Lock()
        if self.cache_path and self.cache_path.is_file():
            self.cache.update(read_cache_file(self.cache_path))

    def __call__(self, item: Mapping[str, Any]) -> str:
        response = str(item.get("response") or "")
        if not response.strip():
            return ""
        choices = item.get("choices") or []
        if item.get("question_type") == "multi_choice" and response in choices:
            return response
        if item.get("answer_type") in ("integer", "float"):
            try:
                float(response)
                return response.strip()
            except ValueError:
                pass
        query = item.get("query") or item.get("question") or ""
        return self.extract(extraction_prompt(str(query), response))

    def extract(self, prompt: str) -> str:
        key = hashlib.sha256(f"{self.model}\n{prompt}".encode()).hexdigest()
        with self._lock:
            if key in self.cache:
                self.served += 1
                return self.cache[key]
        text = self._request(prompt)
        with self._lock:
            self.calls += 1
            if text is None:
                self.failures += 1
                self.in_a_row += 1
                if self.successes == 0 and self.served == 0 and self.in_a_row >= self.fail_after:
                    raise self._unavailable()
                if self.in_a_row >= self.stop_after:
                    raise JudgeUnavailable(f"judge {self.base_url} stopped answering: {self.in_a_row} calls in a "
                                           f"row failed (last error: {self.last_error}); the answers so far are "
                                           "cached, rerun to resume")
                return ""  # not cached: a later run retries it
            self.successes += 1
            self.in_a_row = 0
        text = text.replace("Extracted answer:", "").strip()
        with self._lock:
            self.cache[key] = text
            if self.cache_path:
                self._store(key, text)
        return text

    def _store(self, key: str, text: str) -> None:
        """Append one entry to the cache file: a torn last line (a crash mid-write, an entry never finished) is cut
        off first, so every line stays an entry; a write that fails (a full disk) is one line naming the file."""
        from eval.outputs import append_jsonl

        path = self.cache_path
        assert path is not None
        try:
            append_jsonl(path, [{"key": key, "extraction": text}])
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise UserError(f"cannot write the judge cache {path}: {reason}; the answers stored so far are kept, "
                            "rerun to resume") from None

    def _unavailable(self) -> JudgeUnavailable:
        return JudgeUnavailable(f"judge {self.base_url}: {self.failures} calls failed and none succeeded (last "
                                f"error: {self.last_error}); is an OpenAI-compatible server running at --judge-url?")

    def summary(self) -> dict[str, Any]:
        """What the endpoint did in this command: prompts sent, failed (extracted "" and scored as wrong), the
        last error. Every call failed (fewer than ``fail_after``): :class:`JudgeUnavailable`, as no score of
        this command comes from the judge."""
        if self.failures and not self.successes and not self.served:
            raise self._unavailable()
        return {"calls": self.calls, "failures": self.failures, "last_error": self.last_error}

    def _request(self, prompt: str) -> str | None:
        body = json.dumps({
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
        }).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        delay = self.backoff_s
        # until the endpoint has answered once, a prompt that failed every retry means it is down: no more retries
        retries = self.retries if self.successes or not self.failures else 0
        for attempt in range(retries + 1):
            self.requests += 1
            try:
                req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 (user-given URL)
                    payload = json.loads(resp.read().decode("utf-8"))
                content = payload["choices"][0]["message"]["content"]
                if not isinstance(content, str):
                    raise ValueError(f"the reply's message content is {type(content).__name__}, not text")
                self.timeouts_in_a_row = 0
                return content
            except urllib.error.HTTPError as err:
                self.timeouts_in_a_row = 0
                self.last_error = f"HTTP {err.code} {err.reason}"
                if 400 <= err.code < 500 and err.code not in (408, 429):
                    break  # a wrong URL or model name: asking again gives the same answer
            except (urllib.error.URLError, TimeoutError, OSError) as err:
                self.last_error = str(getattr(err, "reason", None) or err) or type(err).__name__
                if isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None), TimeoutError):
                    self.timeouts_in_a_row += 1
                    if self.timeouts_in_a_row >= self.timeouts_after:
                        raise JudgeUnavailable(
                            f"judge {self.base_url}: {self.timeouts_in_a_row} requests in a row got no answer within "
                            f"{self.timeout_s:g} s (--judge-timeout); the answers so far are cached, rerun to "
                            "resume") from None
                else:
                    self.timeouts_in_a_row = 0
            except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as err:
                self.timeouts_in_a_row = 0
                self.last_error = f"not an OpenAI-compatible reply ({type(err).__name__}: {err})"
            if attempt < retries:
                time.sleep(delay)
                delay *= 2
        return None

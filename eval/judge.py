"""``judge`` mode: answer extraction by an OpenAI-compatible chat endpoint (e.g. a local vLLM server).

Off by default; nothing here runs unless ``--mode judge --judge-url URL`` is given. The prompt is MathVista's
official few-shot extraction prompt (``evaluation/prompts/ext_ans.py``: five worked examples, then the
problem's ``query`` and the model response, ending in ``Extracted answer:``), which the other benchmarks
reuse. The official pipeline's shortcuts run first and never call the endpoint: an empty response extracts
"", a response equal to a choice or a bare number is the extraction.

Every call is cached (a JSONL file keyed by the SHA-256 of model + prompt), so a rerun or a resumed run asks
nothing twice; failed calls are retried with exponential backoff and, after the last try, extract "" (the
official script does the same on errors). Uses only the standard library (urllib).

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
    request; backoff_s: first retry delay (doubles each retry).
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "default",
        api_key: str | None = None,
        cache_path: str | Path | None = None,
        retries: int = 3,
        timeout_s: float = 60.0,
        backoff_s: float = 1.0,
        max_tokens: int = 64,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key = model, api_key
        self.retries, self.timeout_s, self.backoff_s, self.max_tokens = retries, timeout_s, backoff_s, max_tokens
        self.cache_path = Path(cache_path) if cache_path else None
        self.cache: dict[str, str] = {}
        self.requests = 0  # HTTP requests sent (tries included)
        self.failures = 0  # prompts that failed after every retry
        self._lock = threading.Lock()
        if self.cache_path and self.cache_path.exists():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a torn last line after a crash
                    continue
                self.cache[entry["key"]] = entry["extraction"]

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
                return self.cache[key]
        text = self._request(prompt)
        if text is None:
            self.failures += 1
            return ""  # not cached: a later run retries it
        text = text.replace("Extracted answer:", "").strip()
        with self._lock:
            self.cache[key] = text
            if self.cache_path:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                with self.cache_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "extraction": text}, ensure_ascii=False) + "\n")
        return text

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
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 (user-given URL)
                    payload = json.loads(resp.read().decode("utf-8"))
                return str(payload["choices"][0]["message"]["content"])
            except (urllib.error.URLError, TimeoutError, OSError, KeyError, IndexError, ValueError):
                if attempt < self.retries:
                    time.sleep(delay)
                    delay *= 2
        return None

"""``judge`` mode against a tiny OpenAI-compatible server on 127.0.0.1 (started here; bounded requests)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eval import mathvista
from eval.judge import JudgeExtractor, extraction_prompt


class _Server:
    """Answers ``/v1/chat/completions``: the first ``fail_first`` requests get HTTP 500, then the reply is the
    last number or option letter in the prompt's model response (a stand-in for an extraction model)."""

    def __init__(self, fail_first: int = 0, max_requests: int = 50):
        self.requests, self.fail_first, self.max_requests = [], fail_first, max_requests
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                if len(outer.requests) > outer.max_requests:
                    raise RuntimeError("too many requests")
                if len(outer.requests) <= outer.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                prompt = body["messages"][0]["content"]
                response = prompt.rsplit("\n\nExtracted answer: ", 1)[0].rsplit("\n\n", 1)[-1]
                answer = response.split()[-1].strip(".") if response.split() else ""
                payload = json.dumps({"choices": [{"message": {"content": f"Extracted answer: {answer}"}}]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server(fail_first=2)
    yield s
    s.close()


def _items():
    base = {"query": "Hint: ...\nQuestion: How many?", "question_type": "free_form", "answer_type": "integer",
            "choices": None, "precision": None, "metadata": {"language": "english"}}
    return {
        "1": {**base, "pid": "1", "answer": "3", "response": "I count them: there are 3."},
        "2": {**base, "pid": "2", "answer": "5", "response": "7"},  # bare number: no request
        "3": {**base, "pid": "3", "answer": "2", "response": ""},  # empty: no request
        "4": {**base, "pid": "4", "question_type": "multi_choice", "answer_type": "text", "choices": ["Yes", "No"],
              "answer": "No", "response": "Looking closely, the answer is B."},
    }


def test_judge_mode_with_retries_and_cache(server, tmp_path):
    cache = tmp_path / "judge.jsonl"
    judge = JudgeExtractor(server.url, model="tiny", cache_path=cache, retries=3, backoff_s=0.01, timeout_s=5)
    scored, scores = mathvista.score_results(_items(), mode="judge", extractor=judge)
    assert [scored[p]["extraction"] for p in "1234"] == ["3", "7", "", "B"]
    assert [scored[p]["true_false"] for p in "1234"] == [True, False, False, True]
    assert scores["average"] == {"accuracy": "50.0", "correct": 2, "total": 4}
    assert len(server.requests) == 2 + 2  # two failures retried, then one request per non-trivial item
    assert server.requests[-1]["temperature"] == 0.0 and server.requests[-1]["model"] == "tiny"
    # a second extractor reads the cache and sends nothing
    again = JudgeExtractor(server.url, model="tiny", cache_path=cache)
    mathvista.score_results(_items(), mode="judge", extractor=again)
    assert again.requests == 0 and len(server.requests) == 4


def test_judge_gives_up_after_retries(tmp_path):
    s = _Server(fail_first=100, max_requests=10)
    try:
        judge = JudgeExtractor(s.url, retries=2, backoff_s=0.01, timeout_s=5, cache_path=tmp_path / "c.jsonl")
        assert judge.extract("prompt") == "" and judge.failures == 1 and len(s.requests) == 3
        assert not (tmp_path / "c.jsonl").exists()  # failures are not cached
    finally:
        s.close()


def test_extraction_prompt_layout():
    p = extraction_prompt("Question: Q", "The answer is 4.")
    assert p.startswith("Please read the following example.") and p.endswith("The answer is 4.\n\nExtracted answer: ")

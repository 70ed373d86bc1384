"""``mmagrae eval``: ``run`` (generate + score + report) and ``score`` (score an existing results file).

Examples::

    $ mmagrae eval run --benchmark mathvista --model ckpt/ --backend vllm --n 8 --out runs/mv
    $ mmagrae eval score mathvista --input output_bard.json --mode official --out scores_bard.json
    $ mmagrae eval score mathvista --input output_bard.json --mode rules --out scores_rules.json

Heavy imports (transformers, vllm) happen inside the command functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a checkpoint on a benchmark, or score a results file")
    sub = parser.add_subparsers(dest="eval_command", metavar="{run,score}")

    from eval.registry import names

    r = sub.add_parser("run", help="generate on a benchmark, cache responses, score, write reports")
    r.add_argument("--benchmark", required=True, choices=names())
    r.add_argument("--model", required=True, help="model folder")
    r.add_argument("--backend", choices=("hf", "vllm"), default="hf")
    r.add_argument("--split", default=None, help="benchmark split (default: the benchmark's first)")
    r.add_argument("--data", dest="source", default=None,
                   help="local copy of the dataset in the benchmark's layout (default: the Hugging Face Hub)")
    r.add_argument("--limit", type=int, default=None, help="first N rows only")
    r.add_argument("--n", type=int, default=1, help="samples per row (pass@k for k <= n)")
    r.add_argument("--batch-size", type=int, default=16)
    r.add_argument("--temperature", type=float, default=None, help="default: 0 when n = 1, else 1.0")
    r.add_argument("--top-p", type=float, default=1.0)
    r.add_argument("--max-new-tokens", type=int, default=1024)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--dtype", default="float32")
    r.add_argument("--mode", choices=("rules", "judge"), default="rules")
    r.add_argument("--judge-url", default=None, help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    r.add_argument("--judge-model", default="default")
    r.add_argument("--out", required=True, help="output folder")
    r.set_defaults(func=_run)

    s = sub.add_parser("score", help="score an existing results file (MathVista: the official output_*.json)")
    s.add_argument("benchmark", choices=names())
    s.add_argument("--input", required=True, help="results file (MathVista: pid -> item with response/extraction)")
    s.add_argument("--mode", choices=("official", "rules", "judge"), default="official")
    s.add_argument("--judge-url", default=None)
    s.add_argument("--judge-model", default="default")
    s.add_argument("--judge-cache", default=None, help="JSONL cache of judge extractions")
    s.add_argument("--out", required=True, help="scores JSON (MathVista: the official scores_*.json layout)")
    s.add_argument("--results-out", default=None, help="also write the scored items (prediction, true_false)")
    s.add_argument("--report", default=None, help="folder for the Markdown table and PNG charts")
    s.set_defaults(func=_score)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _run(args: argparse.Namespace) -> int:
    from eval.runner import RunConfig, run

    cfg = RunConfig(benchmark=args.benchmark, model=args.model, out=args.out, backend=args.backend, split=args.split,
                    source=args.source, limit=args.limit, n=args.n, batch_size=args.batch_size,
                    temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.max_new_tokens,
                    seed=args.seed, dtype=args.dtype, mode=args.mode, judge_url=args.judge_url,
                    judge_model=args.judge_model)
    run(cfg)
    return 0


def _extractor(args: argparse.Namespace):
    if args.mode != "judge":
        return None
    if not args.judge_url:
        raise SystemExit("--mode judge needs --judge-url")
    from eval.judge import JudgeExtractor

    return JudgeExtractor(args.judge_url, model=args.judge_model, cache_path=args.judge_cache)


def _score(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    extractor = _extractor(args)
    if args.benchmark == "mathvista":
        from eval import mathvista

        results = mathvista.read_results(args.input)
        scored, scores = mathvista.score_results(results, mode=args.mode, extractor=extractor)
        if args.mode != "official" and all("true_false" in it for it in results.values()):
            agree = mathvista.agreement(results, scored)
            print(f"[eval] agreement with the file's true_false: {agree['agree']}/{agree['items']} "
                  f"({100 * agree['agreement']:.1f}%)")
    else:
        scored, scores = _score_generic(args, extractor)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(scores, indent=4, ensure_ascii=False), encoding="utf-8")
    if args.results_out:
        Path(args.results_out).write_text(json.dumps(scored, indent=4, ensure_ascii=False), encoding="utf-8")
    if args.report:
        from eval.report import write_reports

        write_reports(scores, args.report, f"{args.benchmark} ({args.mode})")
    acc = scores["average"]["accuracy"] if "average" in scores else scores["accuracy"]
    print(f"[eval] {args.benchmark} {args.mode}: accuracy {acc}% -> {args.out} ({time.perf_counter() - start:.2f}s)",
          file=sys.stderr)
    return 0


def _score_generic(args: argparse.Namespace, extractor):
    """Other benchmarks: a JSON list / JSONL of rows (the benchmark's fields) with ``response`` (str or list of
    n str) and, for ``official``, the benchmark's given extraction fields."""
    from eval.registry import get
    from eval.scoring import summarize

    bench = get(args.benchmark)
    text = Path(args.input).read_text(encoding="utf-8")
    if args.input.endswith(".jsonl"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        data = json.loads(text)
        rows = list(data.values()) if isinstance(data, dict) else data
    correct, scored = [], []
    for row in rows:
        responses = row.get("response", "")
        responses = responses if isinstance(responses, list) else [responses]
        verdicts = [bench.judge(row, str(r), args.mode, extractor) for r in responses]
        correct.append([v.correct for v in verdicts])
        scored.append({**row, "extracted": [v.extracted for v in verdicts], "correct": correct[-1]})
    scores = {"benchmark": bench.name, "mode": args.mode, **summarize(rows, correct, bench.categories)}
    if bench.extra_scores is not None:
        scores["extra"] = bench.extra_scores(rows, correct)
    return scored, scores

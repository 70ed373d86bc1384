"""``mmagrae eval``: ``run`` (generate + score + report) and ``score`` (score an existing results file).

Examples::

    $ mmagrae eval run --benchmark mathvista --model ckpt/ --backend vllm --n 8 --out runs/mv
    $ mmagrae eval score mathvista --input output_bard.json --mode official --out scores_bard.json
    $ mmagrae eval score mathvista --input output_bard.json --mode rules --out scores_rules.json
    $ mmagrae eval compare runs/mv_base runs/mv_step200      # score tables side by side + differing settings

Heavy imports (transformers, vllm) happen inside the command functions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a checkpoint on a benchmark, or score a results file")
    sub = parser.add_subparsers(dest="eval_command", metavar="{run,score,compare}")

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
    r.add_argument("--judge-timeout", type=float, default=30.0,
                   help="seconds the judge has to answer one request (3 requests in a row without an answer stop "
                        "the command)")
    r.add_argument("--system-prompt", default=None, help="system message (default: the chat template's)")
    r.add_argument("--min-pixels", type=int, default=None,
                   help="resize images to at least this many pixels as training does (data.min_pixels; default: "
                        "the run's own for RUN/checkpoints/step_N, else the processor's)")
    r.add_argument("--max-pixels", type=int, default=None,
                   help="resize images to at most this many pixels as training does (data.max_pixels)")
    r.add_argument("--max-image-pixels", type=int, default=89_478_485,
                   help="skip rows with a source image larger than this (width × height; 0 = no limit)")
    r.add_argument("--out", required=True,
                   help="output folder; it belongs to one model and one set of settings (its eval_card.json)")
    r.set_defaults(func=_run)

    s = sub.add_parser("score", help="score an existing results file (MathVista: the official output_*.json)")
    s.add_argument("benchmark", choices=names())
    s.add_argument("--input", required=True, help="results file (MathVista: pid -> item with response/extraction)")
    s.add_argument("--mode", choices=("official", "rules", "judge"), default="official")
    s.add_argument("--judge-url", default=None)
    s.add_argument("--judge-model", default="default")
    s.add_argument("--judge-cache", default=None, help="JSONL cache of judge extractions")
    s.add_argument("--judge-timeout", type=float, default=30.0,
                   help="seconds the judge has to answer one request (3 requests in a row without an answer stop "
                        "the command)")
    s.add_argument("--out", required=True, help="scores JSON (MathVista: the official scores_*.json layout)")
    s.add_argument("--results-out", default=None, help="also write the scored items (prediction, true_false)")
    s.add_argument("--data", default=None, help="benchmark data (local copy, as for eval run) to join lmms-eval "
                   "samples that lack their dataset rows, by doc_id")
    s.add_argument("--split", default=None, help="the split of --data to join (default: the benchmark's first, "
                   "as for eval run; e.g. testmini for MATH-V testmini outputs)")
    s.add_argument("--report", default=None, help="folder for the Markdown table and PNG charts")
    s.set_defaults(func=_score)

    c = sub.add_parser("compare", help="two eval output folders: score tables side by side, differing settings")
    c.add_argument("dir_a", help="an eval run / eval score output folder (with eval_card.json), or an eval score "
                   "scores file")
    c.add_argument("dir_b", help="the folder (or scores file) to compare it with")
    c.set_defaults(func=_compare)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _run(args: argparse.Namespace) -> int:
    from eval.runner import RunConfig, run

    cfg = RunConfig(benchmark=args.benchmark, model=args.model, out=args.out, backend=args.backend, split=args.split,
                    source=args.source, limit=args.limit, n=args.n, batch_size=args.batch_size,
                    temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.max_new_tokens,
                    seed=args.seed, dtype=args.dtype, mode=args.mode, judge_url=args.judge_url,
                    judge_model=args.judge_model, judge_timeout=args.judge_timeout, system_prompt=args.system_prompt, min_pixels=args.min_pixels,
                    max_pixels=args.max_pixels, max_image_pixels=args.max_image_pixels or None)
    from eval.outputs import hold_folders

    try:
        with hold_folders([("--out", args.out)]):  # a second command into this folder stops at once
            run(cfg)
    except KeyboardInterrupt:  # every finished batch is in responses.jsonl already
        print(f"\n[eval] interrupted; run the same command to resume from {Path(args.out) / 'responses.jsonl'}",
              file=sys.stderr)
        return 130
    return 0


def _compare(args: argparse.Namespace) -> int:
    from eval.card import compare
    from eval.outputs import safe_text

    print(safe_text(compare(args.dir_a, args.dir_b)))
    return 0


def _extractor(args: argparse.Namespace):
    if args.mode != "judge":
        return None
    if not args.judge_url:
        raise UserError("--mode judge needs --judge-url")
    from eval.judge import JudgeExtractor

    return JudgeExtractor(args.judge_url, model=args.judge_model, cache_path=args.judge_cache,
                          timeout_s=args.judge_timeout)


def _check_destinations(args: argparse.Namespace) -> None:
    """Every path ``eval score`` writes can be written (a file, a folder, a writable place): one line naming the
    option, before anything is read or written."""
    from eval.outputs import check_file_destination, check_folder_destination

    if args.mode == "judge" and not args.judge_url:
        raise UserError("--mode judge needs --judge-url")
    if not 0 < args.judge_timeout <= 86400:  # NaN and inf too: a socket timeout must be a finite time
        raise UserError(f"--judge-timeout must be more than 0 and at most 86400 seconds, got {args.judge_timeout}")
    check_file_destination(args.out, "--out")
    if args.results_out:
        check_file_destination(args.results_out, "--results-out")
    if args.report:
        check_folder_destination(args.report, "--report")
    if args.mode == "judge" and args.judge_cache:
        check_file_destination(args.judge_cache, "--judge-cache")


def _check_judge_cache(args: argparse.Namespace, outputs: dict[str, Path]) -> None:
    """``--judge-cache`` is never the input, an output of this command (``outputs``: what -> path) or a file in
    another run's folder (a folder with an eval card), unless it is that folder's own judge cache (a judge-mode
    eval run's ``judge_cache.jsonl``, or one a card there lists). Whether an existing file is a judge cache is checked when
    it is read (:func:`eval.judge.read_cache_file`). A new file beside this command's ``--out`` is allowed (the
    scoring's card lists it)."""
    if args.mode != "judge" or not args.judge_cache:
        return
    from eval.card import CARD_NAME, read_card

    cache = Path(args.judge_cache)
    real = cache.resolve()
    if Path(args.input).exists() and real == Path(args.input).resolve():
        raise UserError(f"--judge-cache {cache} is the --input file; name another file (a JSONL judge cache)")
    for what, path in outputs.items():
        if real == path.resolve():
            raise UserError(f"--judge-cache {cache} is also {what} of this command; name another file")
    if cache.name == CARD_NAME or cache.name.endswith("." + CARD_NAME):
        raise UserError(f"--judge-cache {cache} is named like an eval card; name another file")
    if args.report and real.parent == Path(args.report).resolve() and (
            cache.name == "scores.md" or (cache.name.startswith("chart_") and cache.name.endswith(".png"))):
        raise UserError(f"--judge-cache {cache} is a file --report writes; name another file")
    folder = real.parent
    own = Path(args.out).resolve().parent
    for above in folder.parents:  # a subfolder of another run's folder is that run's too
        if above == own or above in own.parents:
            continue  # a folder this command writes into too
        if (above / CARD_NAME).is_file() or any(above.glob("*." + CARD_NAME)):
            raise UserError(f"--judge-cache {cache} is inside another run's folder ({above} has an eval card); "
                            "name a file outside it")
    cards = [p for p in (folder / CARD_NAME, *sorted(folder.glob("*." + CARD_NAME))) if p.is_file()]
    if not cards or (folder == Path(args.out).resolve().parent and not cache.exists()):
        return  # no run's folder, or a new file beside this command's own outputs (its card lists it)
    for path in cards:
        card = read_card(folder, path.name) or {}
        outputs = card.get("outputs") if isinstance(card.get("outputs"), dict) else {}
        listed = outputs.get("judge_cache")
        if card.get("command") == "eval run" and (card.get("scorer") or {}).get("mode") == "judge":
            listed = "judge_cache.jsonl"  # an eval run in judge mode keeps its judge cache there
        if isinstance(listed, str) and (folder / listed).resolve() == real:
            return
    raise UserError(f"--judge-cache {cache} is inside another run's folder ({folder} has {cards[0].name}); name a "
                    "file outside it, or the judge cache that folder uses")


def read_input(path: str) -> list[dict[str, Any]] | dict[str, dict[str, Any]]:
    """The items of a results file: a JSON list, a JSON object ``{id: item}``, or JSONL (one item a line).

    Anything else is a one-line :class:`UserError` naming the file (and the line of a JSONL error): not UTF-8,
    not JSON, empty, ``[]``/``{}``, or an item that is not an object.
    """
    from mmagrae.preflight import iter_jsonl, read_json, read_text

    text = read_text(path, "--input")
    if path.endswith(".jsonl"):
        data: Any = []
        for number, value in iter_jsonl(path, text):
            if not isinstance(value, dict):
                raise UserError(f"{path}: line {number}: expected a JSON object (one item), got "
                                f"{type(value).__name__}")
            data.append(value)
    else:
        data = read_json(path, text)
    if isinstance(data, dict):
        bad = next((k for k, v in data.items() if not isinstance(v, dict)), None)
        if bad is not None:
            raise UserError(f"{path}: item {bad}: expected a JSON object, got {type(data[bad]).__name__}")
    elif isinstance(data, list):
        bad = next((i for i, v in enumerate(data) if not isinstance(v, dict)), None)
        if bad is not None:
            raise UserError(f"{path}: item {bad}: expected a JSON object, got {type(data[bad]).__name__}")
    else:
        raise UserError(f"{path}: expected a list of items or an object {{id: item}}, got {type(data).__name__}")
    if not data:
        raise UserError(f"{path}: no items to score")
    return data


def _split_rows(args: argparse.Namespace, gold: dict[str, Any]):
    """Loader of ``--split`` (default: the benchmark's first) from ``--data`` (None without it). Once called,
    ``gold`` holds what the card records of the gold answers read: the split, and the data's absolute path,
    rows and hash (the hash ``eval run`` records in ``data.hash``)."""
    split = getattr(args, "split", None)
    if not getattr(args, "data", None):
        if split:
            raise UserError("--split picks the split of --data; give --data too")
        return None
    from eval.card import data_hash
    from eval.registry import check_split, get

    bench = get(args.benchmark)
    try:
        split = check_split(bench, split)
    except ValueError as err:
        raise UserError(f"--split: {err}") from None

    def load():
        from eval.checks import check_rows

        rows = bench.load(split, source=args.data)
        check_rows(bench.name, f"--data {args.data}", rows)  # two rows with one id: the data's fault, named so
        local = Path(args.data).expanduser()
        gold.update(split=split, source=str(local.resolve()) if local.exists() else args.data,
                    hash=data_hash(rows), rows=len(rows))
        return rows

    return load


def _item_id(item: dict[str, Any], fallback: Any) -> str:
    for key in ("id", "pid", "sample_index", "question_id", "index"):
        if item.get(key) not in (None, ""):
            return str(item[key])
    return str(fallback)


_MATHVISTA_FIELDS = ("answer", "question_type", "answer_type")


def _check_mathvista(path: str, results: dict[str, dict[str, Any]], mode: str) -> None:
    """Every item has the fields scoring reads; else one line naming the item and the field."""
    needed = (*_MATHVISTA_FIELDS, "extraction" if mode == "official" else "response")
    for pid, item in results.items():
        for name in needed:
            if name not in item:
                raise UserError(f"{path}: item {pid}: missing field {name!r}")
        if item["question_type"] == "multi_choice" and not item.get("choices"):
            raise UserError(f"{path}: item {pid}: missing field 'choices' (question_type multi_choice)")


def _score(args: argparse.Namespace) -> int:
    """``eval score``: every path checked first, then the input read and scored; the outputs (scores, scored
    items, card, report) are written together at the end (:class:`eval.outputs.Outputs`), or not at all."""
    start = time.perf_counter()
    _check_destinations(args)
    from eval.outputs import hold_folders

    folders = [("--out", Path(args.out).parent)]
    if args.results_out:
        folders.append(("--results-out", Path(args.results_out).parent))
    if args.report:
        folders.append(("--report", Path(args.report)))
    unique = {os.path.realpath(f): (w, f) for w, f in reversed(folders)}  # one lock a folder, the first option's name
    with hold_folders(sorted(unique.values(), key=lambda wf: os.path.realpath(wf[1]))):  # one order: no deadlock
        return _score_held(args, start)


def _score_held(args: argparse.Namespace, start: float) -> int:
    """``eval score`` once its output folders are held."""
    from eval.card import add_card, check_report_folder, check_score_outputs, score_card_path
    from eval.formats import read_results_file  # our JSON layouts, lmms-eval samples, VLMEvalKit tables
    from eval.outputs import Outputs

    gold: dict[str, Any] = {}  # the --data rows joined to the input, once read
    data = read_results_file(args.benchmark, args.input, read_input, _split_rows(args, gold))
    card = _score_card(args, len(data), gold)
    out = Path(args.out)
    card_path = score_card_path(out)
    check_score_outputs(card, [out, *([Path(args.results_out)] if args.results_out else [])],
                        source=Path(args.input))
    report_card = None
    produced = {"--out": out, "the eval card": card_path,
                **({"--results-out": Path(args.results_out)} if args.results_out else {})}
    if args.report:  # a report folder holds one scoring's report (the run's own folder is another run's)
        report_card = {**card, "outputs": {"scores": os.path.relpath(out, args.report)}}
        check_report_folder(Path(args.report), report_card)
        if Path(args.report).resolve() == out.parent.resolve():
            report_card = None  # the folder's card is this scoring's own
        produced.update({"--report's card": Path(args.report) / "eval_card.json",
                         "--report's scores.md": Path(args.report) / "scores.md"})
    _check_judge_cache(args, produced)
    extractor = _extractor(args)  # reads (and checks) an existing judge cache
    if args.benchmark == "mathvista":
        from eval import mathvista

        results = data if isinstance(data, dict) else {_item_id(it, i): it for i, it in enumerate(data)}
        _check_mathvista(args.input, results, args.mode)
        try:
            scored, scores = mathvista.score_results(results, mode=args.mode, extractor=extractor)
        except KeyError as err:
            raise UserError(f"{args.input}: missing field {err.args[0]!r} in some item") from None
        if args.mode != "official" and all("true_false" in it for it in results.values()):
            agree = mathvista.agreement(results, scored)
            print(f"[eval] agreement with the file's true_false: {agree['agree']}/{agree['items']} "
                  f"({100 * agree['agreement']:.1f}%)")
    else:
        scored, scores = _score_generic(args, extractor, data)
    if extractor is not None:  # a judge that failed some calls: said, and recorded with the scores
        judged = extractor.summary()
        card["scorer"]["judge_failures"] = judged["failures"]
        if judged["failures"]:
            scores.update(judge_failures=judged["failures"], judge_last_error=judged["last_error"])
            print(f"[eval] warning: {judged['failures']} of {judged['calls']} judge calls failed (last error: "
                  f"{judged['last_error']}); those responses extracted nothing and count as wrong", file=sys.stderr)
    files = Outputs()
    files.add_json(out, scores, indent=4)
    if args.results_out:
        files.add_json(args.results_out, scored, indent=4)
    add_card(files, card_path, card)
    if args.report:
        from eval.report import add_reports

        if report_card is not None:
            add_card(files, Path(args.report) / "eval_card.json", report_card)
        add_reports(files, scores, args.report, f"{args.benchmark} ({args.mode})", card=card)
    files.commit()
    acc = scores["average"]["accuracy"] if "average" in scores else scores["accuracy"]
    print(f"[eval] {args.benchmark} {args.mode}: accuracy {acc}% -> {args.out} ({time.perf_counter() - start:.2f}s)",
          file=sys.stderr)
    return 0


def _score_card(args: argparse.Namespace, items: int, gold: dict[str, Any]) -> dict[str, Any]:
    """The eval card of ``eval score``: the results file stands for the model and decoding (unknown here);
    ``gold``: the ``--data`` rows the items were joined with (``{}``: none, the input holds its gold)."""
    from eval.card import file_hash, new_card
    from eval.registry import get

    return new_card(
        command="eval score",
        model={"path": None, "fingerprint": None, "note": "scored from a results file"},
        benchmark=get(args.benchmark).name, split=gold.get("split", getattr(args, "split", None)),
        data={"source": str(Path(args.input).resolve()), "hash": file_hash(args.input), "rows": items},
        gold={k: gold[k] for k in ("source", "hash", "rows")} if gold else None,
        prompt=None, images=None, decoding=None, n=None, seed=None,
        scorer={"mode": args.mode, "judge_model": args.judge_model if args.mode == "judge" else None,
                "judge_url": args.judge_url if args.mode == "judge" else None},
        outputs={"scores": Path(args.out).name,
                 **({"results": os.path.relpath(args.results_out, Path(args.out).parent)} if args.results_out else {}),
                 **({"judge_cache": os.path.relpath(args.judge_cache, Path(args.out).parent)}
                    if args.mode == "judge" and args.judge_cache else {})},
    )


def _score_generic(args: argparse.Namespace, extractor, data):
    """Other benchmarks: a JSON list / JSONL of rows (the benchmark's fields) with ``response`` (str or list of
    n str) and, for ``official``, the benchmark's given extraction fields. A missing field is a one-line error
    naming the item."""
    from eval.registry import get
    from eval.scoring import summarize

    bench = get(args.benchmark)
    items = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
    rows = [row for _, row in items]
    if args.mode != "official":  # rules and judge read the response; official may read given verdicts instead
        missing = sum(1 for row in rows if "response" not in row)
        if rows and missing == len(rows):
            raise UserError(f"{args.input}: no item has a 'response' field (a results file has the model's "
                            "responses; is this the benchmark's data file?)")
        if missing:
            print(f"[eval] warning: {missing} of {len(rows)} items have no 'response' field; they are scored as "
                  "wrong (as an empty response)", file=sys.stderr)
    correct, scored = [], []
    for key, row in items:
        responses = row.get("response", "")
        responses = responses if isinstance(responses, list) else [responses]
        try:
            verdicts = [bench.judge(row, str(r), args.mode, extractor) for r in responses]
            bench.categories(row)
        except KeyError as err:
            raise UserError(f"{args.input}: item {_item_id(row, key)}: missing field {err.args[0]!r}") from None
        except (IndexError, TypeError, AttributeError) as err:  # e.g. an empty label list
            raise UserError(f"{args.input}: item {_item_id(row, key)}: a field the {bench.name} scorer reads is "
                            f"empty or malformed ({type(err).__name__}: {err})") from None
        correct.append([v.correct for v in verdicts])
        scored.append({**row, "extracted": [v.extracted for v in verdicts], "correct": correct[-1]})
    given = [bench.given_verdict(row) for row in rows] if bench.given_verdict is not None else []
    try:
        scores = {"benchmark": bench.name, "mode": args.mode, **summarize(rows, correct, bench.categories)}
        if bench.extra_scores is not None:
            scores["extra"] = bench.extra_scores(rows, correct)
    except KeyError as err:
        raise UserError(f"{args.input}: missing field {err.args[0]!r} in some item") from None
    if args.mode != "official" and given and all(g is not None for g in given):
        scores["rules_agreement"] = agreement_with_given(given, correct)
        a = scores["rules_agreement"]
        print(f"[eval] agreement with the file's own verdicts: {a['agree']}/{a['items']} ({a['agreement']:.1f}%); "
              f"accuracy {a['given_accuracy']:.2f}% there, {a['accuracy']:.2f}% here")
    return scored, scores


def agreement_with_given(given: Sequence[bool], correct: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """Item agreement of this scorer's first-sample verdicts with the verdicts the file carries, and both
    accuracies (percent)."""
    ours = [bool(c[0]) if c else False for c in correct]
    same = sum(g == o for g, o in zip(given, ours, strict=True))
    n = len(ours)
    return {"items": n, "agree": same, "agreement": 100 * same / n if n else 0.0,
            "given_accuracy": 100 * sum(given) / n if n else 0.0, "accuracy": 100 * sum(ours) / n if n else 0.0}

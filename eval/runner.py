"""``mmagrae eval run``: generate on a benchmark through a rollout engine, cache as it goes, score, report.

Phases, top to bottom in :func:`run`:
1. load the benchmark rows (Hub id or a local copy in the same layout);
2. generate n responses per row in batches through ``mmagrae.rollout`` (``hf`` or ``vllm``; the runner never
   branches on the backend), appending each finished batch to ``responses.jsonl`` (flushed and fsynced), so
   a crash or Ctrl-C resumes where it stopped without regenerating;
3. score every sample with the benchmark's judge (``rules`` by default, or ``judge``), in the same pass
   computing pass@k from the n samples;
4. write ``verdicts.jsonl``, ``scores.json`` (MathVista: the official layout, from the first sample;
   other benchmarks: :func:`eval.scoring.summarize` plus their own metrics), ``summary.json`` (the generic
   summary with pass@k for every benchmark), ``scores.md`` and ``chart_<category>.png``. MathVista also gets
   ``output_mathvista.json`` in the official ``output_*.json`` layout, so ``eval score`` (or the official
   script) can rescore it.

Decoding defaults: greedy (temperature 0) when n = 1, temperature 1.0 when n > 1 (pass@k needs samples).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eval import registry
from eval.report import write_reports
from eval.scoring import summarize


@dataclass
class RunConfig:
    """Arguments of ``mmagrae eval run``."""

    benchmark: str
    """registry name: mathvista, mathverse, mathvision, wemath, geometry3k, chartqa"""
    model: str
    """model folder (or hub id when the hub is reachable)"""
    out: str
    """output folder (responses cache, verdicts, scores, report)"""
    backend: str = "hf"
    """rollout engine: hf (transformers generate) or vllm"""
    split: str | None = None
    """benchmark split; default: the benchmark's first (e.g. MathVista testmini)"""
    source: str | None = None
    """local copy of the dataset in the benchmark's layout (JSON/JSONL/Parquet + images); default: the Hub"""
    limit: int | None = None
    """score only the first N rows (composites for WeMath)"""
    n: int = 1
    """samples per row; pass@k is reported for k = 1, 2, 4, ..., n"""
    batch_size: int = 16
    """rows per generate() call (each row brings n samples)"""
    temperature: float | None = None
    """sampling temperature; None: 0 (greedy) when n = 1, else 1.0"""
    top_p: float = 1.0
    max_new_tokens: int = 1024
    seed: int = 0
    dtype: str = "float32"
    mode: str = "rules"
    """scoring of generated responses: rules (mmagrae verifiers) or judge (OpenAI-compatible endpoint)"""
    judge_url: str | None = None
    judge_model: str = "default"


# ------------------------------------------------------------------------------------------------ prompting
def load_images(row: Mapping[str, Any]) -> list:
    from PIL import Image

    images = []
    for img in row.get("images") or []:
        if isinstance(img, (str, Path)):
            with Image.open(img) as im:
                images.append(im.convert("RGB"))
        else:
            images.append(img.convert("RGB") if getattr(img, "mode", "RGB") != "RGB" else img)
    return images


def chat_formatter(model_path: str) -> Callable[[str, int], str]:
    """``(text, n_images) -> chat-formatted prompt`` from the model's own chat template.

    Images go before the text in one user turn (Qwen2-VL's convention); a model without a processor (a text LM)
    uses its tokenizer's template, without image placeholders.
    """
    from transformers import AutoProcessor, AutoTokenizer

    try:
        processor = AutoProcessor.from_pretrained(model_path)
        template_owner = processor if getattr(processor, "chat_template", None) else processor.tokenizer
        multimodal = template_owner is processor
    except (OSError, ValueError, AttributeError, TypeError):
        template_owner, multimodal = AutoTokenizer.from_pretrained(model_path), False

    def fmt(text: str, n_images: int) -> str:
        if multimodal:
            content = [{"type": "image"} for _ in range(n_images)] + [{"type": "text", "text": text}]
        else:
            content = text
        return template_owner.apply_chat_template([{"role": "user", "content": content}], tokenize=False,
                                                  add_generation_prompt=True)

    return fmt


def _prompt_type():
    try:
        from mmagrae.rollout import Prompt
    except ImportError:  # rollout engines not installed: fake engines in tests take any object with .text/.images
        from types import SimpleNamespace as Prompt  # noqa: N812
    return Prompt


def _sampling(cfg: RunConfig):
    temperature = cfg.temperature if cfg.temperature is not None else (0.0 if cfg.n == 1 else 1.0)
    kwargs = dict(temperature=temperature, top_p=cfg.top_p, max_new_tokens=cfg.max_new_tokens, seed=cfg.seed)
    try:
        from mmagrae.rollout import SamplingConfig
    except ImportError:
        from types import SimpleNamespace as SamplingConfig  # noqa: N812
    return SamplingConfig(**kwargs)


# ------------------------------------------------------------------------------------------------- caching
def read_cache(path: Path) -> dict[str, list[str]]:
    """``id -> responses`` from the JSONL cache; a torn last line (crash mid-write) is ignored."""
    cached: dict[str, list[str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            cached.setdefault(entry["id"], []).extend(entry["responses"])
    return cached


def _append(path: Path, entries: Sequence[Mapping[str, Any]]) -> None:
    torn = False
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            torn = f.read(1) != b"\n"
    with path.open("a", encoding="utf-8") as f:
        if torn:  # a crash mid-write left a partial line: end it so the next entries parse
            f.write("\n")
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


# ------------------------------------------------------------------------------------------------------ run
def generate(cfg: RunConfig, rows: Sequence[dict], engine, fmt: Callable[[str, int], str], cache_path: Path,
             log: Callable[[str], None] = print) -> dict[str, list[str]]:
    """Generate the missing responses (n per row) and append them to the cache; returns ``id -> responses``."""
    bench = registry.get(cfg.benchmark)
    cached = read_cache(cache_path)
    pending = [r for r in rows if len(cached.get(r["id"], [])) < cfg.n]
    if len(pending) < len(rows):
        log(f"[eval] resuming: {len(rows) - len(pending)}/{len(rows)} rows already in {cache_path}")
    Prompt, sampling = _prompt_type(), _sampling(cfg)
    start = time.perf_counter()
    for b in range(0, len(pending), cfg.batch_size):
        batch = pending[b:b + cfg.batch_size]
        prompts = []
        for row in batch:
            images = load_images(row)
            prompts.append(Prompt(text=fmt(bench.prompt(row), len(images)), images=images, row=row))
        outputs = engine.generate(prompts, cfg.n, sampling)  # [B][n] completions
        entries = []
        for row, completions in zip(batch, outputs, strict=True):
            have = cached.get(row["id"], [])
            new = [c.text for c in completions][: cfg.n - len(have)]
            cached[row["id"]] = have + new
            entries.append({"id": row["id"], "responses": new})
        _append(cache_path, entries)
        done = min(b + cfg.batch_size, len(pending))
        log(f"[eval] generated {done}/{len(pending)} rows ({time.perf_counter() - start:.1f}s)")
    return cached


def score(cfg: RunConfig, rows: Sequence[dict], responses: Mapping[str, Sequence[str]], extractor=None
          ) -> tuple[list[list[registry.SampleVerdict]], dict[str, Any]]:
    """Verdicts ``[R][n]`` and the summary (accuracy, pass@k, categories, benchmark extras)."""
    bench = registry.get(cfg.benchmark)
    verdicts = [[bench.judge(row, text, cfg.mode, extractor) for text in responses[row["id"]][: cfg.n]]
                for row in rows]
    correct = [[v.correct for v in vs] for vs in verdicts]  # [R][n]
    summary = {"benchmark": bench.name, "split": cfg.split, "mode": cfg.mode,
               **summarize(rows, correct, bench.categories)}
    if bench.extra_scores is not None:
        summary["extra"] = bench.extra_scores(rows, correct)
    return verdicts, summary


def run(cfg: RunConfig, *, engine=None, formatter: Callable[[str, int], str] | None = None,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run one benchmark end to end (see the module docstring); returns the summary."""
    bench = registry.get(cfg.benchmark)
    cfg.split = registry.check_split(bench, cfg.split)
    if cfg.mode not in ("rules", "judge"):
        raise ValueError(f"eval run scores generated responses with mode rules or judge, not {cfg.mode!r}")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "run_config.json").write_text(json.dumps(asdict(cfg), indent=2), encoding="utf-8")

    rows = bench.load(cfg.split, source=cfg.source, limit=cfg.limit)  # 1. load
    log(f"[eval] {bench.name}/{cfg.split}: {len(rows)} rows, n={cfg.n}, backend={cfg.backend}")
    if rows and all(not str(r.get("answer", r.get("label", "x")) or "").strip() for r in rows):
        log(f"[eval] warning: {bench.name}/{cfg.split} hides its answers; the scores below are not meaningful "
            "(MathVista test: submit output_mathvista.json to the leaderboard)")
    if engine is None:  # 2. generate
        from mmagrae.rollout import build_engine

        engine = build_engine(cfg.backend, cfg.model, dtype=cfg.dtype)
    fmt = formatter or chat_formatter(cfg.model)
    responses = generate(cfg, rows, engine, fmt, out / "responses.jsonl", log)

    extractor = None  # 3. score
    if cfg.mode == "judge":
        if not cfg.judge_url:
            raise ValueError("--mode judge needs --judge-url (an OpenAI-compatible endpoint)")
        from eval.judge import JudgeExtractor

        extractor = JudgeExtractor(cfg.judge_url, model=cfg.judge_model, cache_path=out / "judge_cache.jsonl")
    start = time.perf_counter()
    verdicts, summary = score(cfg, rows, responses, extractor)
    log(f"[eval] scored {sum(len(v) for v in verdicts)} samples in {time.perf_counter() - start:.2f}s: "
        f"accuracy {summary['accuracy']}%, pass@k {summary['pass@k']}")

    with (out / "verdicts.jsonl").open("w", encoding="utf-8") as f:  # 4. write
        for row, vs in zip(rows, verdicts, strict=True):
            f.write(json.dumps({"id": row["id"], "extracted": [v.extracted for v in vs],
                                "correct": [v.correct for v in vs]}, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    scores: dict[str, Any] = summary
    if bench.name == "mathvista":
        from eval.mathvista import score_table

        official = {}
        for row, vs in zip(rows, verdicts, strict=True):
            item = {k: v for k, v in row.items() if k not in ("images", "decoded_image", "id")}
            item.update(response=responses[row["id"]][0], extraction=vs[0].extracted or "",
                        true_false=vs[0].correct)
            official[row["id"]] = item
        (out / "output_mathvista.json").write_text(json.dumps(official, indent=4, ensure_ascii=False, default=str),
                                                   encoding="utf-8")
        scores = score_table(official)
        scores_md = {**scores, "pass@k": summary["pass@k"]}
    else:
        scores_md = summary
    (out / "scores.json").write_text(json.dumps(scores, indent=4, ensure_ascii=False), encoding="utf-8")
    reports = write_reports(scores_md, out, f"{bench.name} {cfg.split} ({cfg.mode})")
    log(f"[eval] wrote {out / 'scores.json'}, {reports['markdown']} and {len(reports['charts'])} charts")
    return summary

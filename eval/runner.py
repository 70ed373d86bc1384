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

Before anything loads, every path is checked (model folder, ``--data``, ``--out``) and the output folder's
eval card is compared with this run's (:mod:`eval.card`): a cache made by another model, prompt or decoding
setting is refused with one line, never mixed. ``eval_card.json`` is written next to the scores, and
``scores.md`` ends with the same card.

Prompts are built by ``mmagrae.data.prompts`` as training builds them (:func:`make_prompts`): the benchmark's
question text (``eval/<benchmark>.py``) is the row's ``problem``, with the same chat template, image and video
placement (at ``<image>``/``<video>`` markers, else before the text), resizing and video sampling; only the
question and answer-format wording are the benchmark's. Images are decoded and resized with ``mmagrae.data``
as training does them: a checkpoint of an mmagrae run
(``RUN/checkpoints/step_N``) gets its run's ``data.min_pixels``/``data.max_pixels`` unless ``--min-pixels``/
``--max-pixels`` are given; other models keep their processor's own resizing.

Decoding defaults: greedy (temperature 0) when n = 1, temperature 1.0 when n > 1 (pass@k needs samples).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from eval import card as eval_card
from eval import registry
from eval.loaders import is_recipe_layout
from eval.outputs import Outputs, append_jsonl, json_text
from eval.report import add_reports
from eval.run_checks import check_config, check_eval_folder, check_model_loads  # noqa: F401 (re-exported)
from eval.scoring import summarize
from mmagrae.data.prompts import Prompt, build_prompts, chat_text
from mmagrae.data.schema import ROW_COLUMNS
from mmagrae.data.skips import SkipReport
from mmagrae.preflight import UserError
from mmagrae.rollout.types import SamplingConfig


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
    judge_timeout: float = 30.0
    """seconds the judge has to answer one request; 3 requests in a row without an answer stop the run"""
    system_prompt: str | None = None
    """system message of the chat (None: the chat template's default)"""
    min_pixels: int | None = None
    """resize each image to at least this many pixels, as training does (``data.min_pixels``); None (with
    ``max_pixels`` None): the training run's values when ``model`` is ``RUN/checkpoints/step_N`` of an mmagrae
    run, else the processor's own resizing"""
    max_pixels: int | None = None
    """resize each image to at most this many pixels (``data.max_pixels``); None: as for ``min_pixels``"""
    max_image_pixels: int | None = 89_478_485
    """skip (and count) rows with a source image of more pixels: ``image too large (W×H)``; None: no limit"""


# ------------------------------------------------------------------------------------------------ prompting
class ImageProblem(Exception):
    """A row's image is missing or cannot be used; the message is the reason (counted, the row skipped)."""


# the resizing bounds when only one of --min-pixels / --max-pixels is given: training's lower bound
# (mmagrae.config), qwen-vl-utils' image ceiling, training's video bound
MIN_PIXELS, IMAGE_MAX_PIXELS, VIDEO_MAX_PIXELS = 3136, 12845056, 401408


def load_images(row: Mapping[str, Any], *, max_image_pixels: int | None = 89_478_485,
                min_pixels: int | None = None, max_pixels: int | None = None) -> list:
    """A row's images as RGB PIL images: paths are read, ``{bytes}`` structs decoded, PIL images kept.

    Raises :class:`ImageProblem` with the reason (``missing image``, ``unreadable image``, ``image too large
    (W×H)``). With ``min_pixels``/``max_pixels`` the images are resized as training resizes them
    (``mmagrae.data.resize_image``: qwen-vl-utils, sides multiples of 28).
    """
    from PIL import Image

    from mmagrae.data.loading import ImageTooLarge, check_image_size, open_image

    images = []
    for img in row.get("images") or []:
        try:
            if isinstance(img, (str, Path)):
                if not Path(img).is_file():
                    raise ImageProblem("missing image")
                img = open_image(Path(img).read_bytes(), max_image_pixels)
            elif isinstance(img, Mapping) and isinstance(img.get("bytes"), (bytes, bytearray)):
                img = open_image(bytes(img["bytes"]), max_image_pixels)
            elif isinstance(img, Image.Image):
                check_image_size(img, max_image_pixels)
            else:
                raise ImageProblem("unreadable image")
        except ImageTooLarge as err:
            raise ImageProblem(str(err)) from None
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            raise ImageProblem("unreadable image") from err
        images.append(img.convert("RGB") if img.mode != "RGB" else img)
    if images and (min_pixels is not None or max_pixels is not None):
        from mmagrae.data.prompts import resize_image

        images = [resize_image(im, min_pixels=min_pixels or MIN_PIXELS, max_pixels=max_pixels or IMAGE_MAX_PIXELS)
                  for im in images]
    return images


def load_videos(row: Mapping[str, Any], *, min_pixels: int | None = None, max_pixels: int | None = None) -> list:
    """A row's ``videos`` (each a list of frames or a video file) as ``mmagrae.data.prompts.Video``, sampled and
    resized as training does (2 frames per second, at most 16 frames); :class:`ImageProblem`
    ("unreadable video") when one cannot be read, so the row is skipped and counted."""
    from mmagrae.data.prompts import load_video

    videos = []
    for video in row.get("videos") or []:
        try:
            videos.append(load_video(video, min_pixels=min_pixels or MIN_PIXELS, max_pixels=max_pixels or VIDEO_MAX_PIXELS))
        except (OSError, ValueError) as err:
            raise ImageProblem("unreadable video") from err
    return videos


def prompt_processor(model_path: str) -> Any:
    """The processor whose chat template builds the prompts: the model's ``AutoProcessor`` (a VL model), or its
    tokenizer (a text model, or a processor without a chat template of its own)."""
    from transformers import AutoProcessor, AutoTokenizer

    try:
        processor = AutoProcessor.from_pretrained(model_path)
    except (OSError, ValueError, AttributeError, TypeError):
        return AutoTokenizer.from_pretrained(model_path)
    if getattr(processor, "tokenizer", None) is not None and not getattr(processor, "chat_template", None):
        return processor.tokenizer
    return processor


class ChatPrompter:
    """Builds evaluated prompts with ``mmagrae.data.prompts`` (the chat template, image and video placement and
    resizing of training), from the benchmark's question text.

    Calling it, ``(text, n_images, n_videos=0) -> chat text``, applies the same chat template on its own.
    """

    def __init__(self, processor: Any, system_prompt: str | None = None):
        self.processor, self.system_prompt = processor, system_prompt
        self.multimodal = getattr(processor, "tokenizer", processor) is not processor

    def __call__(self, text: str, n_images: int, n_videos: int = 0) -> str:
        if not self.multimodal:  # a text model: no image placeholders, as build_prompts' text path
            n_images = n_videos = 0
        return chat_text(self.processor, text, n_images=n_images, n_videos=n_videos,
                         system_prompt=self.system_prompt)


def chat_formatter(model_path: str, system_prompt: str | None = None) -> ChatPrompter:
    """The :class:`ChatPrompter` of the model at ``model_path`` (``system_prompt`` adds a system turn)."""
    return ChatPrompter(prompt_processor(model_path), system_prompt)


def data_row(bench: registry.Benchmark, row: Mapping[str, Any], images: list, *, text_only: bool = False
             ) -> dict[str, Any]:
    """A benchmark row as a row of the schema (``mmagrae.data.schema.ROW_COLUMNS``) for the prompt builder: the
    benchmark's question prompt as ``problem``, the decoded images, the row's videos. A text model gets neither
    images nor videos (the question alone, as before)."""
    out = {column: row.get(column) for column in ROW_COLUMNS}
    out.update(problem=bench.prompt(row), id=str(row["id"]), images=[] if text_only else list(images),
               videos=[] if text_only else list(row.get("videos") or []))
    return out


def make_prompts(cfg: RunConfig, bench: registry.Benchmark, rows: Sequence[Mapping[str, Any]],
                 fmt: Callable[..., str]) -> tuple[list[Prompt], dict[str, list[str]]]:
    """The prompts of a batch of rows (``Prompt.row`` is the benchmark row) and the rows left out, ``reason ->
    ids``.

    With a :class:`ChatPrompter` the prompt is built by ``mmagrae.data.build_prompts`` exactly as training builds
    one (the question as ``problem``, no answer-format instruction, no length filter): images resized to
    ``--min-pixels``/``--max-pixels`` (or left to the processor when neither is set), videos sampled and resized.
    Any other ``fmt`` is a custom ``(text, n_images) -> chat text`` formatter (images and videos still decoded and
    resized by ``mmagrae.data``).
    """
    problems: dict[str, list[str]] = {}
    decoded = []
    for row in rows:
        try:
            if isinstance(fmt, ChatPrompter):
                images = load_images(row, max_image_pixels=cfg.max_image_pixels)  # resized by build_prompts
                decoded.append((row, images, []))
            else:
                images = load_images(row, max_image_pixels=cfg.max_image_pixels, min_pixels=cfg.min_pixels,
                                     max_pixels=cfg.max_pixels)
                decoded.append((row, images, load_videos(row, min_pixels=cfg.min_pixels, max_pixels=cfg.max_pixels)))
        except ImageProblem as err:
            problems.setdefault(str(err), []).append(str(row["id"]))
    if not isinstance(fmt, ChatPrompter):
        prompts = [Prompt(text=fmt(bench.prompt(row), len(images), len(videos)) if videos
                          else fmt(bench.prompt(row), len(images)), images=images, row=row, videos=videos)
                   for row, images, videos in decoded]
        return prompts, problems
    report = SkipReport("prompts", max_examples=len(rows))
    resize = cfg.min_pixels is not None or cfg.max_pixels is not None
    prompts, _ = build_prompts(
        [data_row(bench, row, images, text_only=not fmt.multimodal) for row, images, _ in decoded], fmt.processor,
        system_prompt=fmt.system_prompt, answer_format=None, max_prompt_length=None,
        min_pixels=cfg.min_pixels or MIN_PIXELS, max_pixels=cfg.max_pixels or IMAGE_MAX_PIXELS,
        video_max_pixels=cfg.max_pixels or VIDEO_MAX_PIXELS, resize_images=resize, report=report)
    by_id = {str(row["id"]): row for row, _, _ in decoded}
    for prompt in prompts:
        prompt.row = by_id[prompt.row["id"]]
    for reason, ids in report.examples.items():
        problems.setdefault(reason, []).extend(ids)
    return prompts, problems


def _sampling(cfg: RunConfig) -> SamplingConfig:
    temperature = cfg.temperature if cfg.temperature is not None else (0.0 if cfg.n == 1 else 1.0)
    return SamplingConfig(temperature=temperature, top_p=cfg.top_p, max_new_tokens=cfg.max_new_tokens,
                          seed=cfg.seed)


# ------------------------------------------------------------------------------------------------- caching
def read_cache(path: Path, keys: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """``id -> responses`` from the JSONL cache; a torn last line (crash mid-write) is ignored.

    With ``keys`` (``id -> row key``, :func:`eval.card.row_keys`), only entries made for the row as it is now
    count: a row whose prompt or images changed is generated again.
    """
    cached: dict[str, list[str]] = {}
    if path.exists():
        # lines end at "\n" only: a response holding U+2028, NEL or a form feed (written as is) stays one entry
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                row_id, responses = str(entry["id"]), list(entry["responses"])
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
            if keys is not None and entry.get("key") != keys.get(row_id):
                continue
            cached.setdefault(row_id, []).extend(responses)
    return cached


# ------------------------------------------------------------------------------------------------------ run
def generate(cfg: RunConfig, rows: Sequence[dict], engine, fmt: Callable[..., str], cache_path: Path,
             log: Callable[[str], None] = print, keys: Mapping[str, str] | None = None,
             before_write: Callable[[], None] | None = None) -> dict[str, list[str]]:
    """Generate the missing responses (n per row) and append them to the cache; returns ``id -> responses``.

    ``keys`` (``id -> row key``) are stored with each entry and only matching entries are reused. Rows whose
    images are missing or unusable are skipped (absent from the result); one warning gives their count.
    ``before_write`` is called before the first batch is stored (``eval run`` makes its folder there).
    """
    bench = registry.get(cfg.benchmark)
    cached = read_cache(cache_path, keys)
    pending = [r for r in rows if len(cached.get(r["id"], [])) < cfg.n]
    if len(pending) < len(rows):
        log(f"[eval] resuming: {len(rows) - len(pending)}/{len(rows)} rows already in {cache_path}")
    sampling = _sampling(cfg)
    start = time.perf_counter()
    problems: dict[str, list[str]] = {}
    for b in range(0, len(pending), cfg.batch_size):
        prompts, left_out = make_prompts(cfg, bench, pending[b:b + cfg.batch_size], fmt)
        for reason, ids in left_out.items():
            problems.setdefault(reason, []).extend(ids)
        batch = [p.row for p in prompts]
        if not batch:
            continue
        outputs = engine.generate(prompts, cfg.n, sampling)  # [B][n] completions
        entries = []
        for row, completions in zip(batch, outputs, strict=True):
            have = cached.get(row["id"], [])
            new = [c.text for c in completions][: cfg.n - len(have)]
            cached[row["id"]] = have + new
            entry = {"id": row["id"], "responses": new}
            if keys is not None:
                entry["key"] = keys[str(row["id"])]
            entries.append(entry)
        if before_write is not None:
            before_write()
        try:
            append_jsonl(cache_path, entries, sync=True)  # a torn line of a crash is cut first
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise UserError(f"cannot write {cache_path}: {reason}; the responses stored so far are kept, rerun to "
                            "resume") from None
        done = min(b + cfg.batch_size, len(pending))
        log(f"[eval] generated {done}/{len(pending)} rows ({time.perf_counter() - start:.1f}s)")
    if problems:
        detail = "; ".join(f"{reason}: {len(ids)} (e.g. {', '.join(ids[:3])})" for reason, ids in problems.items())
        log(f"[eval] warning: skipped {sum(map(len, problems.values()))} of {len(rows)} rows whose images, videos "
            f"or prompt could not be used ({detail}); they are left out of the scores")
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


def load_rows(bench: registry.Benchmark, cfg: RunConfig) -> list[dict]:
    """The benchmark's rows; a source in another layout is a one-line :class:`UserError` naming it."""
    where = cfg.source or bench.hf_id
    if cfg.source and not bench.reads_recipes and is_recipe_layout(cfg.source):
        raise UserError(f"{cfg.source} is a data_recipes folder (the row schema); evaluate it with --benchmark "
                        f"{' or '.join(registry.recipe_readers())}, or give {bench.name} its own layout "
                        "(docs/EVAL.md)")
    from eval.checks import check_rows

    try:
        rows = bench.load(cfg.split, source=cfg.source, limit=cfg.limit)
        check_rows(bench.name, where, rows)  # duplicate ids, rows without their answer: one line, nothing run
        return rows
    except KeyError as err:
        raise UserError(f"{where}: not the {bench.name} layout (its rows have no field {err.args[0]!r}); "
                        "docs/EVAL.md lists the layouts each benchmark reads") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{where}: a file is not UTF-8 text ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise UserError(f"{where}: line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None


def training_config(model: str) -> Path | None:
    """The ``config.yaml`` of the mmagrae run that ``model`` is a checkpoint of (``RUN/checkpoints/step_N/``),
    or None."""
    path = Path(model).expanduser()
    if path.parent.name == "checkpoints" and (path.parent.parent / "config.yaml").is_file():
        return path.parent.parent / "config.yaml"
    return None


def resize_as_trained(cfg: RunConfig, log: Callable[[str], None] = print) -> str | None:
    """Without ``--min-pixels``/``--max-pixels``, a checkpoint of an mmagrae run is evaluated with its run's
    ``data.min_pixels``/``data.max_pixels``, so images are resized as in training. Returns the config used."""
    if cfg.min_pixels is not None or cfg.max_pixels is not None:
        return None
    config = training_config(cfg.model)
    if config is None:
        return None
    import yaml

    try:
        data = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("data") or {}
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        return None
    if not isinstance(data.get("min_pixels"), int) or not isinstance(data.get("max_pixels"), int):
        return None
    cfg.min_pixels, cfg.max_pixels = data["min_pixels"], data["max_pixels"]
    log(f"[eval] images resized as in training ({config}: min_pixels={cfg.min_pixels}, "
        f"max_pixels={cfg.max_pixels})")
    return str(config)


def _source(cfg: RunConfig) -> str | None:
    """``--data`` as an absolute path (a hub id as given)."""
    local = Path(cfg.source).expanduser() if cfg.source else None
    return str(local.resolve()) if local is not None and local.exists() else cfg.source


def build_card(cfg: RunConfig, model: Mapping[str, Any], data_hash: str, rows: int,
               pixels_from: str | None = None) -> dict[str, Any]:
    """The eval card of a run (:mod:`eval.card`)."""
    bench = registry.get(cfg.benchmark)
    resizing = "the processor's own"
    if cfg.min_pixels or cfg.max_pixels:
        resizing = "qwen-vl-utils" + (f" (as trained: {pixels_from})" if pixels_from else "")
    return eval_card.new_card(
        command="eval run",
        model={"path": model["path"], "fingerprint": model["fingerprint"], "files": model["files"]},
        benchmark=bench.name, split=cfg.split,
        data={"source": _source(cfg) or bench.hf_id, "hash": data_hash, "rows": rows, "limit": cfg.limit},
        prompt={"template": f"{bench.name} official prompt (eval/{bench.name}.py) in the model's chat template, "
                            "built by mmagrae.data.prompts as in training",
                "system_prompt": cfg.system_prompt},
        images={"min_pixels": cfg.min_pixels, "max_pixels": cfg.max_pixels,
                "resizing": resizing,
                "max_image_pixels": cfg.max_image_pixels},
        decoding={"backend": cfg.backend, "dtype": cfg.dtype, "temperature": _sampling(cfg).temperature,
                  "top_p": cfg.top_p, "max_new_tokens": cfg.max_new_tokens},
        n=cfg.n, seed=cfg.seed,
        scorer={"mode": cfg.mode, "judge_model": cfg.judge_model if cfg.mode == "judge" else None,
                "judge_url": cfg.judge_url if cfg.mode == "judge" else None},
        outputs={"summary": "summary.json", "scores": "scores.json", "responses": "responses.jsonl"},
    )


def run(cfg: RunConfig, *, engine=None, formatter: Callable[[str, int], str] | None = None,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run one benchmark end to end (see the module docstring); returns the summary.

    ``engine``: a rollout engine already built (default: ``cfg.backend`` on ``cfg.model``); ``formatter``: a
    custom ``(text, n_images) -> chat text`` in place of the model's chat template through ``mmagrae.data``."""
    check_config(cfg, need_model=engine is None)  # 0. paths and settings, before anything loads
    bench = registry.get(cfg.benchmark)
    pixels_from = resize_as_trained(cfg, log)
    out = Path(cfg.out)
    previous = eval_card.read_card(out) if out.is_dir() else None
    model = eval_card.model_fingerprint(cfg.model, (previous or {}).get("model"))

    rows = load_rows(bench, cfg)  # 1. load
    if not rows:
        raise UserError(f"{cfg.source or bench.hf_id}: no {bench.name} rows for split {cfg.split!r}")
    log(f"[eval] {bench.name}/{cfg.split}: {len(rows)} rows, n={cfg.n}, backend={cfg.backend}")
    if all(not str(r.get("answer", r.get("label", "x")) or "").strip() for r in rows):
        log(f"[eval] warning: {bench.name}/{cfg.split} hides its answers; the scores below are not meaningful "
            "(MathVista test: submit output_mathvista.json to the leaderboard)")
    keys, data_hash = eval_card.row_keys(rows, bench.prompt)
    card = build_card(cfg, model, data_hash, len(rows), pixels_from)
    eval_card.check_cache(out, card)  # a cache of other settings: refuse, touch nothing
    eval_card.check_data(out, card, lambda limit: eval_card.row_keys(
        load_rows(bench, replace(cfg, limit=limit)), bench.prompt)[1])  # results for other data: the same

    if engine is None:  # 2. generate
        check_model_loads(cfg.model)
        from mmagrae.console import quiet_libraries

        quiet_libraries()
        from mmagrae.rollout import build_engine

        try:
            engine = build_engine(cfg.backend, cfg.model, dtype=cfg.dtype)
        except (OSError, ValueError) as err:  # unreadable weights, a config the architecture rejects
            reason = " ".join(str(err).split())[:300]
            raise UserError(f"--model {cfg.model} cannot be loaded: {reason}") from err
    fmt = formatter or chat_formatter(cfg.model, cfg.system_prompt)

    def claim() -> None:  # the folder is made (and its card written) when the first responses are stored;
        # an existing card stays until the new scores are written with their card (card and scores always match)
        if not (out / eval_card.CARD_NAME).is_file():
            first = Outputs()
            eval_card.add_card(first, out / eval_card.CARD_NAME, card)
            first.add_json(out / "run_config.json", asdict(cfg), indent=2)
            first.commit()

    responses = generate(cfg, rows, engine, fmt, out / "responses.jsonl", log, keys=keys, before_write=claim)
    skipped = len(rows) - sum(1 for r in rows if r["id"] in responses)
    rows = [r for r in rows if len(responses.get(r["id"], [])) >= cfg.n]
    if not rows:
        raise UserError(f"{cfg.source or bench.hf_id}: no row of {bench.name}/{cfg.split} could be used "
                        "(see the warning above)")

    extractor = None  # 3. score
    if cfg.mode == "judge":
        from eval.judge import JudgeExtractor

        extractor = JudgeExtractor(cfg.judge_url, model=cfg.judge_model, cache_path=out / "judge_cache.jsonl",
                                   timeout_s=cfg.judge_timeout)
    start = time.perf_counter()
    verdicts, summary = score(cfg, rows, responses, extractor)
    if skipped:
        summary["skipped_rows"] = skipped
    if extractor is not None:
        judged = extractor.summary()
        card["scorer"]["judge_failures"] = judged["failures"]
        if judged["failures"]:
            summary.update(judge_failures=judged["failures"], judge_last_error=judged["last_error"])
            log(f"[eval] warning: {judged['failures']} of {judged['calls']} judge calls failed (last error: "
                f"{judged['last_error']}); those responses extracted nothing and count as wrong")
    log(f"[eval] scored {sum(len(v) for v in verdicts)} samples in {time.perf_counter() - start:.2f}s: "
        f"accuracy {summary['accuracy']}%, pass@k {summary['pass@k']}")

    files = Outputs()  # 4. write: every file at once, or none
    files.add_text(out / "verdicts.jsonl", "".join(
        json_text({"id": row["id"], "extracted": [v.extracted for v in vs], "correct": [v.correct for v in vs]})
        + "\n" for row, vs in zip(rows, verdicts, strict=True)))
    files.add_json(out / "summary.json", summary, indent=2)
    scores: dict[str, Any] = summary
    if bench.name == "mathvista":
        from eval.mathvista import score_table

        official = {}
        for row, vs in zip(rows, verdicts, strict=True):
            item = {k: v for k, v in row.items() if k not in ("images", "decoded_image", "id")}
            item.update(response=responses[row["id"]][0], extraction=vs[0].extracted or "",
                        true_false=vs[0].correct)
            official[row["id"]] = item
        files.add_json(out / "output_mathvista.json", official, indent=4, default=str)
        scores = score_table(official)
        scores_md = {**scores, "pass@k": summary["pass@k"]}
    else:
        scores_md = summary
    if summary.get("judge_failures"):
        scores_md = {**scores_md, "judge_failures": summary["judge_failures"],
                     "judge_last_error": summary["judge_last_error"]}
    files.add_json(out / "scores.json", scores, indent=4)
    reports = add_reports(files, scores_md, out, f"{bench.name} {cfg.split} ({cfg.mode})", card=card)
    eval_card.add_card(files, out / eval_card.CARD_NAME, card)
    files.add_json(out / "run_config.json", asdict(cfg), indent=2)
    files.commit()
    log(f"[eval] wrote {out / 'scores.json'}, {out / eval_card.CARD_NAME}, {reports['markdown']} and "
        f"{len(reports['charts'])} charts")
    return summary

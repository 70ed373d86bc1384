"""``mmagrae eval run``'s checks before anything loads or is written: every setting and path
(:func:`check_config`), the output folder (:func:`check_eval_folder`) and whether the model can be loaded
(:func:`check_model_loads`). Each mistake is one line (:class:`mmagrae.preflight.UserError`) and touches
nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from eval import card as eval_card
from eval import registry
from eval.outputs import is_temp
from mmagrae.preflight import UserError, check_data_source, check_model_path, check_output_dir

if TYPE_CHECKING:
    from eval.runner import RunConfig

DTYPES = ("auto", "float32", "bfloat16", "float16")  # mmagrae.models.loading.DTYPE_NAMES


def check_config(cfg: RunConfig, *, need_model: bool = True) -> None:
    """Every setting and path checked before anything loads; raises a one-line :class:`UserError`."""
    try:
        bench = registry.get(cfg.benchmark)
        cfg.split = registry.check_split(bench, cfg.split)
    except ValueError as err:
        raise UserError(str(err)) from None
    if cfg.mode not in ("rules", "judge"):
        raise UserError(f"eval run scores generated responses with --mode rules or judge, not {cfg.mode!r}")
    if cfg.mode == "judge" and not cfg.judge_url:
        raise UserError("--mode judge needs --judge-url (an OpenAI-compatible endpoint)")
    for name, value, low in (("--n", cfg.n, 1), ("--batch-size", cfg.batch_size, 1),
                             ("--max-new-tokens", cfg.max_new_tokens, 1)):
        if value < low:
            raise UserError(f"{name} must be ≥ {low}, got {value}")
    if cfg.temperature is not None and cfg.temperature < 0:
        raise UserError(f"--temperature must be ≥ 0, got {cfg.temperature}")
    if not 0 < cfg.top_p <= 1:
        raise UserError(f"--top-p must be in (0, 1], got {cfg.top_p}")
    if cfg.limit is not None and cfg.limit < 1:
        raise UserError(f"--limit must be ≥ 1, got {cfg.limit}")
    if not 0 < cfg.judge_timeout <= 86400:  # NaN and inf too: a socket timeout must be a finite time
        raise UserError(f"--judge-timeout must be more than 0 and at most 86400 seconds, got {cfg.judge_timeout}")
    check_images_and_dtype(cfg)
    if need_model:
        check_model_path(cfg.model, "--model")
    check_data_source(cfg.source, "--data")
    check_output_dir(cfg.out, "--out")
    check_eval_folder(Path(cfg.out))


def check_images_and_dtype(cfg: RunConfig) -> None:
    """``--dtype`` is one the engines take; ``--min-pixels``/``--max-pixels`` are positive with min ≤ max;
    ``--max-image-pixels`` is positive (0 or None: no limit)."""
    if str(cfg.dtype).removeprefix("torch.") not in DTYPES:
        raise UserError(f"--dtype {cfg.dtype!r} is not a dtype the engines take; expected one of {', '.join(DTYPES)}")
    for name, value in (("--min-pixels", cfg.min_pixels), ("--max-pixels", cfg.max_pixels)):
        if value is not None and value < 1:
            raise UserError(f"{name} must be ≥ 1 (pixels per image), got {value}")
    if cfg.min_pixels is not None and cfg.max_pixels is not None and cfg.min_pixels > cfg.max_pixels:
        raise UserError(f"--min-pixels {cfg.min_pixels} is larger than --max-pixels {cfg.max_pixels}")
    if cfg.max_image_pixels is not None and cfg.max_image_pixels < 0:
        raise UserError(f"--max-image-pixels must be ≥ 1, or 0 for no limit; got {cfg.max_image_pixels}")


def check_eval_folder(out: Path) -> None:
    """``--out`` is new, empty, or an ``eval run`` output folder (its card): never a model, a training run or a
    folder of other files, whose ``summary.json`` or reports would be written over. Touches nothing."""
    if not out.is_dir() or not any(not is_temp(p) for p in out.iterdir()):
        return
    card = eval_card.read_card(out)
    if card is None:
        raise UserError(f"--out {out} is not empty and is not an eval output folder (no {eval_card.CARD_NAME}); "
                        "use a new folder so that nothing in it is written over")
    if not isinstance(card.get("command"), str):
        raise UserError(f"--out {out}: {eval_card.CARD_NAME} is not an eval card (no \"command\"); use a new folder")
    if card.get("command") != "eval run":
        raise UserError(f"--out {out} holds the results of `{card.get('command')}`, not of an eval run; use a new "
                        "folder")
    for side in sorted(out.glob("*." + eval_card.CARD_NAME)):  # an eval score's card beside the run's
        other = eval_card.read_card(out, side.name) or {}
        listed = other.get("outputs") if isinstance(other.get("outputs"), dict) else {}
        for what, name in listed.items():
            if what == "judge_cache" or not isinstance(name, str):
                continue
            path = (out / name).resolve()
            if path.parent == out.resolve() and eval_card.run_writes(path.name):
                raise UserError(f"--out {out}: {path.name} is claimed by another scoring ({side.name}); an eval run "
                                "there would write over it; use a new folder")


def check_model_loads(model: str) -> None:
    """A local model folder whose ``config.json`` transformers cannot read (not JSON, no ``model_type``, an
    unknown architecture) is one line, before any weight loads or any output is written."""
    folder = Path(model).expanduser()
    if str(model).startswith("tiny:") or not (folder / "config.json").is_file():
        return  # built locally, or a hub id: the engine says what is wrong
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"--model {model}: config.json is not valid JSON ({err})") from None
    if not isinstance(config, dict):
        raise UserError(f"--model {model}: config.json is not a JSON object")
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(str(folder))
    except (OSError, ValueError, KeyError, TypeError) as err:
        reason = " ".join(str(err).split())
        raise UserError(f"--model {model} cannot be loaded: {reason[:300]}") from None

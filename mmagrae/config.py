"""Configuration: a tree of small documented dataclasses mirrored by the YAML files in ``configs/``.

Resolution order: dataclass defaults ← YAML file ← ``section.key=value`` overrides from the command line.
Everything is validated once, in :func:`finalize`, which also computes the derived values
(``Config.derived``). Errors name the offending key and the allowed values or the closest valid names::

    >>> cfg = load_config(None, ["algorithm.alpha=0.5", "rollout.n=8"])
    >>> cfg.algorithm.alpha, cfg.rollout.n
    (0.5, 8)
    >>> load_config(None, ["algorithm.alpah=0.5"])
    Traceback (most recent call last):
    ...
    mmagrae.config.ConfigError: unknown config key 'algorithm.alpah'; did you mean 'algorithm.alpha'?

Each field's help is the string in its ``metadata["help"]``; ``mmagrae config --help-keys`` lists them all.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import yaml


class ConfigError(ValueError):
    """A bad configuration key or value. The message names the key and what is allowed."""


def _f(default: Any, help: str, **kw: Any) -> Any:
    """A dataclass field with one line of help."""
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help}, **kw)
    return field(default=default, metadata={"help": help}, **kw)


@dataclass
class LoraConfig:
    """LoRA adapters through PEFT."""

    enabled: bool = _f(False, "train LoRA adapters instead of the full model")
    r: int = _f(16, "LoRA rank")
    alpha: int = _f(32, "LoRA scaling numerator (scale = alpha / r)")
    dropout: float = _f(0.05, "dropout on the LoRA branch")
    target_modules: str = _f("all-linear", "PEFT target_modules: 'all-linear' or comma-separated module names")
    include_vision: bool = _f(False, "also adapt the vision tower (excluded by default, as in most VLM RL recipes)")


@dataclass
class ModelConfig:
    """The policy model."""

    path: str = _f(
        "tiny:qwen2_vl",
        "HF model id or local directory; 'tiny:ARCH' builds a random tiny model "
        "(qwen2_vl, qwen2_5_vl, qwen3_vl, qwen3_5, idefics3, qwen2)",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = _f(
        "auto", "training dtype; auto = bfloat16 on GPU, float32 on CPU"
    )
    trust_remote_code: bool = _f(False, "allow custom model code from the checkpoint (only if you trust it)")
    attn_implementation: Literal["auto", "eager", "sdpa", "flash_attention_2"] = _f(
        "auto", "attention kernel; auto lets transformers choose"
    )
    gradient_checkpointing: bool = _f(False, "recompute activations in backward to save memory")
    freeze_vision_tower: bool = _f(False, "keep the vision encoder (and merger) frozen")
    lora: LoraConfig = field(default_factory=LoraConfig)


@dataclass
class DataConfig:
    """Where prompts come from and how they are built."""

    train: str = _f(
        "synthetic:counting",
        "training rows: a local Parquet/JSON(L) file or folder, a HF dataset id, or synthetic:KIND "
        "(counting, geometry, charts) generated on the fly",
    )
    val: str | None = _f(None, "validation rows (same forms as train); none = a held-out synthetic split")
    split: str = _f("train", "split of the training source")
    val_split: str = _f("test", "split of the validation source")
    image_dir: str | None = _f(None, "folder that relative image paths are resolved against")
    column_map: dict = _f({}, "rename source columns to the row schema, e.g. {question: problem, label: answer}")
    prompt_template: str | None = _f(
        None, "Jinja template for the user turn ({{ problem }}, {{ choices }}); none = problem + format hint"
    )
    system_prompt: str | None = _f(None, "system message; none = the chat template's default")
    max_prompt_length: int = _f(1024, "drop prompts longer than this many tokens (image tokens counted)")
    min_pixels: int = _f(3136, "qwen-vl-utils min_pixels for image resizing")
    max_pixels: int = _f(401408, "qwen-vl-utils max_pixels for image resizing")
    video_fps: float = _f(2.0, "videos: frames per second to sample a video file at (and the rate of a frame list)")
    video_max_frames: int = _f(16, "videos: at most this many frames per video (a longer frame list is thinned)")
    video_max_pixels: int | None = _f(None, "videos: max_pixels per frame; none = data.max_pixels")
    max_image_pixels: int | None = _f(
        89_478_485, "skip rows with a source image of more pixels (width × height), counted as 'image too large "
        "(W×H)', before it is decoded; default = PIL's decompression-bomb threshold; none = no limit"
    )
    limit: int | None = _f(None, "use at most this many training rows")
    shuffle: bool = _f(True, "shuffle the training rows every epoch")
    synthetic_n: int = _f(512, "rows to generate for synthetic:KIND training sources")
    synthetic_val_n: int = _f(64, "rows to generate for the synthetic validation split")
    synthetic_difficulty: int = _f(1, "difficulty level of the synthetic generator (1 = easiest)")


@dataclass
class RolloutConfig:
    """Sampling G completions per prompt."""

    backend: Literal["hf", "vllm"] = _f("hf", "rollout engine: hf (transformers generate) or vllm (in-process)")
    n: int = _f(5, "G: completions sampled per prompt (the paper uses 5)")
    temperature: float = _f(1.0, "sampling temperature")
    top_p: float = _f(1.0, "nucleus sampling mass")
    top_k: int = _f(-1, "top-k sampling; -1 = off")
    max_new_tokens: int = _f(2048, "maximum response length in tokens")
    gpu_memory_utilization: float = _f(0.5, "vLLM: fraction of GPU memory for weights + KV cache")
    tensor_parallel_size: int = _f(1, "vLLM tensor parallelism")
    sleep_between_steps: bool = _f(True, "vLLM: release GPU memory during the update (GPU only)")
    batch_size: int = _f(64, "hf backend: prompts per generate call")
    shared_prefix: bool = _f(
        True, "hf backend: prefill each prompt and its images once and copy the KV cache to its n samples "
        "(same tokens and log-probs as num_return_sequences; docs/PERFORMANCE.md)")


@dataclass
class AlgorithmConfig:
    """Advantage estimation and the policy loss."""

    estimator: str = _f(
        "agrae", "advantage estimator: a name registered in mmagrae.algos.ESTIMATORS (grpo, dr_grpo, agrae, rloo, "
        "and the paper's controlled probes); checked against the registry in finalize()"
    )
    alpha: float = _f(0.5, "A-GRAE ASS threshold α ∈ (0, 1] (paper: 1 for MATH, 0.5 for Geo3K)")
    use_ddas: bool = _f(True, "A-GRAE: sample-level difficulty-driven scaling (Eq. 12)")
    use_ass: bool = _f(True, "A-GRAE: group-level asymmetric suppression of positives (Eq. 13)")
    std: Literal["population", "unbiased", "none"] = _f(
        "population", "group std that normalises rewards (paper: population); none = no division (Dr.GRPO)"
    )
    beta: float = _f(10.0, "controlled experiments: factor for positive/negative-dominant estimators")
    omega: float | None = _f(None, "fix the training state ω instead of the batch mean correctness")
    loss: Literal["grpo", "dapo", "dr_grpo"] = _f(
        "grpo", "policy-loss preset: aggregation, clipping and KL as in GRPO, DAPO or Dr.GRPO"
    )
    policy_loss: Literal["ppo", "gspo", "cispo", "gmpo", "sapo"] = _f(
        "ppo", "policy-loss function: ppo (clipped token ratio), gspo (sequence ratio, arXiv 2507.18071), cispo "
        "(clipped stop-gradient IS weight on log π, 2506.13585), gmpo (geometric mean of token ratios, "
        "2507.20673), sapo (soft sigmoid gate, 2511.20347); docs/ROLLOUT.md says which to pick"
    )
    clip_low: float | None = _f(
        None, "ratio clip below 1 (ε_low); none = the preset's for ppo, else the loss's own (gspo 3e-4, cispo 1 = "
        "no lower bound, gmpo 0.4 in log space)")
    clip_high: float | None = _f(
        None, "ratio clip above 1 (ε_high, DAPO clip-higher); none = the preset's for ppo, else the loss's own "
        "(gspo 4e-4, cispo 0.2, gmpo 0.4 in log space)")
    tau_pos: float = _f(1.0, "sapo: gate temperature τ₊ for positive advantages (paper: 1.0)")
    tau_neg: float = _f(1.05, "sapo: gate temperature τ₋ for negative advantages (paper: 1.05)")
    dual_clip: float | None = _f(None, "dual-clip constant c > 1 for negative advantages; none = off")
    loss_agg: Literal["preset", "token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] = _f(
        "preset",
        "token averaging: token-mean weighs every token equally (long answers weigh more); "
        "seq-mean-token-mean weighs sequences equally (long answers' tokens weigh less); "
        "seq-mean-token-sum-norm divides by a constant (Dr.GRPO, no length bias)",
    )
    kl_coef: float | None = _f(None, "weight of the KL-to-reference loss; none = the preset's; 0 = no reference")
    kl_type: Literal["k1", "k2", "k3"] = _f("k3", "KL estimator (k3 = low-variance, as in GRPO)")
    kl_clamp: float | None = _f(
        10.0, "bound on each token's KL estimate, ±kl_clamp (verl/EasyR1 clamp k3 at 10); none = unbounded")
    entropy_coef: float = _f(0.0, "entropy bonus weight (0 = off; entropy is logged either way)")
    ppo_epochs: int = _f(1, "μ: passes over each rollout batch")
    mini_batch_size: int = _f(0, "prompts per optimizer step within a rollout batch; 0 = the whole batch")
    micro_batch_size: int = _f(8, "sequences per forward/backward (gradient accumulation inside)")
    padding_free: bool = _f(
        True, "re-forward each micro-batch packed: one row per prompt group, the prompt once, no response padding "
        "(same log-probs; sdpa/eager attention, else padded; docs/PERFORMANCE.md)")
    dynamic_sampling: Literal["off", "drop", "refill"] = _f(
        "off", "zero-variance groups: keep (off), drop from the update, or drop and sample more prompts (DAPO)"
    )
    max_refill_rounds: int = _f(3, "refill: extra rollout rounds at most per step")
    dynamic_sampling_metric: Literal["accuracy", "reward"] = _f(
        "accuracy", "what must vary in a group for it to count as informative: accuracy (mixed correctness; an "
        "all-wrong group that differs only in format reward is dropped) or reward")
    rollout_is: Literal["off", "token", "sequence"] = _f(
        "off", "engine-trainer gap: multiply each token's loss by min(ρ, C), ρ = π_trainer/π_engine per token or "
        "per response (truncated importance sampling)")
    rollout_is_threshold: float = _f(2.0, "C > 1: the IS truncation and the rejection band [1/C, C]")
    rollout_rs: Literal["off", "token", "sequence"] = _f(
        "off", "engine-trainer gap: mask tokens (token) or whole responses (sequence) whose ratio lies outside "
        "[1/C, C]")


@dataclass
class RewardConfig:
    """Verifiable rewards."""

    accuracy_weight: float = _f(0.9, "weight of answer correctness (paper: 0.9)")
    format_weight: float = _f(0.1, "weight of the format reward (paper: 0.1)")
    format: Literal["think_answer", "answer", "boxed"] = _f(
        "answer", "expected response format: <think>..</think><answer>..</answer>, <answer>..</answer>, \\boxed{}"
    )
    function: str | None = _f(None, "a custom reward 'module:function' replacing the built-in ones")


@dataclass
class OptimConfig:
    """Optimizer and schedule."""

    lr: float = _f(1e-6, "peak learning rate (paper: 1e-6)")
    weight_decay: float = _f(0.0, "AdamW weight decay")
    betas: list = _f([0.9, 0.999], "AdamW betas")
    eps: float = _f(1e-8, "AdamW epsilon")
    scheduler: Literal["constant", "cosine", "linear"] = _f("constant", "learning-rate schedule after warm-up")
    warmup_steps: int = _f(0, "linear warm-up steps")
    max_grad_norm: float = _f(1.0, "gradient clipping norm; 0 = off")


@dataclass
class TrainerConfig:
    """The loop: steps, batches, checkpoints."""

    output_dir: str = _f("runs/default", "run folder: checkpoints, metrics.jsonl, TensorBoard, plots")
    max_steps: int = _f(100, "RL steps to run")
    prompts_per_step: int = _f(8, "B: prompts sampled per step (paper: 512)")
    seed: int = _f(0, "seed for data order, sampling and initialisation")
    device: Literal["auto", "cpu", "cuda"] = _f("auto", "training device")
    save_every: int = _f(50, "checkpoint every N steps (0 = only at the end)")
    keep_last: int = _f(2, "checkpoints to keep")
    resume: str = _f("auto", "auto = continue from the latest checkpoint in output_dir; never; or a path")
    eval_every: int = _f(0, "validate every N steps (0 = only before and after training)")
    val_limit: int = _f(64, "validation prompts at most")
    max_bad_steps: int = _f(3, "abort after this many consecutive steps with a NaN/inf loss")
    warm_start_steps: int = _f(0, "supervised steps on gold answers before RL (for tiny random models)")
    warm_start_lr: float = _f(1e-3, "learning rate of the supervised warm start")


@dataclass
class DistributedConfig:
    """Scale-out."""

    deepspeed: str | None = _f(None, "DeepSpeed JSON (configs/deepspeed/zero2.json, zero3.json, ...); none = plain torch")
    backend: Literal["auto", "nccl", "gloo"] = _f("auto", "torch.distributed backend; auto = nccl on GPU, gloo on CPU")


@dataclass
class LoggingConfig:
    """Where metrics go."""

    log_every: int = _f(1, "write metrics every N steps")
    tensorboard: bool = _f(True, "write TensorBoard event files under output_dir/tb")
    wandb: bool = _f(False, "log to Weights & Biases (needs `pip install wandb` and a login)")
    wandb_project: str = _f("mmagrae", "wandb project")
    progress_bar: bool = _f(True, "show a tqdm progress bar on the console")


@dataclass(frozen=True)
class Derived:
    """Values computed once from the other sections by :func:`finalize`; read-only, never set from YAML."""

    mini_batch_prompts: int = _f(0, "prompts per optimizer step: algorithm.mini_batch_size, or B when it is 0")
    optimizer_steps_per_rl_step: int = _f(1, "ppo_epochs × (B / mini_batch_prompts): the schedule's step unit")
    clip_low: float = _f(0.2, "ε_low: algorithm.clip_low, or the loss preset's")
    clip_high: float = _f(0.2, "ε_high: algorithm.clip_high, or the loss preset's")
    loss_agg: str = _f("token-mean", "token aggregation: algorithm.loss_agg, or the loss preset's")
    kl_coef: float = _f(0.0, "KL weight: algorithm.kl_coef, or the loss preset's")
    needs_old_logp: bool = _f(False, "old log-probs must be computed (μ > 1 or several mini-batches per step)")
    needs_reference: bool = _f(False, "a frozen reference model is loaded (kl_coef > 0)")


@dataclass
class Config:
    """The whole run. Sections mirror the YAML files in configs/."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    algorithm: AlgorithmConfig = field(default_factory=AlgorithmConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    distributed: DistributedConfig = field(default_factory=DistributedConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    derived: Derived = field(default_factory=Derived, metadata={"help": "computed by finalize(); not settable"})


# --------------------------------------------------------------------------- merging


def _is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check/convert ``value`` to the annotated type ``tp``; raise ConfigError naming ``key``."""
    origin = typing.get_origin(tp)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if isinstance(value, bool) and ("off" if not value else "on") in allowed:
            value = "off" if not value else "on"  # YAML 1.1 reads a bare off/on as a boolean
        if value not in allowed:
            names = ", ".join(repr(a) for a in allowed)
            raise ConfigError(f"config key '{key}' = {value!r} is not allowed; allowed values: {names}")
        return value
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            if type(None) in typing.get_args(tp):
                return None
        errors = []
        for arg in args:
            try:
                return _coerce(value, arg, key)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0] if errors else f"config key '{key}': bad value {value!r}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"config key '{key}' expects true or false, got {value!r}")
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ConfigError(f"config key '{key}' expects an integer, got {value!r}")
        try:
            as_float = float(value)
        except ValueError:
            raise ConfigError(f"config key '{key}' expects an integer, got {value!r}") from None
        if not as_float.is_integer():
            raise ConfigError(f"config key '{key}' expects an integer, got {value!r}")
        return int(as_float)
    if tp is float:
        if isinstance(value, bool):
            raise ConfigError(f"config key '{key}' expects a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"config key '{key}' expects a number, got {value!r}") from None
    if tp is str:
        if isinstance(value, (dict, list)):
            raise ConfigError(f"config key '{key}' expects a string, got {value!r}")
        return str(value)
    if tp in (list, dict) or origin in (list, dict):
        want = origin or tp
        if not isinstance(value, want):
            raise ConfigError(f"config key '{key}' expects a {want.__name__}, got {value!r}")
        return value
    return value


def _merge(obj: Any, updates: dict, prefix: str) -> None:
    """Merge a nested dict into a dataclass instance in place, validating keys and types."""
    hints = typing.get_type_hints(type(obj), include_extras=False)
    names = [f.name for f in dataclasses.fields(obj) if f.name != "derived"]
    for key, value in updates.items():
        path = f"{prefix}{key}"
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.6)
            hint = (
                "; did you mean " + " or ".join(f"'{prefix}{c}'" for c in close) + "?"
                if close
                else f"; valid keys{' in ' + repr(prefix[:-1]) if prefix else ''}: {', '.join(names)}"
            )
            raise ConfigError(f"unknown config key '{path}'{hint}")
        tp = hints[key]
        if _is_dataclass_type(tp):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{path}' is a section; give a mapping of its keys, got {value!r}")
            _merge(getattr(obj, key), value, path + ".")
        else:
            setattr(obj, key, _coerce(value, tp, path))


def parse_overrides(overrides: list[str]) -> dict:
    """``["a.b=1", "c.d=[1, 2]"]`` → ``{"a": {"b": 1}, "c": {"d": [1, 2]}}`` (values read as YAML scalars)."""
    tree: dict = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like section.key=value")
        dotted, raw = item.split("=", 1)
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            raise ConfigError(f"override {item!r}: the value is not valid YAML") from None
        node = tree
        parts = dotted.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r} conflicts with another override")
        node[parts[-1]] = value
    return tree


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Defaults ← YAML file ← overrides, then :func:`finalize`."""
    cfg = Config()
    if path is not None:
        from mmagrae.preflight import read_text

        text = read_text(path, "config file")
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as err:  # name the file, not "<unicode string>"
            mark = getattr(err, "problem_mark", None)
            where = f": line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise ConfigError(f"{path}{where}: YAML syntax error ({problem})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of sections")
        _merge(cfg, data, "")
    if overrides:
        _merge(cfg, parse_overrides(overrides), "")
    return finalize(cfg)


def finalize(cfg: Config) -> Config:
    """Check cross-field constraints and compute derived values, in one place."""
    a, r, t, o = cfg.algorithm, cfg.rollout, cfg.trainer, cfg.optim

    def bad(key: str, msg: str) -> None:
        raise ConfigError(f"config key '{key}': {msg}")

    if not 0.0 < a.alpha <= 1.0:
        bad("algorithm.alpha", f"must be in (0, 1], got {a.alpha}")
    if a.omega is not None and not 0.0 <= a.omega <= 1.0:
        bad("algorithm.omega", f"must be in [0, 1], got {a.omega}")
    if r.n < 1:
        bad("rollout.n", f"must be ≥ 1, got {r.n}")
    if r.n < 2 and a.estimator != "rloo":
        bad("rollout.n", f"group-relative estimators need ≥ 2 samples per prompt, got {r.n}")
    if r.n < 2 and a.estimator == "rloo":
        bad("rollout.n", "rloo needs ≥ 2 samples per prompt")
    if r.temperature <= 0:
        bad("rollout.temperature", f"must be > 0 for RL sampling, got {r.temperature}")
    if not 0 < r.top_p <= 1:
        bad("rollout.top_p", f"must be in (0, 1], got {r.top_p}")
    if r.max_new_tokens < 1:
        bad("rollout.max_new_tokens", "must be ≥ 1")
    if cfg.data.max_image_pixels is not None and cfg.data.max_image_pixels < 1:
        bad("data.max_image_pixels", f"must be ≥ 1 (or none), got {cfg.data.max_image_pixels}")
    if cfg.data.video_fps <= 0 or cfg.data.video_max_frames < 2:
        bad("data.video_fps" if cfg.data.video_fps <= 0 else "data.video_max_frames",
            f"must be > 0 and ≥ 2, got {cfg.data.video_fps} and {cfg.data.video_max_frames}")
    if t.prompts_per_step < 1:
        bad("trainer.prompts_per_step", "must be ≥ 1")
    if t.max_steps < 0:
        bad("trainer.max_steps", "must be ≥ 0")
    if o.lr <= 0:
        bad("optim.lr", f"must be > 0, got {o.lr}")
    if len(o.betas) != 2:
        bad("optim.betas", f"needs two numbers, got {o.betas}")
    if a.ppo_epochs < 1:
        bad("algorithm.ppo_epochs", "must be ≥ 1")
    if a.micro_batch_size < 1:
        bad("algorithm.micro_batch_size", "must be ≥ 1")
    if a.mini_batch_size < 0 or a.mini_batch_size > t.prompts_per_step:
        bad("algorithm.mini_batch_size", f"must be in [0, trainer.prompts_per_step={t.prompts_per_step}]")
    if a.mini_batch_size and t.prompts_per_step % a.mini_batch_size:
        bad("algorithm.mini_batch_size", f"must divide trainer.prompts_per_step={t.prompts_per_step}")
    if a.dual_clip is not None and a.dual_clip <= 1.0:
        bad("algorithm.dual_clip", f"must be > 1 (or none), got {a.dual_clip}")
    if a.dual_clip is not None and a.policy_loss != "ppo":
        bad("algorithm.dual_clip", f"applies to policy_loss=ppo only, got policy_loss={a.policy_loss}")
    for key in ("kl_coef", "clip_low", "clip_high", "entropy_coef"):
        value = getattr(a, key)
        if value is not None and value < 0:
            bad(f"algorithm.{key}", f"must be ≥ 0, got {value}")
    if a.kl_clamp is not None and a.kl_clamp <= 0:
        bad("algorithm.kl_clamp", f"must be > 0 (or none = unbounded), got {a.kl_clamp}")
    for key in ("tau_pos", "tau_neg"):
        if getattr(a, key) <= 0:
            bad(f"algorithm.{key}", f"must be > 0, got {getattr(a, key)}")
    if a.rollout_is_threshold <= 1.0:
        bad("algorithm.rollout_is_threshold", f"must be > 1, got {a.rollout_is_threshold}")
    if a.policy_loss == "gmpo" and a.loss_agg != "preset":
        bad("algorithm.loss_agg", "gmpo averages one geometric-mean ratio per response; leave loss_agg at preset")
    w = cfg.reward
    if w.function is None and w.accuracy_weight + w.format_weight <= 0:
        bad("reward.accuracy_weight", "accuracy_weight + format_weight must be > 0")
    if w.function is not None and ":" not in w.function:
        bad("reward.function", f"must look like 'package.module:function', got {w.function!r}")
    if cfg.distributed.deepspeed is not None and not Path(cfg.distributed.deepspeed).is_file():
        bad("distributed.deepspeed", f"file not found: {cfg.distributed.deepspeed}")
    if cfg.model.lora.enabled and cfg.model.lora.r < 1:
        bad("model.lora.r", "must be ≥ 1")

    # derived values
    from mmagrae.algos.advantages import ESTIMATORS
    from mmagrae.algos.losses import LOSS_PRESETS, POLICY_LOSS_DEFAULTS

    if a.estimator not in ESTIMATORS:  # the registry is the one list of names
        names = ", ".join(repr(n) for n in ESTIMATORS)
        raise ConfigError(f"config key 'algorithm.estimator' = {a.estimator!r} is not allowed; allowed values: {names}")
    preset = dict(LOSS_PRESETS[a.loss])
    if a.policy_loss != "ppo":  # the loss's own clip range and aggregation; the preset keeps its KL
        preset.update(POLICY_LOSS_DEFAULTS[a.policy_loss])
    mini = a.mini_batch_size or t.prompts_per_step
    kl_coef = a.kl_coef if a.kl_coef is not None else float(preset.get("kl_coef", 0.0))
    cfg.derived = Derived(
        mini_batch_prompts=mini,
        optimizer_steps_per_rl_step=a.ppo_epochs * (t.prompts_per_step // mini),
        clip_low=a.clip_low if a.clip_low is not None else float(preset.get("clip_low", 0.2)),
        clip_high=a.clip_high if a.clip_high is not None else float(preset.get("clip_high", 0.2)),
        loss_agg=a.loss_agg if a.loss_agg != "preset" else str(preset.get("agg", "token-mean")),
        kl_coef=kl_coef,
        needs_old_logp=a.ppo_epochs > 1 or mini < t.prompts_per_step,
        needs_reference=kl_coef > 0,
    )
    return cfg


def to_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def dump_yaml(cfg: Config) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False, allow_unicode=True)


def iter_help(obj: Any = None, prefix: str = "") -> typing.Iterator[tuple[str, Any, str]]:
    """Yield ``(dotted_key, default, help)`` for every field."""
    obj = Config() if obj is None else obj
    for f in dataclasses.fields(obj):
        if f.name == "derived":
            continue
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from iter_help(value, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", value, f.metadata.get("help", "")


# --------------------------------------------------------------------------- CLI


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "config",
        help="print the resolved config (defaults ← YAML ← key=value overrides)",
        description="Resolve and print a config: defaults ← CONFIG.yaml ← section.key=value overrides.",
    )
    p.add_argument("config", nargs="?", help="YAML config file (optional)")
    p.add_argument("overrides", nargs="*", help="section.key=value overrides")
    p.add_argument("--help-keys", action="store_true", help="list every key with its default and help")
    p.set_defaults(func=_cli)


def config_from_cli(config: str | None, overrides: list[str]) -> Config | None:
    """``CONFIG.yaml key=value ...`` from a command line → a Config, or None after printing the error.

    The YAML file is optional: a first argument that contains ``=`` and is not a file is an override.
    """
    import sys

    path, overrides = config, list(overrides)
    if path is not None and "=" in path and not Path(path).exists():
        path, overrides = None, [path, *overrides]
    try:
        return load_config(path, overrides)
    except (ConfigError, FileNotFoundError, ValueError) as err:  # UserError is a ValueError
        from mmagrae.preflight import debug_enabled

        if debug_enabled():
            raise
        print(f"error: {err}", file=sys.stderr)
        return None


def _cli(args: Any) -> int:
    if args.help_keys:
        for key, default, help_text in iter_help():
            print(f"{key} = {default!r}\n    {help_text}")
        return 0
    cfg = config_from_cli(args.config, args.overrides)
    if cfg is None:
        return 2
    print(dump_yaml(cfg), end="")
    return 0

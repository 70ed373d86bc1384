"""``mmagrae train CONFIG.yaml [section.key=value ...]`` — the product's main job."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train", help="RL fine-tuning with A-GRAE / GRPO / DAPO / Dr.GRPO",
        description="Train a policy: defaults ← CONFIG.yaml ← section.key=value overrides. The config is "
                    "validated before any model loads. Multi-GPU: torchrun --nproc-per-node K -m mmagrae train ... "
                    "or deepspeed --num_gpus K -m mmagrae train ... with distributed.deepspeed=configs/deepspeed/zero2.json.")
    p.add_argument("config", nargs="?", help="YAML config (optional: embedded defaults train a tiny model)")
    p.add_argument("overrides", nargs="*", help="section.key=value overrides, e.g. trainer.max_steps=20")
    p.add_argument("--local_rank", "--local-rank", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mmagrae.config import config_from_cli

    cfg = config_from_cli(args.config, args.overrides)
    if cfg is None:
        return 2
    from mmagrae.trainer.loop import TrainingAborted, train

    try:
        result = train(cfg)
    except TrainingAborted as err:
        print(f"error: training aborted: {err}", file=sys.stderr)
        return 3
    final = result.get("final_eval") or {}
    print(f"[train] done: {result['output_dir']}" + (f" | validation accuracy {final['eval/accuracy']:.3f}" if final else ""),
          file=sys.stderr)
    return 0

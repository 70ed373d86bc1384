"""Shared pytest fixtures.

``fixtures_dir``: the project's read-only real-data fixtures (``../shared/fixtures`` beside the checkout), found
through ``MMAGRAE_FIXTURES`` which ``.ci/run`` and ``scripts/test.sh`` set. They are never copied into the repo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _fixtures_path() -> Path:
    env = os.environ.get("MMAGRAE_FIXTURES")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    path = _fixtures_path()
    if not path.is_dir():
        raise FileNotFoundError(
            f"test fixtures not found at {path}; set MMAGRAE_FIXTURES to the shared/fixtures folder"
        )
    return path


# Tiny random-weight models (mmagrae.models.tiny), built once per test session into a temporary folder.


def _tiny_model(tmp_path_factory: pytest.TempPathFactory, arch: str) -> Path:
    from mmagrae.models.tiny import build_tiny_model

    return build_tiny_model(arch, tmp_path_factory.mktemp(f"tiny_{arch}"), seed=0)


@pytest.fixture(scope="session")
def tiny_qwen2_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Qwen2-VL model directory (model, processor, tokenizer, generation config)."""
    return _tiny_model(tmp_path_factory, "qwen2_vl")


@pytest.fixture(scope="session")
def tiny_qwen2_5_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Qwen2.5-VL model directory."""
    return _tiny_model(tmp_path_factory, "qwen2_5_vl")


@pytest.fixture(scope="session")
def tiny_qwen3_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Qwen3-VL model directory (16-pixel patches, DeepStack, interleaved M-RoPE)."""
    return _tiny_model(tmp_path_factory, "qwen3_vl")


@pytest.fixture(scope="session")
def tiny_qwen3_5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Qwen3.5 model directory (gated-DeltaNet and gated full-attention layers)."""
    return _tiny_model(tmp_path_factory, "qwen3_5")


@pytest.fixture(scope="session")
def tiny_idefics3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Idefics3 (SmolVLM family: SigLIP-style vision, Llama decoder) model directory."""
    return _tiny_model(tmp_path_factory, "idefics3")


@pytest.fixture(scope="session")
def tiny_qwen2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a tiny random Qwen2 (text-only) model directory."""
    return _tiny_model(tmp_path_factory, "qwen2")


@pytest.fixture(scope="session")
def tiny_vllm_engine(request: pytest.FixtureRequest):
    """``get(arch) -> VLLMEngine`` for ``"qwen2_vl" | "qwen2_5_vl" | "qwen3_vl" | "idefics3" | "qwen2"``: one in-process vLLM per tiny model
    and session (start-up is the slow part; instances coexist). Tests that change weights must sync them back."""
    engines: dict[str, object] = {}

    def get(arch: str):
        from vllm.distributed import parallel_state

        if parallel_state._PP is None:  # a test's own engine tore down vLLM's process groups: start afresh
            engines.clear()
        if arch not in engines:
            from mmagrae.rollout import build_engine

            path = request.getfixturevalue(f"tiny_{arch}")
            engines[arch] = build_engine("vllm", path, dtype="float32", max_model_len=512, max_num_seqs=32,
                                         seed=0)
        return engines[arch]

    return get


@pytest.fixture(scope="module")
def single_thread_torch():
    """Run a module's tiny-model work on one torch thread (restored afterwards). On the shared 2-core CPU
    machines, 2 OpenMP threads make the tiny models' small matmuls 10-100x slower (threads spin while the
    other core is busy); one thread is never slower for ~1M-parameter models."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

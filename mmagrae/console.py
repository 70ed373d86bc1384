"""What a person reads on the console: our own lines, not the libraries' per-call progress bars."""

from __future__ import annotations

import os


def quiet_libraries() -> None:
    """Silence transformers' "Loading weights" / "Writing model shards" bars and advisory warnings, the Hub's
    download bars, ``datasets``' map/cast bars and, without a GPU, DeepSpeed's accelerator notice (errors still
    show). Call before a model or dataset loads."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "DS_ACCELERATOR" not in os.environ:  # DeepSpeed's "Setting accelerator to CPU" warning on every import
        import torch

        if not torch.cuda.is_available():
            os.environ["DS_ACCELERATOR"] = "cpu"
    try:
        import transformers

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass
    try:
        import datasets

        datasets.disable_progress_bars()
    except ImportError:  # pragma: no cover - datasets is a dependency
        pass

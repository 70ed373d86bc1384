"""Peak memory of a block of code, for the per-phase ``perf/peak_mem_mib/<phase>`` metrics.

- CUDA: ``torch.cuda.max_memory_allocated`` after ``reset_peak_memory_stats`` (the allocator's peak, MiB).
- CPU (Linux): the process's resident-set high-water mark ``VmHWM`` from ``/proc/self/status``, reset at the
  start of the block by writing ``5`` to ``/proc/self/clear_refs`` (Linux ≥ 4.0). No sampling thread, no
  tracing: two small file operations per block. The figure is the whole process's peak resident memory during
  the block (weights, optimizer state and caches included), not the growth.
- Elsewhere (no ``/proc``): ``resource.getrusage`` ``ru_maxrss``, the peak since the process started (it cannot
  be reset, so later phases report at least the earlier peak).

Example::

    with measure_peak(device) as peak:
        engine.generate(...)
    peak.mib  # e.g. 812.4
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_CLEAR_REFS = "/proc/self/clear_refs"
_STATUS = "/proc/self/status"


@dataclass
class Peak:
    """Result of :func:`measure_peak`: ``mib`` is filled when the block ends (0.0 if it could not be read)."""

    mib: float = 0.0


def _hwm_mib() -> float | None:
    try:
        with open(_STATUS) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB -> MiB
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        with open(_CLEAR_REFS, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss_mib() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, kB on Linux


def _cuda_device(device: Any) -> Any:
    import torch

    if device is None:  # the current CUDA device once CUDA is in use, else the CPU
        in_use = torch.cuda.is_available() and torch.cuda.is_initialized()
        return torch.device("cuda", torch.cuda.current_device()) if in_use else None
    device = torch.device(device)
    return device if device.type == "cuda" and torch.cuda.is_available() else None


@contextlib.contextmanager
def measure_peak(device: Any = None) -> Iterator[Peak]:
    """Measure the peak memory (MiB) while the block runs on ``device`` (a ``torch.device`` or string; None = the
    current CUDA device when CUDA is in use, else the CPU process)."""
    import torch

    peak = Peak()
    cuda = _cuda_device(device)
    if cuda is not None:
        torch.cuda.reset_peak_memory_stats(cuda)
    else:
        resettable = _reset_hwm()
    try:
        yield peak
    finally:
        if cuda is not None:
            peak.mib = torch.cuda.max_memory_allocated(cuda) / 2**20
        else:
            hwm = _hwm_mib() if resettable else None
            peak.mib = hwm if hwm is not None else _maxrss_mib()

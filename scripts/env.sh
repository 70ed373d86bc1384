# Environment shared by the project's scripts (sourced, not run).
# Real-data test fixtures live in ../shared/fixtures beside the checkout unless MMAGRAE_FIXTURES says otherwise.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MMAGRAE_FIXTURES="${MMAGRAE_FIXTURES:-$(cd "$_root/.." && pwd)/shared/fixtures}"
# No model hub here: never try to reach it.
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export HF_HUB_DISABLE_TELEMETRY=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
# DeepSpeed compiles its ops on first use (~1 min); keep them across runs and clones.
export TORCH_EXTENSIONS_DIR="${TORCH_EXTENSIONS_DIR:-$HOME/.cache/mmagrae/torch_extensions}"
export TOKENIZERS_PARALLELISM=false
# One intra-op thread: the tiny CPU models gain nothing from more, and OpenMP threads that spin-wait collapse
# throughput (measured 0.7 s vs 146 s per demo step) whenever anything else runs on a 2-core machine.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

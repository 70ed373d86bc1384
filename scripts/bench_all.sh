#!/usr/bin/env bash
# All benchmarks against the peers, with quick settings, one after another (limit: 20 minutes on 2 idle cores):
#   train          mmagrae's trainer vs TRL's GRPOTrainer, tiny 1M Qwen2-VL, 8 x 4 x 32   (bench_train.py, samples/s)
#   rollout        vLLM vs transformers generate, tiny Qwen2-VL, 8 x 4 x 48           (bench_rollout.py, tokens/s)
#   verifiers      mmagrae.verifiers vs math-verify                   (scripts/bench_verifiers.py, verdicts/s)
#   eval           MathVista rules-mode scoring vs math-verify        (scripts/bench_eval.py, items/s)
#   train_large    as train on a 32M Qwen2-VL, 448² images, 8 x 4 x 128, bf16 where the CPU has it
#   rollout_large  as rollout on the same model and shape (scripts/bench_large.py describes it)
#   gold_groups    verdicts for groups of G responses sharing an expression gold vs math-verify (verdicts/s)
#   media_batch    video batch building, processor once per prompt vs per sequence (bench_media_batch.py, s; ratio peer/ours)
# Every JSON line carries both sides' peak memory (*_peak_mib) and ends with the ratio ours / peer.
# Each bench's full output goes to $BENCH_DIR/<name>.log (default: a temporary folder); this script prints each
# bench's last line, the JSON {"name": ..., "ours": ..., "peer": ..., "ratio": ..., "unit": ...}, on stdout,
# and a one-line summary per bench on stderr. Exit status: the number of benches that failed.
#   bash scripts/bench_all.sh                     # quick settings
#   BENCH_FULL=1 bash scripts/bench_all.sh        # each bench's own defaults (longer)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
PY="${PYTHON:-$root/.venv/bin/python}"
out="${BENCH_DIR:-$(mktemp -d -t mmagrae_bench.XXXXXX)}"
mkdir -p "$out"

if [ -n "${BENCH_FULL:-}" ]; then
  train_args=() rollout_args=() verifiers_args=() eval_args=()
  train_large_args=(--shape large --no-vllm)
  rollout_large_args=(--shape large)
else
  train_args=(--rounds 3 --steps 6 --warmup 1)
  rollout_args=(--repeats 1)
  verifiers_args=(--generated 300)
  eval_args=(--repeats 1)
  train_large_args=(--shape large --rounds 2 --steps 1 --warmup 1 --no-vllm)
  rollout_large_args=(--shape large --repeats 1)
fi

failed=0
run() {
  local name="$1"; shift
  local start=$SECONDS
  if "$PY" "$@" >"$out/$name.stdout" 2>"$out/$name.log"; then
    local line
    line="$(tail -n 1 "$out/$name.stdout")"
    echo "$line"
    echo "[bench_all] $name: $((SECONDS - start)) s" >&2
  else
    echo "[bench_all] $name FAILED after $((SECONDS - start)) s; see $out/$name.log" >&2
    tail -n 5 "$out/$name.log" >&2
    failed=$((failed + 1))
  fi
}

total=$SECONDS
run train scripts/bench_train.py "${train_args[@]}"
run rollout scripts/bench_rollout.py "${rollout_args[@]}"
run verifiers scripts/bench_verifiers.py "${verifiers_args[@]}"
run eval scripts/bench_eval.py "${eval_args[@]}"
run train_large scripts/bench_train.py "${train_large_args[@]}"
run rollout_large scripts/bench_rollout.py "${rollout_large_args[@]}"
run gold_groups scripts/bench_gold_groups.py --repeats 1
run media_batch scripts/bench_media_batch.py --arch qwen2_vl
echo "[bench_all] all benches: $((SECONDS - total)) s; logs in $out" >&2
exit "$failed"

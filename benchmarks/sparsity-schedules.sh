#!/usr/bin/env bash
# Sparsity-schedule benchmark (issue #5): from one trained model, sparse-train under each schedule with the same
# automatic strength, epochs and seed; evaluate every epoch; then prune every result at the same ratio and
# evaluate it before any fine-tuning ("equal sparsity").
# usage: benchmarks/sparsity-schedules.sh CFG WEIGHTS VOCDIR OUTDIR [EPOCHS] [RATIO]
set -euo pipefail
cfg=$1 weights=$2 data=$3 out=$4 epochs=${5:-4} ratio=${6:-0.5}
es=${EDGESLIM:-"$(dirname "$0")/../edgeslim"}
mkdir -p "$out"
for schedule in constant dynamic linear; do
  run="$out/sparse-$schedule"
  if [ ! -f "$run/summary.json" ]; then
    resume=(); [ -d "$run/checkpoints" ] && resume=(--resume)
    "$es" sparse-train --cfg "$cfg" --weights "$weights" --data "$data" --out "$run" --schedule "$schedule" \
      --epochs "$epochs" --lr 0.002 --burn-in 50 --eval-every 1 --seed 11 --quiet --json "${resume[@]}" \
      > "$run.json.tmp" && mkdir -p "$run" && mv "$run.json.tmp" "$run/summary.json"
  fi
  "$es" prune --cfg "$run/model.cfg" --weights "$run/final.weights" --ratio "$ratio" --out "$out/pruned-$schedule" --force \
    --json > "$out/pruned-$schedule.json"
  "$es" eval --cfg "$out/pruned-$schedule/pruned.cfg" --weights "$out/pruned-$schedule/pruned.weights" \
    --data "$data" --quiet --json > "$out/pruned-$schedule-eval.json"
done

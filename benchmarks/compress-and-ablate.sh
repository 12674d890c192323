#!/usr/bin/env bash
# Compression benchmark (issues #5, #6): compress a trained model with the default pipeline (dynamic sparse
# training with automatic strength -> group pruning to a parameter target, shared among the groups by one |γ|
# threshold -> attention distillation) and, unless ABLATION=0, in the same run (--ablation) the same pruned model
# fine-tuned WITHOUT distillation, same epochs, learning rate and seed. Both are rows of OUT/compress/report.md.
# usage: benchmarks/compress-and-ablate.sh CFG WEIGHTS VOCDIR OUTDIR [SPARSE_EPOCHS] [FINETUNE_EPOCHS] [TARGET_PARAMS] [REACH] [ALLOCATION]
# the threshold-allocation run (baseline: 32 epochs): ... 4 12 0.66 1.0 threshold   (ABLATION=0; the ablation added after)
# the earlier common-quantile run:              ... 4 8 0.66 1.0 quantile
set -euo pipefail
cfg=$1 weights=$2 data=$3 out=$4 sparse=${5:-4} finetune=${6:-12} target=${7:-0.66} reach=${8:-1.0}
allocation=${9:-threshold}
es=${EDGESLIM:-"$(dirname "$0")/../edgeslim"}
ablation=()
[ "${ABLATION:-1}" = 0 ] || ablation=(--ablation)
mkdir -p "$out"
# re-running resumes: compress skips finished stages and continues an interrupted one from its checkpoint;
# --ablation can be added to a finished run (it is not part of the run's recorded options)
"$es" compress --cfg "$cfg" --weights "$weights" --data "$data" --out "$out/compress" --sparse-epochs "$sparse" \
  --finetune-epochs "$finetune" --reach "$reach" --target-params "$target" --allocation "$allocation" --seed 11 \
  --eval-every 2 "${ablation[@]}" --quiet

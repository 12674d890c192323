#!/usr/bin/env bash
# Compression benchmark (issues #5, #6): compress a trained model with the default pipeline (dynamic sparse
# training with automatic strength -> group pruning to a parameter target -> attention distillation), then the
# ablation: the same pruned model fine-tuned WITHOUT distillation, same epochs, learning rate and seed.
# usage: benchmarks/compress-and-ablate.sh CFG WEIGHTS VOCDIR OUTDIR [SPARSE_EPOCHS] [FINETUNE_EPOCHS] [TARGET_PARAMS]
set -euo pipefail
cfg=$1 weights=$2 data=$3 out=$4 sparse=${5:-3} finetune=${6:-4} target=${7:-0.66}
es=${EDGESLIM:-"$(dirname "$0")/../edgeslim"}
mkdir -p "$out"
# re-running resumes: compress skips finished stages and continues an interrupted one from its checkpoint
"$es" compress --cfg "$cfg" --weights "$weights" --data "$data" --out "$out/compress" --sparse-epochs "$sparse" \
  --finetune-epochs "$finetune" --target-params "$target" --seed 11 --quiet
plain="$out/ablation-plain-finetune"
resume=(); [ -d "$plain/checkpoints" ] && resume=(--resume)
"$es" distill --cfg "$out/compress/2-prune/pruned.cfg" --weights "$out/compress/2-prune/pruned.weights" \
  --no-attention --data "$data" --out "$plain" --epochs "$finetune" --eval-every "$finetune" --lr 0.002 \
  --burn-in 50 --seed 11 --quiet --json "${resume[@]}" > "$out/ablation-plain-finetune.json"

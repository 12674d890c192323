#!/usr/bin/env bash
# Training from darknet's dataset format equals training from the VOCdevkit: the learning benchmark of
# docs/measurements.md (YOLOv4-tiny at 224, synthetic VOC 2000/500 at 280 px, seed 11; batch 8, lr 0.005, burn-in
# 200, evaluated every 4 epochs) run twice with the same seed, once with --data VOCDIR and once with --data
# VOCDIR/obj.data (written beside the devkit by `synth-voc --format darknet`), each with one TF thread so that
# both are deterministic. The step lines of the two metrics.jsonl files (timing fields removed) must agree line by
# line, the same losses at every step, and the two final.weights must be the same bytes, so every evaluation of
# them is the same. The in-training evaluations are printed but not compared: darknet's format cannot mark a
# difficult object, so the darknet valid list scores the synthetic VOC's difficult objects, which VOC07 ignores.
#   1. synthetic VOC in both layouts (skipped when complete)
#   2. the two trainings, side by side (each resumes from its checkpoint)
#   3. OUT/compare.txt: identical steps and weights, or the first difference; exit 1 if they differ
# Cost on a 2-core machine: ~4 min per epoch for each of the two runs side by side.
# usage: benchmarks/darknet-format-parity.sh OUTDIR [EPOCHS=16]
set -euo pipefail
out=$1 epochs=${2:-16}
here=$(cd "$(dirname "$0")" && pwd)
es=${EDGESLIM:-"$here/../edgeslim"}
mkdir -p "$out"
start=$(date +%s)

grep -q '"complete" *: *true' "$out/voc/VOC2007/synth-voc.json" 2>/dev/null || "$es" synth-voc --out "$out/voc" \
  --train 2000 --test 500 --size 280 --seed 11 --format darknet --force --quiet
[ -f "$out/yolov4-tiny.cfg" ] || "$es" create-model --arch yolov4-tiny --classes 20 --size 224 \
  --out "$out/yolov4-tiny.cfg"

train() { # NAME DATA
  local resume=()
  [ -d "$out/$1/checkpoints" ] && resume=(--resume)
  "$es" train --cfg "$out/yolov4-tiny.cfg" --data "$2" --out "$out/$1" --epochs "$epochs" --batch 8 --lr 0.005 \
    --burn-in 200 --eval-every 4 --seed 1 --threads 1 --quiet "${resume[@]}"
}
train from-voc "$out/voc" > "$out/from-voc.log" 2>&1 &
voc=$!
train from-darknet "$out/voc/obj.data" > "$out/from-darknet.log" 2>&1 &
darknet=$!
wait "$voc" "$darknet"

# steps without the fields that measure time
strip() { grep -E '"type":"step"' "$1" | sed -E 's/"(images_per_s|seconds|eval_seconds)":[^,}]*,?//g'; }
strip "$out/from-voc/metrics.jsonl" > "$out/from-voc.lines"
strip "$out/from-darknet/metrics.jsonl" > "$out/from-darknet.lines"
{
  echo "steps: $(wc -l < "$out/from-voc.lines") (VOCdevkit), $(wc -l < "$out/from-darknet.lines") (darknet .data)"
  grep '"results"' "$out/from-voc/metrics.jsonl" | sed 's/^/VOCdevkit test: /'
  grep '"results"' "$out/from-darknet/metrics.jsonl" | sed 's/^/darknet valid:  /'
  if cmp -s "$out/from-voc.lines" "$out/from-darknet.lines"; then
    echo "steps identical"
  else
    echo "steps DIFFERENT; first difference:"
    diff "$out/from-voc.lines" "$out/from-darknet.lines" | head -4
  fi
  if cmp -s "$out/from-voc/final.weights" "$out/from-darknet/final.weights"; then
    echo "final.weights identical: $(sha256sum < "$out/from-voc/final.weights" | cut -c1-16)"
  else
    echo "final.weights DIFFERENT"
  fi
  echo "wall time: $(( $(date +%s) - start )) s"
} | tee "$out/compare.txt"
grep -q '^steps identical$' "$out/compare.txt" && grep -q '^final.weights identical' "$out/compare.txt"

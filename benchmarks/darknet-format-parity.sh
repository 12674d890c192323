#!/usr/bin/env bash
# Training from darknet's dataset format equals training from the VOCdevkit: the learning benchmark of
# docs/measurements.md (YOLOv4-tiny at 224, synthetic VOC 2000/500 at 280 px, seed 11; batch 8, lr 0.005, burn-in
# 200, evaluated every 4 epochs) run twice with the same seed, once with --data VOCDIR and once with --data
# VOCDIR/obj.data (written beside the devkit by `synth-voc --format darknet`), each with one TF thread so that
# both are deterministic. The two metrics.jsonl files must agree line by line once the timing fields are removed:
# the same losses at every step and the same mAP at every evaluation.
#   1. synthetic VOC in both layouts (skipped when complete)
#   2. the two trainings, side by side (each resumes from its checkpoint)
#   3. OUT/compare.txt: identical step and evaluation lines, or the first difference; exit 1 if they differ
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

# steps and evaluations without the fields that measure time
strip() { grep -E '"type":"(step|epoch)"' "$1" | sed -E 's/"(images_per_s|seconds|eval_seconds)":[^,}]*,?//g'; }
strip "$out/from-voc/metrics.jsonl" > "$out/from-voc.lines"
strip "$out/from-darknet/metrics.jsonl" > "$out/from-darknet.lines"
{
  echo "steps and evaluations: $(wc -l < "$out/from-voc.lines") (VOCdevkit), $(wc -l < "$out/from-darknet.lines") (darknet .data)"
  grep '"results"' "$out/from-voc.lines" | sed 's/^/VOCdevkit: /'
  grep '"results"' "$out/from-darknet.lines" | sed 's/^/darknet:   /'
  if cmp -s "$out/from-voc.lines" "$out/from-darknet.lines"; then
    echo "identical"
  else
    echo "DIFFERENT; first difference:"
    diff "$out/from-voc.lines" "$out/from-darknet.lines" | head -4
  fi
  echo "wall time: $(( $(date +%s) - start )) s"
} | tee "$out/compare.txt"
grep -q '^identical$' "$out/compare.txt"

#!/usr/bin/env bash
# The headline benchmark: a converged full-topology YOLOv4 (yolov4-w0.25 at 160 px: CSP backbone, SPP, PAN, three
# heads, Mish) compressed to >= 65% fewer parameters and >= 50% fewer FLOPs, measured against a control that is
# the same baseline trained as many more epochs, at the same peak learning rate and schedule.
#
#   1. data: the synthetic VOC the pinned baseline was trained on (1000 trainval / 300 test at 200 px, seed 11)
#   2. baseline: benchmarks/models/yolov4-w025-160-synthvoc, checked against its hashes, data fingerprint and
#      recorded mAP (pin-model --check); TRAIN_BASELINE=1 trains it again from scratch with its recorded command
#   3. second schedule: the baseline trained EXTRA more epochs (a quarter of its 120) in a fresh cosine schedule
#      at the peak lr the recipes use. It is the convergence check (gain < 0.5 pt means converged) and the control
#      of every recipe, as each recipe spends exactly EXTRA epochs (sparse + fine-tune).
#   4. one compress run per recipe (RECIPES below), each a row of the table
#   5. edgeslim bench: baseline, control and every recipe in TF Java, TFLite fp32 and int8 -> OUT/bench/bench.md
# Every step resumes (a finished one is skipped), so the script can be stopped and re-run at any point; the wall
# time of each step is appended to OUT/times.tsv.
# usage: benchmarks/headline.sh OUTDIR [THREADS=2]
set -euo pipefail
out=$1 threads=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
es=${EDGESLIM:-"$here/../edgeslim"}
pinned="$here/models/yolov4-w025-160-synthvoc"
extra=30 lr=0.005
mkdir -p "$out"

step() { # step NAME COMMAND...: runs and times a step
  local name=$1; shift
  local t0=$SECONDS
  "$@"
  printf '%s\t%d\n' "$name" $((SECONDS - t0)) >> "$out/times.tsv"
}

train() { # train OUTDIR [args...]: start, or resume an interrupted run; a finished run is kept
  local dir=$1; shift
  if [ -f "$dir/final.weights" ]; then return; fi
  if [ -d "$dir" ]; then "$es" train --out "$dir" --resume "$@"
  else "$es" train --out "$dir" "$@"; fi
}

grep -q '"complete" *: *true' "$out/voc/VOC2007/synth-voc.json" 2>/dev/null || step data "$es" synth-voc \
  --out "$out/voc" --train 1000 --test 300 --size 200 --seed 11 --force --quiet

if [ "${TRAIN_BASELINE:-0}" = 1 ]; then
  # the recorded command of the pinned model, run in OUT
  [ -f "$out/yolov4-w025.cfg" ] || { "$es" create-model --arch yolov4-w0.25 --classes 20 --size 160 \
    --out "$out/yolov4-w025.cfg" && sed -i 's/^saturation=1.5$/saturation=1.5\nletter_box=1/' "$out/yolov4-w025.cfg"; }
  step baseline train "$out/baseline" --cfg "$out/yolov4-w025.cfg" --data "$out/voc" --epochs 120 --batch 8 \
    --lr 0.005 --burn-in 200 --eval-every 8 --seed 11 --quiet
  base_cfg="$out/baseline/model.cfg" base_weights="$out/baseline/final.weights"
else
  [ -f "$out/pinned-check.txt" ] || step check "$es" pin-model --check "$pinned" --data "$out/voc" \
    --threads "$threads" > "$out/pinned-check.txt"
  base_cfg="$pinned/model.cfg" base_weights="$pinned/model.weights"
fi

step control train "$out/control" --cfg "$base_cfg" --weights "$base_weights" --data "$out/voc" --epochs "$extra" \
  --batch 8 --lr "$lr" --burn-in 50 --eval-every 5 --seed 11 --threads "$threads" --quiet

# name | sparse epochs | peak lr | extra compress flags (fine-tuning gets the rest of EXTRA epochs). Each row
# changes one thing against the first; a row at another peak lr is compared with the control at lr 0.005 (a
# control at its own lr is not part of this table).
RECIPES=(
  "s10-flops50|10|0.005|--reach 1.0 --target-flops 0.5"
  "s10-flops50-out1|10|0.005|--reach 1.0 --target-flops 0.5 --output-weight 1"
  "s10-flops50-fw|10|0.005|--reach 1.0 --target-flops 0.5 --sparsity-weighting flops"
  "s10-lr001-flops50|10|0.001|--reach 1.0 --target-flops 0.5"
  "s10-fw-p65f50|10|0.005|--reach 1.0 --target-params 0.65 --target-flops 0.5 --sparsity-weighting flops"
  "s10-pw-p65f50|10|0.005|--reach 1.0 --target-params 0.65 --target-flops 0.5 --sparsity-weighting params"
)
models=(--model "baseline=$base_cfg:$base_weights" --model "control=$base_cfg:$out/control/final.weights")
for r in "${RECIPES[@]}"; do
  IFS='|' read -r name sparse rlr flags <<< "$r"
  if [ ! -f "$out/$name/3-distill/final.weights" ]; then
    # shellcheck disable=SC2086
    step "$name" "$es" compress --cfg "$base_cfg" --weights "$base_weights" --data "$out/voc" --out "$out/$name" \
      --sparse-epochs "$sparse" --finetune-epochs $((extra - sparse)) --lr "$rlr" --seed 11 --eval-every 5 \
      --threads "$threads" --quiet $flags
  fi
  models+=(--model "$name=$out/$name/3-distill/model.cfg:$out/$name/3-distill/final.weights")
done

step bench "$es" bench --data "$out/voc" --formats tf,tflite-fp32,tflite-int8 "${models[@]}" --out "$out/bench" \
  --threads "$threads" --force --quiet
echo "table: $out/bench/bench.md (the gap that matters: each recipe against control); times: $out/times.tsv"

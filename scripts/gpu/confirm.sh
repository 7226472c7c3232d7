#!/usr/bin/env bash
# A short confirmation on a GPU host (about 90 s): synthetic bert-large fp32, fp16 and W8A8 with
# the shipped profiles as they now are, at batch 1 x 128 and 32 x 384, into $OUT/results. For a
# lease with little time left after the measuring calls that chose those profiles.
set -uo pipefail
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/bertbench-out}
mkdir -p "$OUT" "$WORK/models"
"$BB" devices | tee "$OUT/devices.txt"
L="$WORK/models/bert-large"
"$BB" synth --preset bert-large --seed 0 --out "$L" >/dev/null 2>&1
for method in fp16 int8; do "$BB" compress --model "$L" --out "$L-$method" --method $method | tail -1; done
timeout 90 "$BB" latency --model "$L" --model "$L-fp16" --model "$L-int8" --batch 1,32 --seq 128,384 \
    --warmup 2 --iterations 5 --out "$OUT/results" --run-name shipped --quiet

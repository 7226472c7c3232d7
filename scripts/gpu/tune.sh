#!/usr/bin/env bash
# `bertbench tune` on a GPU host at synthetic bert-large's GEMM shapes (batch 1 x 128 and
# 32 x 384 tokens), every tunable operation (gemm, gemm-f16), TUNE_S seconds each (default 90).
# Writes $OUT/tuned-profile.json and $OUT/tune.log; commit the profile under bench-results/ with
# the card's name, and ship it in profiles/ once a second run on the same card agrees.
set -euo pipefail
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/bertbench-out}
mkdir -p "$OUT" "$WORK/models"
[ -d "$WORK/models/bert-large" ] || "$BB" synth --preset bert-large --seed 0 --out "$WORK/models/bert-large" >/dev/null 2>&1
"$BB" tune --model "$WORK/models/bert-large" --tokens 128,12288 --budget "${TUNE_S:-90}" --out "$OUT/tuned-profile.json" 2>&1 | tee "$OUT/tune.log"

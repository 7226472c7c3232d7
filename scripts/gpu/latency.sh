#!/usr/bin/env bash
# Latency on a GPU host through NVIDIA's OpenCL, with PyTorch on CUDA as the peer in the same
# run: synthetic bert-base and bert-large (made there from the same seeds as here) and the
# external int8 L6 model; writes a BertBench run folder under $OUT. The sweep is one
# `bertbench latency` plan; give SHARD=I/N to run part of it (the same RUN_NAME for every part).
set -euo pipefail
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/bertbench-out}
mkdir -p "$OUT" "$WORK/models"
[ -d "$WORK/all-MiniLM-L6-v2-int8" ] || tar xzf "$CARRY/int8.tgz" -C "$WORK"
for preset in bert-base bert-large; do
    [ -d "$WORK/models/$preset" ] || "$BB" synth --preset "$preset" --seed 0 --out "$WORK/models/$preset" >/dev/null 2>&1
done
[ -d "$WORK/models/bert-large-int8-w8a8" ] || "$BB" compress --model "$WORK/models/bert-large" --out "$WORK/models/bert-large-int8-w8a8" --method int8 | tail -1
[ -d "$WORK/models/bert-large-layers-every-2" ] || "$BB" compress --model "$WORK/models/bert-large" --out "$WORK/models/bert-large-layers-every-2" --method drop-layers --every 2 | tail -1
"$BB" latency --model "$WORK/models/bert-base" --model "$WORK/models/bert-large" --model "$WORK/models/bert-large-int8-w8a8" \
    --model "$WORK/models/bert-large-layers-every-2" --model "$WORK/all-MiniLM-L6-v2-int8" \
    --batch 1,8,32 --seq 128,384 --warmup 3 --iterations 20 --out "$OUT/results" --run-name "${RUN_NAME:-gpu}" ${SHARD:+--shard "$SHARD"} --quiet
run=$(ls -d "$OUT"/results/*/"${RUN_NAME:-gpu}")
# PyTorch's timings are cells of their own, written into the run's cells/ folder; `report`
# merges them with BertBench's cells (results.json is rendered from cells, never edited).
for m in bert-base bert-large; do
    python3 scripts/peer_pytorch.py --model "$WORK/models/$m" --batch 1,8,32 --seq 128,384 --warmup 3 --iterations 20 --cells "$run/cells" >/dev/null
done
"$BB" report "$run" >/dev/null
cp "$run"/* "$OUT"/ 2>/dev/null || true
grep -A 40 "## Latency" "$OUT/report.md" | head -60

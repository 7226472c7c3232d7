#!/usr/bin/env bash
# A short GPU check of LDMATRIX=1 and BK=64 (about 3 minutes; nvidia.sh has the same rows among
# many): both against float64 through NVIDIA's compiler (odd shapes, split-K, 16 warps), W8A8
# synthetic bert-base with LDMATRIX=1 against --kernels portable (bench-gemm has no int8 --check), then
# timing rows beside LDMATRIX=0 at two large shapes and one small-M one, int8 included.
# Here: scripts/gpu/pack.sh; there: run(command: "bash scripts/gpu/ldmatrix.sh", carry: [".device"]).
# Compare the rows of one run only; the kernel column drops SMALL_M, KSPLIT and the block summary.
set -u
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/o}; mkdir -p "$OUT"
"$BB" devices | head -6
# A local profile with LDMATRIX=1 on both mma GEMMs (it ties nvidia-sm80's match and so outranks it).
d=$(mktemp -d)
cat > "$d/l.json" <<'JSON'
{"name": "ab-ldmatrix", "about": "scripts/gpu/ldmatrix.sh", "match": {"platform": "NVIDIA", "minComputeCapability": "8.0"},
 "kernels": {"gemm-f16": {"variant": "nvidia-mma-f16", "parameters": {"WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 1, "LDMATRIX": 1}},
             "gemm-w8a8": {"variant": "nvidia-mma-w8a8", "parameters": {"WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 1, "LDMATRIX": 1}}}}
JSON
BERTBENCH_PROFILES="$d" "$BB" devices | grep -E "gemm-(f16|w8a8):"
# NVIDIA's own PTX for LDMATRIX=1: ldmatrix must take a .shared window address. clang gives the
# __local pointer's integer value (mov of the .shared symbol, no cvta); a cvta.shared next to the
# ldmatrix lines would mean this compiler handed over a generic address instead.
mkdir -p /tmp/ks && BERTBENCH_PROFILES="$d" "$BB" kernel-source --build --family nvidia --m 4096 --out /tmp/ks > /tmp/ks/log 2>&1 \
    || { echo "ldmatrix: kernel-source --build failed"; tail -5 /tmp/ks/log; }
for bin in /tmp/ks/nvidia-mma-*.bin; do
    [ -f "$bin" ] || continue
    echo "$(basename "$bin"): $(grep -c 'ldmatrix' "$bin") ldmatrix, $(grep -c 'cvta' "$bin") cvta lines in NVIDIA's PTX"
    grep -m1 -B8 'ldmatrix' "$bin" | sed 's/^/    /'
done
# The instruction alone on random rows and addresses against the ISA's rule, beside the mma step.
"$BB" check-mma --ptx 1
F() { timeout 60 "$BB" bench-gemm --op gemm-f16 "$@" 2>&1 | tail -1 \
        | sed -E 's/ SMALL_M=[0-9]+ KSPLIT=[0-9]+//; s/ \([0-9]+x[0-9]+x[0-9]+ blocks.*(mma\.sync|emulated mma)\)//'; }
echo "== correctness (float64, 64 rows)"
for params in "LDMATRIX=1" "MI=2 NI=2 BK=64 LDMATRIX=1" "MI=2 NI=2 BK=64" "WM=4 MI=2 LDMATRIX=1"; do
  for shape in "129 257 130" "1000 1001 999" "383 65 1089" "127 4096 1024"; do
    set -- $shape
    F --m $1 --n $2 --k $3 --check 64 --iterations 3 $(printf -- '--param %s ' $params)
  done
done
echo "== synthetic bert-base, W8A8 and fp16, with LDMATRIX=1 (the local profile) against portable W8A8 and the profile's fp16"
W=/tmp/ldsm-models; mkdir -p $W
[ -d $W/bb ] || "$BB" synth --preset bert-base --seed 0 --out $W/bb > /dev/null
for method in int8 fp16; do [ -d $W/bb-$method ] || "$BB" compress --model $W/bb --out $W/bb-$method --method $method | tail -1; done
printf 'hello world\nthe quick brown fox jumps over the lazy dog\na good movie with a long plot that goes on and on for many tokens of text\n' > /tmp/t.txt
E() { timeout 60 "$BB" embed --model $W/$1 --input /tmp/t.txt --output /tmp/$2.jsonl --quiet "${@:3}" || echo "ldmatrix: embed $1 $2 failed"; }
BERTBENCH_PROFILES="$d" E bb-int8 int8-ldsm
E bb-int8 int8-portable --kernels portable
BERTBENCH_PROFILES="$d" E bb-fp16 fp16-ldsm
E bb-fp16 fp16-profile
python3 -c "
import json, numpy as np
r = lambda f: [np.array(json.loads(l)['embedding']) for l in open('/tmp/%s.jsonl' % f)]
w = lambda x, y: min(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) for a, b in zip(r(x), r(y)))
print('W8A8 LDMATRIX=1 vs portable: worst pooled cosine %.9f (target >= 0.99999)' % w('int8-ldsm', 'int8-portable'))
print('fp16 LDMATRIX=1 vs LDMATRIX=0: worst pooled cosine %.9f (same fragments: expect 1)' % w('fp16-ldsm', 'fp16-profile'))"
echo "== timing (20 iterations)"
for s in 12288x4096x1024 4096x4096x4096 128x1024x4096; do
  IFS=x read -r m n k <<< "$s"
  for params in "LDMATRIX=0" "LDMATRIX=1" "WM=4 MI=2" "WM=4 MI=2 LDMATRIX=1" "MI=2 NI=2" "MI=2 NI=2 BK=64" "MI=2 NI=2 BK=64 LDMATRIX=1"; do
    F --m $m --n $n --k $k --check 8 --iterations 20 $(printf -- '--param %s ' $params)
  done
  for l in 0 1; do timeout 60 "$BB" bench-gemm --weights int8 --m $m --n $n --k $k --iterations 20 --param LDMATRIX=$l 2>&1 | tail -1 | cut -c1-200; done
done

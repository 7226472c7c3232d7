#!/usr/bin/env bash
# A short GPU check of LDMATRIX=1 and BK=64 (about 3 minutes; nvidia.sh has the same rows among
# many): both against float64 through NVIDIA's compiler (odd shapes, split-K, 16 warps), W8A8
# MiniLM-L6 with LDMATRIX=1 against --kernels portable (bench-gemm has no int8 --check), then
# timing rows beside LDMATRIX=0 at two large shapes and one small-M one, int8 included.
# Here: scripts/gpu/pack.sh; there: run(command: "bash scripts/gpu/ldmatrix.sh", carry: [".device"]).
# Compare the rows of one run only; the kernel column drops SMALL_M, KSPLIT and the block summary.
set -u
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/o}; mkdir -p "$OUT"
"$BB" devices | head -6
mkdir -p /tmp/ks && "$BB" kernel-source --build --family nvidia --m 4096 --out /tmp/ks > /dev/null 2>&1 && echo "kernel-source --build ok"
F() { timeout 60 "$BB" bench-gemm --op gemm-f16 "$@" 2>&1 | tail -1 \
        | sed -E 's/ SMALL_M=[0-9]+ KSPLIT=[0-9]+//; s/ \([0-9]+x[0-9]+x[0-9]+ blocks.*(mma\.sync|emulated mma)\)//'; }
echo "== correctness (float64, 64 rows)"
for params in "LDMATRIX=1" "MI=2 NI=2 BK=64 LDMATRIX=1" "MI=2 NI=2 BK=64" "WM=4 MI=2 LDMATRIX=1"; do
  for shape in "129 257 130" "1000 1001 999" "383 65 1089" "127 4096 1024"; do
    set -- $shape
    F --m $1 --n $2 --k $3 --check 64 --iterations 3 $(printf -- '--param %s ' $params)
  done
done
echo "== W8A8 MiniLM-L6 with LDMATRIX=1 vs portable"
mkdir -p /tmp/m && tar xzf .device/int8.tgz -C /tmp/m
d=$(mktemp -d)
cat > "$d/l.json" <<'JSON'
{"name": "ab-ldmatrix", "about": "ldmatrix check", "match": {"platform": "NVIDIA", "minComputeCapability": "8.0"},
 "kernels": {"gemm-w8a8": {"variant": "nvidia-mma-w8a8", "parameters": {"WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 1, "LDMATRIX": 1}}}}
JSON
BERTBENCH_PROFILES="$d" "$BB" devices | grep "gemm-w8a8:"
printf 'hello world\nthe quick brown fox jumps over the lazy dog\na good movie with a long plot that goes on and on for many tokens of text\n' > /tmp/t.txt
BERTBENCH_PROFILES="$d" timeout 60 "$BB" embed --model /tmp/m/all-MiniLM-L6-v2-int8 --input /tmp/t.txt --output /tmp/a.jsonl --quiet
timeout 60 "$BB" embed --model /tmp/m/all-MiniLM-L6-v2-int8 --input /tmp/t.txt --output /tmp/p.jsonl --kernels portable --quiet
python3 -c "
import json, numpy as np
r = lambda f: [np.array(json.loads(l)['embedding']) for l in open(f)]
print('W8A8 LDMATRIX=1 vs portable: worst cosine %.9f' % min(float(a@b/np.linalg.norm(a)/np.linalg.norm(b)) for a, b in zip(r('/tmp/a.jsonl'), r('/tmp/p.jsonl'))))"
echo "== timing (20 iterations)"
for s in 12288x4096x1024 4096x4096x4096 128x1024x4096; do
  IFS=x read -r m n k <<< "$s"
  for params in "LDMATRIX=0" "LDMATRIX=1" "WM=4 MI=2" "WM=4 MI=2 LDMATRIX=1" "MI=2 NI=2" "MI=2 NI=2 BK=64" "MI=2 NI=2 BK=64 LDMATRIX=1"; do
    F --m $m --n $n --k $k --check 8 --iterations 20 $(printf -- '--param %s ' $params)
  done
  for l in 0 1; do timeout 60 "$BB" bench-gemm --weights int8 --m $m --n $n --k $k --iterations 20 --param LDMATRIX=$l 2>&1 | tail -1 | cut -c1-200; done
done

#!/usr/bin/env bash
# Correctness on a GPU host through NVIDIA's OpenCL: the external int8 model against the
# onnxruntime golden, and a synthetic bert-base against the same model run on PoCL here.
# Run from the repository root on the GPU host after scripts/gpu/pack.sh here; writes to $OUT.
set -euo pipefail
source scripts/gpu/env.sh
OUT=${OUT:-/tmp/bertbench-out}
mkdir -p "$OUT"
"$BB" devices | tee "$OUT/devices.txt"
tar xzf "$CARRY/int8.tgz" -C "$WORK"
"$BB" embed --model "$WORK/all-MiniLM-L6-v2-int8" --input "$CARRY/golden_texts.txt" --output "$OUT/golden_gpu.jsonl" --max-length 128
rm -rf "$WORK/bert-base"
"$BB" synth --preset bert-base --seed 7 --out "$WORK/bert-base" 2>/dev/null
"$BB" embed --model "$WORK/bert-base" --input "$CARRY/synth_texts.txt" --output "$OUT/synth_gpu.jsonl"
python3 - "$CARRY" "$OUT" <<'PY'
import json, sys, numpy as np
carry, out = sys.argv[1], sys.argv[2]
def rows(path): return [json.loads(l) for l in open(path)]
def compare(label, mine, ref_vectors, ref_ids=None):
    worst_cos, worst_abs = 1.0, 0.0
    for i, (m, r) in enumerate(zip(mine, ref_vectors)):
        a, b = np.array(m["embedding"], dtype=np.float64), np.array(r, dtype=np.float64)
        if ref_ids is not None and m["ids"] != ref_ids[i]:
            print(f"{label}: token ids differ for {m['text'][:40]!r}"); sys.exit(1)
        worst_cos = min(worst_cos, float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
        worst_abs = max(worst_abs, float(np.max(np.abs(a - b))))
    print(f"{label}: {len(mine)} texts, worst cosine {worst_cos:.12f}, max abs error {worst_abs:.3g}")
    return worst_cos
g = json.load(open(f"{carry}/golden_l6_int8.json"))
c1 = compare("int8 model on GPU vs onnxruntime golden", rows(f"{out}/golden_gpu.jsonl"), [i["mean_pooled"] for i in g["items"]], [i["ids"] for i in g["items"]])
c2 = compare("synthetic bert-base on GPU vs PoCL", rows(f"{out}/synth_gpu.jsonl"), [r["embedding"] for r in rows(f"{carry}/synth_expected_pocl.jsonl")])
sys.exit(0 if c1 >= 0.9999 and c2 >= 0.9999 else 1)
PY
[ "${CHECK_GEMM:-1}" = 1 ] || exit 0
for shape in "1024 1024 1024" "4096 4096 4096" "128 1152 384" "512 4096 1024"; do
    set -- $shape
    "$BB" bench-gemm --m $1 --n $2 --k $3 --iterations 20
done | tee "$OUT/gemm.txt"

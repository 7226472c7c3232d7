#!/usr/bin/env bash
# Offline compile check of the NVIDIA kernels, no GPU needed: the exact source and -D options the
# profiles choose for an sm_90 device (`bertbench kernel-source`), compiled to PTX by Debian's
# clang-14 + libclc-14 (the Swift toolchain's clang has no NVPTX target), assembled for sm_90 by
# ptxas from PyPI's nvidia-cuda-nvcc (registers, spills), and the SASS searched for HMMA/IMMA (tensor
# cores) with cuobjdump + nvdisasm. Then the mma GEMMs' settings the profile does not choose yet
# (LDMATRIX=1, which must show LDSM in the SASS; BK=64; 16 warps), so the GPU run's timing rows
# are known to assemble; ASYNC=1 must show LDGSTS (cp.async). NVIDIA's own OpenCL compiler may still differ: the GPU run is the final word. Installs what is missing (apt needs root; pip goes into .venv-cuda, git-ignored).
# Usage: scripts/gpu/ptx-check.sh [compute capability, default 9.0]. Writes to $OUT (default
# /tmp/bertbench-ptx): m<M>/<variant>.cl, .ptx, .cubin, .sass for M = 4096 and 128 (attention also
# as <variant>-d32 and <variant>-bias: head width 32, and MPNet's relative-position bias; the mma
# GEMMs also as <variant>-ldsm, -bk64, -bk64-ldsm, -16w-ldsm, -16w-bk64-ldsm, -async-4w, -async-64).
set -euo pipefail
cd "$(dirname "$0")/../.."
CC=${1:-9.0}
SM=sm_${CC/./}
OUT=${OUT:-/tmp/bertbench-ptx}
if ! command -v clang-14 >/dev/null || [ ! -f /usr/lib/clc/nvptx64--nvidiacl.bc ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-14 libclc-14 >/dev/null
fi
if ! ls .venv-cuda/lib/python3*/site-packages/nvidia/*/bin/ptxas >/dev/null 2>&1; then
    python3 -m venv .venv-cuda
    .venv-cuda/bin/pip install -q nvidia-cuda-nvcc nvidia-cuda-cuobjdump nvidia-cuda-nvdisasm
fi
CUDA_BIN=$(dirname "$(ls .venv-cuda/lib/python3*/site-packages/nvidia/*/bin/ptxas | head -1)")
export PATH="$CUDA_BIN:$PATH"  # cuobjdump -sass runs nvdisasm from the PATH
[ -x .build/debug/bertbench ] || swift build --product bertbench 2>&1 | tail -1
BB=${BB:-.build/debug/bertbench}
rm -rf "$OUT" && mkdir -p "$OUT"
# The flags checked in design.md section 3, plus `-include opencl-c.h`: clang-14's driver declares
# the builtins from its own tables, which lack vload_half/vstore_half* on __local and __private
# pointers; the full header has them.
FLAGS=(-x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -S -O2 -Xclang -finclude-default-header -include opencl-c.h
       -Xclang -target-cpu -Xclang sm_80 -Xclang -target-feature -Xclang +ptx70
       -Xclang -mlink-bitcode-file -Xclang /usr/lib/clc/nvptx64--nvidiacl.bc -Wno-linker-warnings)
# One build: clang-14 -> PTX -> ptxas (registers, spills, shared memory per entry) -> SASS (HMMA).
# Arguments: output stem, source, operation, variant, entry points, options.
check_build() {
    local V=$1 src=$2 operation=$3 variant=$4 entries=$5 options=$6 hmma lds ldsm local_memory
    read -r -a defines <<< "$options"
    clang-14 "${FLAGS[@]}" "${defines[@]}" "$src" -o "$V.ptx"
    sed -i 's/^\.version .*/.version 8.0/' "$V.ptx"  # clang writes 7.0; ptxas for sm_90 wants 7.8+
    ptxas -arch="$SM" -v "$V.ptx" -o "$V.cubin" 2> "$V.ptxas.txt"
    cuobjdump -sass "$V.cubin" > "$V.sass"
    hmma=$(grep -cE 'HMMA|IMMA' "$V.sass" || true)
    echo "$operation: $variant $options"
    for entry in ${entries//,/ }; do
        # ptxas -v: "Compiling entry function 'E'", then the stack/spill line, then the registers line.
        awk -v e="$entry" '$0 ~ "Function properties for " e "$" {
            getline s; getline r; sub(/^ +/, "", s); sub(/^ptxas info +: /, "", r); print "    " e ": " r "; " s
        }' "$V.ptxas.txt"
    done
    lds=$(grep -cE 'LDS[ .]' "$V.sass" || true)
    ldsm=$(grep -c 'LDSM' "$V.sass" || true)
    local_memory=$(grep -c 'STL\|LDL' "$V.sass" || true)
    echo "    SASS: $hmma HMMA/IMMA (tensor-core) instructions, $lds LDS, $ldsm LDSM (ldmatrix), $(grep -c LDGSTS "$V.sass" || true) LDGSTS (cp.async), $local_memory local (spill) loads/stores"
    if [[ "$variant" == *mma* && "$hmma" -eq 0 ]]; then echo "ptx-check: $variant has no HMMA or IMMA" >&2; exit 1; fi
    if [[ "$options" == *-DLDMATRIX=1* && "$ldsm" -eq 0 ]]; then echo "ptx-check: $variant with LDMATRIX=1 has no LDSM" >&2; exit 1; fi
    if [[ "$options" == *-DASYNC=1* && "$(grep -c LDGSTS "$V.sass" || true)" -eq 0 ]]; then echo "ptx-check: $variant with ASYNC=1 has no LDGSTS" >&2; exit 1; fi
    # ptxas refuses a block past 48 KiB of shared memory with an error line but may still exit 0.
    if grep -q "error" "$V.ptxas.txt"; then grep "error" "$V.ptxas.txt" >&2; exit 1; fi
}
# Large M (full blocks) and batch 1 x 128 tokens (nvidia-sgemm-tiled and the mma GEMMs halve their
# blocks there; the mma GEMMs' split-K entries, _partial and _reduce, are in the same programs).
for M in 4096 128; do
mkdir -p "$OUT/m$M"
"$BB" kernel-source --compute-capability "$CC" --family nvidia --m $M --out "$OUT/m$M" > "$OUT/m$M/selection.tsv"
echo "ptx-check: NVIDIA variants the profiles choose at compute capability $CC for M = $M, assembled for $SM"
while IFS=$'\t' read -r operation variant entries options; do
    check_build "$OUT/m$M/$variant" "$OUT/m$M/$variant.cl" "$operation" "$variant" "$entries" "$options"
    # Attention is built per head width and with MPNet's bias too (kernel-source writes HEAD_DIM=64,
    # bert-base/large): MiniLM's 32 and MPNet's REL_BIAS, once.
    if [[ $operation == attention* && $M == 4096 ]]; then
        check_build "$OUT/m$M/$variant-d32" "$OUT/m$M/$variant.cl" "$operation" "$variant" "$entries" "${options/HEAD_DIM=64/HEAD_DIM=32}"
        check_build "$OUT/m$M/$variant-bias" "$OUT/m$M/$variant.cl" "$operation" "$variant" "$entries" "$options -DREL_BIAS=1"
    fi
done < "$OUT/m$M/selection.tsv"
done
# The mma GEMMs' settings for the GPU run's timing rows (scripts/gpu/nvidia.sh step 2), from the
# profile's options: fragments by ldmatrix, and BK=64 with the 64x64 full blocks that fit two stages
# in 48 KiB (clang-14's ptxas refuses the profile's 128x128 at BK=64, 73,728 bytes, though NVIDIA's
# OpenCL ran larger blocks on the H100); then 16 warps of 128x128 (WM=WN=4,
# MI=2) with ldmatrix, and 16 warps of 64x64 (MI=1, NI=2) with both.
for M in 4096 128; do
echo "ptx-check: the mma GEMMs' other settings for M = $M"
while IFS=$'\t' read -r operation variant entries options; do
    [[ $variant == nvidia-mma-* ]] || continue
    src="$OUT/m$M/$variant.cl"
    with_ldsm=${options/-DLDMATRIX=0/-DLDMATRIX=1}
    check_build "$OUT/m$M/$variant-ldsm" "$src" "$operation" "$variant" "$entries" "$with_ldsm"
    sixteen=${with_ldsm/-DWM=2 -DWN=4 -DMI=4/-DWM=4 -DWN=4 -DMI=2}
    check_build "$OUT/m$M/$variant-16w-ldsm" "$src" "$operation" "$variant" "$entries" "$sixteen"
    if [[ $variant == nvidia-mma-w8a8 ]]; then
        # W8A8's cp.async stages on the profile's blocks: 2 stages fit 48 KiB (40,960 bytes).
        check_build "$OUT/m$M/$variant-async" "$src" "$operation" "$variant" "$entries" "${options/-DASYNC=0 -DSTAGES=3/-DASYNC=1 -DSTAGES=2}"
    fi
    [[ $variant == nvidia-mma-f16 ]] || continue
    bk64=${options/-DMI=4 -DNI=4/-DMI=2 -DNI=2}
    bk64=${bk64/-DBK=32/-DBK=64}
    check_build "$OUT/m$M/$variant-bk64" "$src" "$operation" "$variant" "$entries" "$bk64"
    check_build "$OUT/m$M/$variant-bk64-ldsm" "$src" "$operation" "$variant" "$entries" "${bk64/-DLDMATRIX=0/-DLDMATRIX=1}"
    sixteen64=${with_ldsm/-DWM=2 -DWN=4 -DMI=4 -DNI=4/-DWM=4 -DWN=4 -DMI=1 -DNI=2}
    check_build "$OUT/m$M/$variant-16w-bk64-ldsm" "$src" "$operation" "$variant" "$entries" "${sixteen64/-DBK=32/-DBK=64}"
    # cp.async stages (ASYNC=1) in the settings nvidia.sh times that fit the 48 KiB clang-14's ptxas
    # allows: 128x128 on 4 warps of 64x64 with 2 stages of BK=16 (36,864 bytes), and the 64x64 full
    # blocks with 3 stages of BK=32 (46,080). The SASS must show LDGSTS (cp.async).
    async=${with_ldsm/-DASYNC=0/-DASYNC=1}
    async4w=${async/-DWM=2 -DWN=4 -DMI=4 -DNI=4/-DWM=2 -DWN=2 -DMI=4 -DNI=8}
    async4w=${async4w/-DBK=32/-DBK=16}
    check_build "$OUT/m$M/$variant-async-4w" "$src" "$operation" "$variant" "$entries" "${async4w/-DSTAGES=3/-DSTAGES=2}"
    check_build "$OUT/m$M/$variant-async-64" "$src" "$operation" "$variant" "$entries" "${async/-DMI=4 -DNI=4/-DMI=2 -DNI=2}"
done < "$OUT/m$M/selection.tsv"
done

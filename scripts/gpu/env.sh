# Sourced on a GPU host: unpacks the carried static bertbench and points the carried OpenCL ICD
# loader at NVIDIA's OpenCL driver. Expects the carry folder (default .device) from
# scripts/gpu/pack.sh. Sets BB (the binary) and WORK (a scratch folder).
CARRY=${CARRY:-.device}
WORK=${WORK:-/tmp/bertbench-gpu}
mkdir -p "$WORK/icd"
# xz since the sixth session (python3's lzma where the host has no xz); gzip before.
if [ ! -x "$WORK/bertbench" ]; then
    if [ -f "$CARRY/bertbench.xz" ]; then
        xz -dc "$CARRY/bertbench.xz" > "$WORK/bertbench" 2>/dev/null \
            || python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
                "$CARRY/bertbench.xz" "$WORK/bertbench"
    else
        gunzip -c "$CARRY/bertbench.gz" > "$WORK/bertbench"
    fi
fi
chmod +x "$WORK/bertbench"
nvidia_cl=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl.so.1/ {print $NF; exit}')
[ -n "$nvidia_cl" ] || nvidia_cl=$(find /usr/local/nvidia /usr/lib /usr/lib64 -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)
if [ -z "$nvidia_cl" ]; then echo "gpu: libnvidia-opencl.so.1 not found" >&2; return 1; fi
echo "$nvidia_cl" > "$WORK/icd/nvidia.icd"
export OCL_ICD_VENDORS="$WORK/icd"
export LD_LIBRARY_PATH="$(cd "$CARRY" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BB="$WORK/bertbench"
[ -f "$CARRY/COMMIT" ] && export BERTBENCH_COMMIT="$(cat "$CARRY/COMMIT") (static build carried to this host)"
echo "gpu: NVIDIA OpenCL driver at $nvidia_cl"

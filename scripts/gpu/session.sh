#!/usr/bin/env bash
# One device call for a whole GPU session: model correctness against onnxruntime and PoCL
# (check.sh), then issue 10's checks and timings (nvidia.sh), each under its own time limit so a
# hang in one still leaves the other's results. Everything is written to a scratch folder and
# returned as one archive, $OUT/session.tgz, since a device call brings back at most 8 files, two
# folders down. Run after scripts/gpu/pack.sh here:
#   run(command: "bash scripts/gpu/session.sh", carry: [".device"], timeout_s: 590)
set -uo pipefail
cd "$(dirname "$0")/../.."
back=${OUT:?OUT must name the folder that comes back}
scratch=/tmp/bb-session/out
mkdir -p "$scratch"
nvidia-smi > "$scratch/nvidia-smi.txt" 2>&1
(OUT=$scratch CHECK_GEMM=0 timeout -k 5 "${CHECK_S:-90}" bash scripts/gpu/check.sh; echo "check.sh exit $?") > "$scratch/check.log" 2>&1
(OUT=$scratch timeout -k 5 "${NVIDIA_S:-450}" bash scripts/gpu/nvidia.sh; echo "nvidia.sh exit $?") > "$scratch/nvidia.log" 2>&1
# TUNE_S set: `bertbench tune` (tune.sh, TUNE_S seconds per operation) on the same warm card, so a
# short lease needs one call, not two (each call that finds no warm machine pays its start again).
if [ -n "${TUNE_S:-}" ]; then
    (OUT=$scratch timeout -k 5 "${TUNE_TOTAL_S:-$((3 * TUNE_S + 30))}" bash scripts/gpu/tune.sh; echo "tune.sh exit $?") > "$scratch/tune-run.log" 2>&1
fi
tar czf "$back/session.tgz" -C "$(dirname "$scratch")" out
tail -c 3000 "$scratch/check.log"; echo; tail -c 6500 "$scratch/nvidia.log"; echo; tail -c 2000 "$scratch/tune-run.log" 2>/dev/null

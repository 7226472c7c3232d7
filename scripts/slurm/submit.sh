#!/usr/bin/env bash
# Submits a plan folder (from `bertbench plan`) to Slurm: one job array, a task per unit, each
# running the unit's exact command from plan.json, and a merge job that runs after the array
# whatever became of its tasks (afterany) and writes PLAN_DIR/report (partial if units failed).
#   submit.sh [--resume] [--max-parallel N] PLAN_DIR [sbatch options for the units...]
# sbatch options (--gres=gpu:1, --constraint=h100, --partition, --time, ...) go to the array
# only; the merge job needs no GPU (BERTBENCH_MERGE_SBATCH adds options to it).
# --resume submits only the units not done yet (`bertbench work PLAN_DIR --missing`).
# Prints the two job ids; task logs go to PLAN_DIR/slurm/.
set -euo pipefail

resume=0; limit=""
while [ $# -gt 0 ]; do
    case "$1" in
        --resume) resume=1; shift ;;
        --max-parallel) limit="%$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--resume] [--max-parallel N] PLAN_DIR [sbatch options...]" >&2; exit 64; }
plan=$(cd "$1" && pwd); shift
[ -f "$plan/plan.json" ] || { echo "submit: $plan/plan.json: no such file (make one with bertbench plan)" >&2; exit 1; }

# The bertbench the plan's commands call (the first word of unit 0's command), unless BERTBENCH says otherwise.
read -r units bin < <(python3 - "$plan/plan.json" <<'PY'
import json, shlex, sys
sweep = json.load(open(sys.argv[1])).get("sweep")
if not sweep or not sweep["units"]:
    sys.exit(f"submit: {sys.argv[1]}: not a sweep plan with units (make one with bertbench plan)")
print(len(sweep["units"]), shlex.split(sweep["units"][0]["command"])[0])
PY
)
bin=${BERTBENCH:-$bin}

if [ "$resume" = 1 ]; then
    indices=$("$bin" work "$plan" --missing)
    if [ -z "$indices" ]; then echo "submit: every unit of $plan is done; merge with: $bin merge $plan --out $plan/report"; exit 0; fi
else
    indices="0-$((units - 1))"
fi

mkdir -p "$plan/slurm"
# Each task runs its unit's command exactly as plan.json records it (the command merge prints for a rerun).
task='exec bash -c "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"sweep\"][\"units\"][int(sys.argv[2])][\"command\"])" '
task+="$plan/plan.json \$SLURM_ARRAY_TASK_ID)\""
array=$(sbatch --parsable --job-name=bertbench-units --array="$indices$limit" --output="$plan/slurm/unit-%A_%a.out" "$@" --wrap "$task")
array=${array%%;*}
# shellcheck disable=SC2086  # BERTBENCH_MERGE_SBATCH is a list of options
merge=$(sbatch --parsable --job-name=bertbench-merge --dependency="afterany:$array" --output="$plan/slurm/merge-%j.out" \
    ${BERTBENCH_MERGE_SBATCH:-} --wrap "exec '$bin' merge '$plan' --out '${BERTBENCH_REPORT:-$plan/report}' --partial")
merge=${merge%%;*}
echo "$array $merge" >>"$plan/slurm/jobs"
echo "submitted units $indices as array job $array and the merge as job $merge (after the array)"

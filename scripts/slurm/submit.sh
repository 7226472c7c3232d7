#!/usr/bin/env bash
# Submits a plan folder (from `bertbench plan`) to Slurm: one job array per stage of the plan, a
# task per unit, each running the unit's exact command from plan.json (stage 1, a divergence study,
# starts after stage 0, the latency and embedding units whose cache it reads: afterany, so a failed
# unit only leaves the study to compute what is missing), and a merge job that runs after the last
# array whatever became of its tasks and writes PLAN_DIR/report (partial if units failed).
#   submit.sh [--resume] [--max-parallel N] PLAN_DIR [sbatch options for the units...]
# sbatch options (--gres=gpu:1, --constraint=h100, --partition, --time, ...) go to the array
# only; the merge job needs no GPU (BERTBENCH_MERGE_SBATCH adds options to it).
# --resume submits only the units not done yet (`bertbench work PLAN_DIR --missing`).
# Prints the units, the last array's and the merge job's ids first, then one line per stage; task
# logs go to PLAN_DIR/slurm/.
set -euo pipefail

resume=0; limit=""
while [ $# -gt 0 ]; do
    case "$1" in
        --resume) resume=1; shift ;;
        --max-parallel) limit="%$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
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
    wanted=$("$bin" work "$plan" --missing)
    if [ -z "$wanted" ]; then echo "submit: every unit of $plan is done; merge with: $bin merge $plan --out $plan/report"; exit 0; fi
else
    wanted=all
fi
# One line per stage that has wanted units: "STAGE INDICES", the indices as Slurm's --array list.
stages=$(python3 - "$plan/plan.json" "$wanted" <<'PY'
import json, sys
units = json.load(open(sys.argv[1]))["sweep"]["units"]
wanted = None if sys.argv[2] == "all" else {int(i) for i in sys.argv[2].split(",")}
by_stage = {}
for u in units:
    if wanted is None or u["index"] in wanted:
        by_stage.setdefault(u.get("stage") or 0, []).append(u["index"])
def ranges(indices):
    out, start = [], None
    for i, v in enumerate(indices):
        if start is None: start = v
        if i + 1 == len(indices) or indices[i + 1] != v + 1:
            out.append(str(start) if start == v else f"{start}-{v}")
            start = None
    return ",".join(out)
for stage in sorted(by_stage):
    print(stage, ranges(by_stage[stage]))
PY
)

mkdir -p "$plan/slurm"
# Each task runs its unit's command exactly as plan.json records it (the command merge prints for a rerun).
task='exec bash -c "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"sweep\"][\"units\"][int(sys.argv[2])][\"command\"])" '
task+="$plan/plan.json \$SLURM_ARRAY_TASK_ID)\""
# Each stage waits for every earlier array, and the merge for all of them: a cancelled later
# array ends at once, and must not let the merge start while earlier units still run.
array=""; arrays=""; all=""; lines=()
while read -r stage indices; do
    after=()
    [ -n "$arrays" ] && after=(--dependency="afterany:$arrays")
    previous=$arrays
    array=$(sbatch --parsable --job-name="bertbench-units-$stage" --array="$indices$limit" --output="$plan/slurm/unit-%A_%a.out" \
        "${after[@]}" "$@" --wrap "$task")
    array=${array%%;*}
    all=${all:+$all,}$indices
    arrays=${arrays:+$arrays:}$array
    lines+=("stage $stage: units $indices as array job $array${previous:+ (after ${previous//:/, })}")
    echo "$array" >>"$plan/slurm/jobs"
done <<<"$stages"
# shellcheck disable=SC2086  # BERTBENCH_MERGE_SBATCH is a list of options
merge=$(sbatch --parsable --job-name=bertbench-merge --dependency="afterany:$arrays" --output="$plan/slurm/merge-%j.out" \
    ${BERTBENCH_MERGE_SBATCH:-} --wrap "exec '$bin' merge '$plan' --out '${BERTBENCH_REPORT:-$plan/report}' --partial")
merge=${merge%%;*}
echo "$merge" >>"$plan/slurm/jobs"
echo "submitted units $all as array job $array and the merge as job $merge (after every array)"
printf '%s\n' "${lines[@]}"

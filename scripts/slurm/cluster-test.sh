#!/usr/bin/env bash
# End-to-end test on a real one-host Slurm cluster (local-cluster.sh): plans a small sweep of
# tiny synthetic models (8 latency units, 2 timed passes each, two embedding units and the
# divergence unit that reads their cache in a second stage), submits it, cancels the study's task
# while the first stage runs, checks the merge job reports that unit missing,
# resumes, merges, and checks the merged run holds exactly the planned units and that its
# deterministic parts (model sizes, every divergence metric) equal single-host runs with the same
# seed. Skipped, with the reason, only where Slurm cannot start (local-cluster.sh exit 3).
# Needs the debug build (swift build). Usage: scripts/slurm/cluster-test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.build/debug/bertbench"
[ -x "$bin" ] || { echo "cluster-test: build first (swift build)" >&2; exit 1; }
work=$(mktemp -d /tmp/bertbench-cluster-test.XXXXXX)
cluster="$work/cluster"

finish() { "$root/scripts/slurm/local-cluster.sh" stop "$cluster" || true; }
fail() { echo "cluster-test: FAILED: $*" >&2; exit 1; }

status=0
started=$("$root/scripts/slurm/local-cluster.sh" start "$cluster") || status=$?
if [ "$status" -eq 3 ]; then echo "cluster-test: skipped (Slurm cannot start on this machine; see above)"; exit 0; fi
[ "$status" -eq 0 ] || fail "local-cluster.sh start exited $status"
trap finish EXIT
eval "$started"
echo "cluster-test: one-host cluster up ($SLURM_CONF); work folder $work"

for seed in 1 2; do "$bin" synth --preset tiny --seed "$seed" --out "$work/tiny-$seed" >/dev/null 2>&1; done
latency=(--model "$work/tiny-1" --model "$work/tiny-2" --batch 1,2 --seq 8,16 --warmup 1 --iterations 2)
study=(--train-items 60 --test-items 40 --ood-items 20 --heads 2 --k 5 --attack-items 0 --seed 7)
"$bin" plan "${latency[@]}" --large "$work/tiny-1" --variant "$work/tiny-2" "${study[@]}" --out "$work/plan" --run-name sweep
units=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['sweep']['units']))" "$work/plan/plan.json")
[ "$units" -eq 11 ] || fail "planned $units units, expected 11 (8 latency, 2 embedding, 1 study)"
last=$((units - 1))

# One task at a time, so the last unit is still waiting when it is cancelled.
read -r _ _ indices _ _ _ array _ _ _ _ _ merge _ < <("$root/scripts/slurm/submit.sh" --max-parallel 1 "$work/plan")
[[ "$array" =~ ^[0-9]+$ && "$merge" =~ ^[0-9]+$ ]] || fail "could not read the job ids from submit.sh"
first=$(head -1 "$work/plan/slurm/jobs")
[ "$first" != "$array" ] || fail "the study was not submitted as a second stage"
echo "cluster-test: submitted $units units as arrays $first (stage 0) and $array (stage 1), merge job $merge"
for _ in $(seq 120); do
    squeue -h -j "$first" -t RUNNING -o '%i' | grep -q . && break
    sleep 0.5
done
squeue -h -j "$first" -t RUNNING -o '%i' | grep -q . || fail "no task of array $first started running"
scancel "${array}_${last}"
echo "cluster-test: cancelled task ${array}_${last} (unit $last, the study) while stage 0 ran"

wait_for() {
    for _ in $(seq 600); do
        squeue -h -j "$1" -o '%i' 2>/dev/null | grep -q . || return 0
        sleep 1
    done
    fail "job $1 still queued after 10 minutes"
}
wait_for "$merge"
log="$work/plan/slurm/merge-$merge.out"
grep -q "^missing: unit $last " "$log" || fail "the merge job did not report unit $last missing: $(cat "$log")"
grep -q "partial: 1 units missing" "$log" || fail "the merge job did not say its report is partial"
grep -q "This report is partial" "$work/plan/report/report.md" || fail "report.md does not say it is partial"
echo "cluster-test: merge after the cancel: $(tail -1 "$log")"

read -r _ _ indices _ _ _ array _ _ _ _ _ merge _ < <("$root/scripts/slurm/submit.sh" --resume "$work/plan")
[ "$indices" = "$last" ] || fail "--resume submitted units '$indices', expected only $last"
echo "cluster-test: resumed unit $indices as array $array, merge job $merge"
wait_for "$merge"
log="$work/plan/slurm/merge-$merge.out"
grep -q "^merged $units of $units units" "$log" || fail "the final merge did not merge all units: $(cat "$log")"
! grep -q "This report is partial" "$work/plan/report/report.md" || fail "the final report still says it is partial"
echo "cluster-test: final merge: $(tail -1 "$log")"
entries=$(find "$work/plan/embeddings" -name '*.emb' | wc -l)
[ "$entries" -eq 2 ] || fail "the plan's embedding cache holds $entries entries, expected 2 (one per model)"
grep -q "^divergence: embeddings of .* from $work/plan/embeddings/" "$work/plan/slurm/unit-${array}_${last}.out" \
    || fail "the study unit did not read the embedding units' cache: $(cat "$work/plan/slurm/unit-${array}_${last}.out")"

# The same sweep on this host alone, with the same seed.
"$bin" latency "${latency[@]}" --out "$work/single" --run-name single --quiet >/dev/null
"$bin" diverge --large "$work/tiny-1" --variant "$work/tiny-2" "${study[@]}" --out "$work/single-study" --quiet >/dev/null
python3 - "$work" <<'PY' || fail "the merged run differs from the plan or from the single-host run"
import glob, json, sys
work = sys.argv[1]
plan = json.load(open(f"{work}/plan/plan.json"))
merged = json.load(open(f"{work}/plan/report/results.json"))
single = json.load(open(glob.glob(f"{work}/single/*/single/results.json")[0]))
planned = sorted((c["cell"]["model"]["name"], c["cell"]["batch"], c["cell"]["sequenceLength"]) for c in plan["cells"] if c["kind"] == "latency")
got = sorted((m["model"], m["batch"], m["sequenceLength"]) for m in merged["measurements"])
assert got == planned, f"merged measurements {got} are not the planned units {planned}"
cells = sorted(p.split("/")[-1][:-5] for p in glob.glob(f"{work}/plan/cells/*.json"))
assert cells == sorted(c["id"] for c in plan["cells"]), "the cells folder does not hold exactly the planned units"
assert merged["models"] == single["models"], "model records (sizes) differ from the single-host run"
def study(path):
    d = json.load(open(path))
    for key in ("created", "device"):
        d.pop(key, None)
    return d
a, b = study(f"{work}/plan/report/divergence.json"), study(f"{work}/single-study/divergence.json")
assert a == b, "divergence.json differs from the single-host study: " + ", ".join(k for k in a if a.get(k) != b.get(k))
print(f"cluster-test: {len(got)} latency rows, {len(cells)} unit files, model records and divergence metrics equal the single-host run")
PY
trap - EXIT
finish
rm -rf "$work"  # kept when the test fails, for its logs
echo "cluster-test: passed"

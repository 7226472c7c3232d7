#!/usr/bin/env bash
# A one-host Slurm cluster for tests: munged, slurmctld and slurmd on this machine, config,
# state and logs in one folder, ports on the loopback address. Root only (the daemons run as root).
#   local-cluster.sh start DIR   installs slurm-wlm and munge when missing, starts the daemons,
#                                waits until the node takes jobs; prints `export SLURM_CONF=...`
#   local-cluster.sh stop DIR    stops the daemons by their pid files in DIR
# Exit 3 from start means Slurm cannot start here (not root, no package, a daemon refused).
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }

stop() {
    # Workers first, so slurmctld does not mark the node down while it goes; each by its own pid file.
    for name in slurmd slurmctld munged; do
        local file="$dir/$name.pid"
        [ -f "$file" ] || continue
        local pid; pid=$(cat "$file")
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$file"
    done
}

# Whatever started before the failure is stopped again, so a failed start leaves no daemon behind.
cannot() { echo "local-cluster: Slurm cannot start here: $*" >&2; stop; exit 3; }

start() {
    [ "$(id -u)" -eq 0 ] || cannot "needs root (the daemons run as SlurmUser root)"
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        echo "local-cluster: installing slurm-wlm and munge" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >"$dir.apt.log" 2>&1 \
            || cannot "apt-get install slurm-wlm munge failed (see $dir.apt.log)"
    fi
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    local key=/etc/munge/munge.key
    if [ ! -s "$key" ]; then
        key="$dir/munge/munge.key"
        dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
        chmod 400 "$key"
    fi
    munged --force --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" --key-file="$key" \
        --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed" || cannot "munged did not start (see $dir/munged.log)"

    # Two free ports above the usual 6817/6818, so a real Slurm on the host is not disturbed.
    local ports
    ports=$(python3 - <<'PY'
import socket
found = []
for port in range(16817, 17817):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    found.append(port)
    if len(found) == 2:
        break
print(*found)
PY
)
    read -r ctld_port slurmd_port <<<"$ports"
    cat >"$dir/slurm.conf" <<CONF
ClusterName=bertbench-test
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -c || cannot "slurmctld did not start (see $dir/slurmctld.log)"
    slurmd -N localhost || cannot "slurmd did not start (see $dir/slurmd.log)"
    for _ in $(seq 60); do
        if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
            echo "export SLURM_CONF=$dir/slurm.conf"
            return 0
        fi
        sleep 0.5
    done
    cannot "the node did not become idle in 30 s (see $dir/slurmctld.log and $dir/slurmd.log)"
}

case "$cmd" in
    start) mkdir -p "$dir"; start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 64 ;;
esac

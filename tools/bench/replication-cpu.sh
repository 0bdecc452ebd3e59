#!/usr/bin/env bash
# CPU per replicated record (issue 12 item 3), on this machine's release build.
#
# 1. A 1-node devnet takes `bench put` (64 clients): node CPU per PUT, alone.
# 2. A 3-node devnet takes the same load on node 1 only (`--nodes 1`); nodes 2 and 3 only
#    receive deltas. Then:
#      receiver CPU per record = CPU of node 2 (or 3) during the run / PUTs acknowledged
#      sender CPU per record   = (node 1 CPU per PUT - the 1-node figure) / 2 peers
#    and records per delta = PUTs / `/sync` requests the receiver answered.
# CPU is utime + stime of the `serve` process (/proc/PID/stat fields 14 + 15), read before
# the run and after replication drained (lag 0 on node 1's /nodes, or 30 s).
#
# Usage: tools/bench/replication-cpu.sh [DURATION]   (default 15s; env B = binary, DIR = work dir)
set -euo pipefail
B=${B:-./target/release/novakms}
DIR=${DIR:-/tmp/novakms-replication-cpu}
DUR=${1:-15s}
TCK=$(getconf CLK_TCK)
rm -rf "$DIR" && mkdir -p "$DIR"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pids() { python3 -c 'import json,sys; print(" ".join(str(n["pid"]) for n in json.load(open(sys.argv[1]))["nodes"]))' "$1/devnet.json"; }
urls() { python3 -c 'import json,sys; print(" ".join(n["url"] for n in json.load(open(sys.argv[1]))["nodes"]))' "$1/devnet.json"; }
sync_requests() { curl -s "$1/metrics" | awk '/^novakms_http_requests_total\{.*route="\/sync"/ {s += $NF} END {print s + 0}'; }
ops() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ops"] if "ops" in d else d["summary"]["ops"])' "$1"; }
rate() { python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["ops_per_sec"]))' "$1"; }
drained() { # node 1's replication lag to every peer is 0
  curl -s "$1/nodes" | python3 -c 'import json,sys; d=json.load(sys.stdin); l=[p.get("replication",{}).get("lag_records",1) for p in d.get("nodes",[]) if p.get("replication")]; sys.exit(0 if l and all(x==0 for x in l) else 1)'
}

echo "== 1 node"
$B devnet up --nodes 1 --apps 4 --dir "$DIR/n1" >/dev/null
read -r P1 <<<"$(pids "$DIR/n1")"
c0=$(ticks "$P1")
$B bench put --devnet "$DIR/n1" -c 64 --duration "$DUR" -q -o json >"$DIR/n1.json"
c1=$(ticks "$P1")
n=$(ops "$DIR/n1.json")
solo=$(python3 -c "print(($c1-$c0)/$TCK*1000/$n)")
echo "PUTs $n ($(rate "$DIR/n1.json")/s); node CPU per PUT ${solo} ms"
$B devnet down --dir "$DIR/n1" >/dev/null

echo "== 3 nodes, load on node 1"
$B devnet up --nodes 3 --apps 4 --dir "$DIR/n3" >/dev/null
read -r P1 P2 P3 <<<"$(pids "$DIR/n3")"
read -r U1 U2 U3 <<<"$(urls "$DIR/n3")"
sleep 2
a0=$(ticks "$P1"); b0=$(ticks "$P2"); d0=$(ticks "$P3"); s0=$(sync_requests "$U2")
$B bench put --devnet "$DIR/n3" --nodes 1 -c 64 --duration "$DUR" -q -o json >"$DIR/n3.json"
for _ in $(seq 1 60); do drained "$U1" && break; sleep 0.5; done
a1=$(ticks "$P1"); b1=$(ticks "$P2"); d1=$(ticks "$P3"); s1=$(sync_requests "$U2")
n=$(ops "$DIR/n3.json")
echo "3-node PUT/s $(rate "$DIR/n3.json")"
python3 - "$n" "$TCK" "$solo" "$a0" "$a1" "$b0" "$b1" "$d0" "$d1" "$s0" "$s1" <<'PY'
import sys
n, tck, solo = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
a0, a1, b0, b1, d0, d1, s0, s1 = map(float, sys.argv[4:])
ms = lambda t0, t1: (t1 - t0) / tck * 1000
print(f"PUTs {n}")
print(f"node 1 CPU per PUT {ms(a0, a1)/n:.3f} ms (alone {solo:.3f} ms); sender CPU per replicated record {(ms(a0, a1)/n - solo)/2:.3f} ms")
print(f"receiver CPU per record: node 2 {ms(b0, b1)/n:.3f} ms, node 3 {ms(d0, d1)/n:.3f} ms")
print(f"/sync requests answered by node 2: {int(s1 - s0)}; records per request {n / max(s1 - s0, 1):.1f}")
PY
$B devnet down --dir "$DIR/n3" >/dev/null

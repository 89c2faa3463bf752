#!/usr/bin/env bash
# Load-independent costs of the storing server: per-message counts over a fixed batch of 1 KiB messages
# sent by smtp-source (one connection per message), after a warm-up batch.
#   system calls, context switches and CPU time of the relay process (perf stat -p), file syncs
#   (ext4_sync_file_enter: fsync + fdatasync on ext4) and inode allocations/frees in the relay.
# Usage: bench/load/counts.sh --relay PATH [--spool-dir DIR] [--messages N] [--sessions C] [--drain]
#   --drain  the warm-up batch is N messages and is emptied by forwarding it with `<relay> --as-client` to an
#            smtp-sink on 127.0.0.1 instead of `find -delete`: a relay that reuses the files it deletes (its
#            `<spool>/.pool`) then shows the steady state of a forwarded spool; without it, the counts are those
#            of a spool whose files someone else deletes (nothing to reuse). Report both.
# Needs perf with tracepoints (root) and postfix's smtp-source. Prints one line per run.
set -u -o pipefail
relay=""; spool=""; n=2000; c=10; drain=0
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --spool-dir) spool=$2; shift 2 ;;
        --messages) n=$2; shift 2 ;;
        --sessions) c=$2; shift 2 ;;
        --drain) drain=1; shift ;;
        *) echo "counts.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ -x "$relay" ] || { echo "counts.sh: --relay PATH required" >&2; exit 2; }
own_spool=0
if [ -z "$spool" ]; then spool=$(mktemp -d "$(cd "$(dirname "$0")/../.." && pwd)/.count-spool.XXXXXX"); own_spool=1; fi
mkdir -p "$spool"
out=$(mktemp)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$relay" --no-daemon --user "$(id -un)" --port "$port" --interface 127.0.0.1 --spool-dir "$spool" --log >/dev/null 2>&1 &
rp=$!
sinkp=""
cleanup() { kill "$rp" $sinkp 2>/dev/null; wait "$rp" $sinkp 2>/dev/null; rm -f "$out"; find "$spool" -maxdepth 1 -type f -delete; [ "$own_spool" = 1 ] && rm -rf "$spool"; }
trap cleanup EXIT
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
send() { timeout 300 /usr/sbin/smtp-source -M bench.localdomain -f s@bench.localdomain -t r@bench.localdomain -l 1024 -m "$1" -s "$c" "127.0.0.1:$port"; }
if [ "$drain" = 1 ]; then
    sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    sink_user=(); [ "$(id -u)" -eq 0 ] && sink_user=(-u root)
    /usr/sbin/smtp-sink "${sink_user[@]}" -c "127.0.0.1:$sport" 1024 >/dev/null 2>&1 &
    sinkp=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$sport") 2>/dev/null && break; sleep 0.05; done
    send "$n" && timeout 300 "$relay" --as-client "127.0.0.1:$sport" --user "$(id -un)" --spool-dir "$spool" >/dev/null 2>&1
    find "$spool" -maxdepth 1 -type f -delete
else
    send 1000 && find "$spool" -maxdepth 1 -type f -delete
fi
perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter,ext4:ext4_sync_file_enter,ext4:ext4_allocate_inode,ext4:ext4_free_inode -p "$rp" -o "$out" &
sp=$!
sleep 0.5
t0=$(date +%s.%N); send "$n"; t1=$(date +%s.%N)
kill -INT "$sp"; wait "$sp" 2>/dev/null
stored=$(find "$spool" -maxdepth 1 -name '*.envelope' | wc -l)
python3 - "$out" "$n" "$t0" "$t1" "$stored" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(stat -f -c %T "$spool")" "$c" <<'PY'
import sys
path, n, t0, t1, stored, load, fs, c = sys.argv[1:]
n = int(n); v = {}
for line in open(path):
    f = line.strip().split(',')
    if len(f) > 2 and f[0] and f[0][0].isdigit():
        v[f[2]] = float(f[0])
g = lambda k: v.get(k, 0.0) / n
print(f"{fs} c={c} n={n} stored={stored}: {g('raw_syscalls:sys_enter'):.1f} syscalls/msg, "
      f"{g('context-switches'):.1f} ctx switches/msg, {g('task-clock') * 1000:.0f} us CPU/msg, "
      f"{g('ext4:ext4_sync_file_enter'):.2f} file syncs/msg, {g('ext4:ext4_allocate_inode'):.2f} inode allocs/msg, "
      f"{g('ext4:ext4_free_inode'):.2f} inode frees/msg; {n / (float(t1) - float(t0)):.0f} msgs/s (load {load})")
PY

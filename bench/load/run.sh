#!/usr/bin/env bash
# End-to-end load test: smtp-source -> (smtp-sink | emailrelay) on 127.0.0.1.
#
# Measures msgs/s at concurrency c=1,10,50 and message sizes 1 KiB and 1 MiB for:
#   direct   smtp-source -> smtp-sink (the ceiling)
#   disk     smtp-source -> emailrelay store mode, spool on disk
#   tmpfs    smtp-source -> emailrelay store mode, spool on tmpfs (/dev/shm)
# If the relay binary is missing or does not start, the relay rows say so and the
# direct rates are still printed.
#
# Usage: bench/load/run.sh [--relay PATH] [--seconds N] [--concurrency "1 10 50"]
#                          [--sizes "1024 1048576"] [--publish] [--quick]
#   --relay PATH   the emailrelay executable (default: <repo>/publish/emailrelay)
#   --publish      run `dotnet publish src/EmailRelay.Cli -c Release -o publish` first
#   --seconds N    target duration of each measured point (default 3)
#   --quick        1 second per point (smoke test)
#   --reuse        smtp-source -d: send every message of a session on one connection
#                  (default: one connection per message)
#   --disk-dir D   parent of the on-disk spool (default: the repository, never a shared /tmp: see below)
#   --drain        empty the spool after each batch by forwarding it with `<relay> --as-client` to the
#                  smtp-sink (not timed) instead of `find -delete`. The relay keeps the files it deletes
#                  in a pool of free files (`<spool>/.pool`) and reuses them for new messages instead of
#                  creating files; a spool emptied by someone else's `find -delete` gives it nothing to
#                  reuse, so the default rows measure a relay that only ever creates (a spool nobody
#                  forwards from), and --drain measures the steady state of a spool that is forwarded.
#                  Report both. Each drain is bounded by the point time cap and checks the spool is empty.
# The disk spool is a fresh directory, and the fdatasync probe runs in a sibling directory of its own
# *after* the relay rows: on ext4 without a journal (this project's build machine) every file creation
# in a directory skips, one lookup each, all inodes of its group freed in the last 60-300 s, under the
# directory lock. A probe churning 10,000 files in the spool first, or other processes' test files in
# /tmp, made each create cost milliseconds and measured the kernel, not the relay. The "create" note
# prints the cost of one create+unlink in the spool directory before and after the relay rows.
# Every loop is bounded in count and time; every process started is stopped on exit.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
relay="$repo/publish/emailrelay"
seconds=3
concurrency="1 10 50"
sizes="1024 1048576"
publish=0
reuse=()
disk_parent=""
drain=0

while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --concurrency) concurrency=$2; shift 2 ;;
        --sizes) sizes=$2; shift 2 ;;
        --publish) publish=1; shift ;;
        --quick) seconds=1; shift ;;
        --reuse) reuse=(-d); shift ;;
        --disk-dir) disk_parent=$2; shift 2 ;;
        --drain) drain=1; shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
for tool in "$SINK" "$SOURCE" python3 timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: missing $tool (apt-get install postfix coreutils python3)" >&2; exit 2; }
done

max_messages=100000          # hard cap per point
max_point_seconds=120        # hard time cap per smtp-source run
start_deadline_seconds=20    # how long a server may take to listen

work=$(mktemp -d "${TMPDIR:-/tmp}/emailrelay-load.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$work" "${shm_dir:-}" "${disk_dir:-}" "${disk_probe_dir:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Polls until 127.0.0.1:$1 accepts a connection, for at most $start_deadline_seconds. $2 = pid to watch.
wait_listening() {
    local port=$1 pid=$2 i
    for ((i = 0; i < start_deadline_seconds * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

now() { date +%s.%N; }

# Runs smtp-source: $1 port, $2 sessions, $3 messages, $4 size. Prints elapsed seconds, fails on error.
source_run() {
    local port=$1 sessions=$2 count=$3 size=$4 t0 t1
    t0=$(now)
    timeout "$max_point_seconds" "$SOURCE" "${reuse[@]}" -M bench.localdomain -f sender@bench.localdomain -t rcpt@bench.localdomain \
        -l "$size" -m "$count" -s "$sessions" "127.0.0.1:$port" >"$work/source.out" 2>&1 || return 1
    t1=$(now)
    python3 -c "print(max($t1 - $t0, 1e-6))"
}

# Measures msgs/s against a port: calibrate with a small batch, then run ~$seconds worth.
# $1 port, $2 sessions, $3 size, $4 optional function run after each batch with the batch size.
measure() {
    local port=$1 sessions=$2 size=$3 after=${4:-} calib elapsed count
    calib=$((sessions * 4))
    [ "$size" -le 4096 ] && calib=$((sessions * 20 > 200 ? sessions * 20 : 200))
    elapsed=$(source_run "$port" "$sessions" "$calib" "$size") || { echo "error"; return; }
    [ -n "$after" ] && "$after" "$calib"
    count=$(python3 -c "import math; print(min($max_messages, max($sessions, int(math.ceil($calib / $elapsed * $seconds)))))")
    elapsed=$(source_run "$port" "$sessions" "$count" "$size") || { echo "error"; return; }
    [ -n "$after" ] && "$after" "$count"
    python3 -c "print(f'{$count / $elapsed:.0f} ({$count})')"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The disk's own sync rate, for context: threads each create a 1 KiB file and fdatasync it, 2 s.
# $1 directory, $2 threads. Prints syncs/s.
sync_probe() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import os, sys, threading, time
d, n = sys.argv[1], int(sys.argv[2])
counts = [0] * n
def work(i):
    end = time.monotonic() + 2.0
    k = 0
    while time.monotonic() < end:
        p = os.path.join(d, f"probe.{i}.{k}")
        fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o600)
        os.write(fd, b"x" * 1024)
        os.fdatasync(fd)
        os.close(fd)
        os.unlink(p)
        k += 1
    counts[i] = k
threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
[t.start() for t in threads]
[t.join() for t in threads]
print(f"{sum(counts) / 2.0:.0f}")
PY
}

# Microseconds per create+unlink of an empty file in $1 (200 files), for context.
create_probe() {
    /usr/bin/python3 - "$1" <<'PY'
import os, sys, time
d, n = sys.argv[1], 200
t = time.perf_counter()
for i in range(n):
    os.close(os.open(os.path.join(d, f"create-probe.{i}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
t1 = time.perf_counter()
for i in range(n):
    os.unlink(os.path.join(d, f"create-probe.{i}"))
print(f"{(t1 - t) / n * 1e6:.0f} us")
PY
}

size_name() { [ "$1" -ge 1048576 ] && echo "$(($1 / 1048576)) MiB" || echo "$(($1 / 1024)) KiB"; }

declare -A results
row_names=()

run_config() { # $1 name, $2 port, $3 optional after-batch function
    local name=$1 port=$2 after=${3:-} size c
    for size in $sizes; do
        row_names+=("$name|$size")
        for c in $concurrency; do
            results["$name|$size|$c"]=$(measure "$port" "$c" "$size" "$after")
            echo "  $name $(size_name "$size") c=$c: ${results["$name|$size|$c"]} msgs/s (load average $(loadavg))" >&2
        done
    done
}

sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u root)

# (a) direct: smtp-source -> smtp-sink
sink_port=$(free_port)
"$SINK" "${sink_user[@]}" -c "127.0.0.1:$sink_port" 1024 >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!
pids+=("$sink_pid")
if ! wait_listening "$sink_port" "$sink_pid"; then
    echo "run.sh: smtp-sink did not start:" >&2; cat "$work/sink.err" >&2; exit 1
fi
echo "direct: smtp-sink on 127.0.0.1:$sink_port" >&2
run_config direct "$sink_port"

# (b), (c) relay in store mode
if [ "$publish" -eq 1 ]; then
    (cd "$repo" && dotnet publish src/EmailRelay.Cli -c Release -o publish >"$work/publish.log" 2>&1) \
        || echo "run.sh: dotnet publish failed, see the log below" >&2
fi

relay_note=""
probe_notes=()
start_relay() { # $1 spool dir; sets relay_port, relay_pid
    relay_port=$(free_port)
    # --user: as root the relay would switch to "daemon" after binding and could not write the spool.
    "$relay" --no-daemon --user "$(id -un)" --port "$relay_port" --interface 127.0.0.1 --spool-dir "$1" --log \
        >"$work/relay.out" 2>"$work/relay.err" &
    relay_pid=$!
    pids+=("$relay_pid")
    wait_listening "$relay_port" "$relay_pid"
}
# After each relay batch: check that every message was stored, then empty the spool.
spool_after() { # $1 messages sent
    local stored
    stored=$(find "$spool" -maxdepth 1 -name '*.envelope' | wc -l)
    [ "$stored" -ne "$1" ] && echo "run.sh: warning: $stored envelopes in $spool after sending $1 messages" >&2
    if [ "$drain" -eq 1 ]; then
        timeout "$max_point_seconds" "$relay" --as-client "127.0.0.1:$sink_port" --user "$(id -un)" --spool-dir "$spool" \
            >"$work/drain.out" 2>"$work/drain.err" || echo "run.sh: warning: drain failed: $(tail -c 300 "$work/drain.err")" >&2
        left=$(find "$spool" -maxdepth 1 -type f -name 'emailrelay.*' | wc -l)
        [ "$left" -ne 0 ] && echo "run.sh: warning: $left files left in $spool after the drain" >&2
    fi
    find "$spool" -maxdepth 1 -type f -delete
}
stop_relay() {
    kill "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
}

if [ ! -x "$relay" ]; then
    relay_note="relay not found at $relay (build it with: dotnet publish src/EmailRelay.Cli -c Release -o publish)"
else
    shm_dir=""
    if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
        shm_dir=$(mktemp -d /dev/shm/emailrelay-load.XXXXXX)
    fi
    disk_dir=$(mktemp -d "${disk_parent:-$repo}/.load-spool.XXXXXX")
    disk_probe_dir="$disk_dir.probe"
    for cfg in disk tmpfs; do
        if [ "$cfg" = disk ]; then spool=$disk_dir; else spool=$shm_dir; fi
        [ -z "$spool" ] && { relay_note="no tmpfs at /dev/shm: tmpfs rows skipped"; continue; }
        mkdir -p "$spool"
        if ! start_relay "$spool"; then
            relay_note="relay did not start (stderr: $(head -c 300 "$work/relay.err" | tr '\n' ' '))"
            stop_relay
            break
        fi
        echo "$cfg: relay on 127.0.0.1:$relay_port, spool $spool" >&2
        created_before=$(create_probe "$spool")
        run_config "relay-$cfg" "$relay_port" spool_after
        stop_relay
        probe_notes+=("$cfg spool: create+unlink $created_before before the relay rows, $(create_probe "$spool") after")
        probe_dir=$spool
        if [ "$cfg" = disk ]; then probe_dir=$disk_probe_dir; mkdir -p "$probe_dir"; fi
        probe_notes+=("$cfg spool: $(sync_probe "$probe_dir" 1) fdatasync/s with 1 thread, $(sync_probe "$probe_dir" 16) with 16 threads (load average $(loadavg))")
        if [ "$cfg" = disk ]; then rm -rf "$disk_dir" "$disk_probe_dir"; fi
    done
fi

# Table
printf '\nmsgs/s (messages in the measured batch); %s s per point, 127.0.0.1\n' "$seconds"
printf '%-12s %-7s' config size
for c in $concurrency; do printf ' %16s' "c=$c"; done
printf '\n'
for row in "${row_names[@]}"; do
    name=${row%%|*}; size=${row#*|}
    printf '%-12s %-7s' "$name" "$(size_name "$size")"
    for c in $concurrency; do printf ' %16s' "${results["$row|$c"]}"; done
    printf '\n'
done
for note in "${probe_notes[@]}"; do printf '%s\n' "$note"; done
[ "$drain" -eq 1 ] && printf 'spool emptied after each batch by %s --as-client (--drain)\n' "$relay"
printf 'load average at the end: %s; nproc %s\n' "$(loadavg)" "$(nproc)"
if [ -n "$relay_note" ]; then printf '\nrelay: %s\n' "$relay_note"; fi
exit 0

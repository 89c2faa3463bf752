# Shared by the store-mode filter benchmarks (filter.sh, dkim.sh): options, tools, a work directory,
# free ports, the c=N smtp-source rate, relay CPU per message, one relay point, and a running smtp-sink.
# The sourcing script sets bench_name and help_lines first, and may define point_extra SPOOL, whose
# output is appended to each point's "N/M stored" (default: nothing).
# shellcheck shell=bash
declare -F point_extra >/dev/null || point_extra() { :; }
set -u -o pipefail

repo=$(cd "$here/../.." && pwd)
relay="$repo/publish/emailrelay"
messages=2000
rounds=2
concurrency=10
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --concurrency) concurrency=$2; shift 2 ;;
        -h|--help) sed -n "2,${help_lines}p" "$0"; exit 0 ;;
        *) echo "$bench_name: unknown argument: $1" >&2; exit 2 ;;
    esac
done

SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
for tool in "$SINK" "$SOURCE" "$relay" python3 timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$bench_name: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/emailrelay-$bench_name.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_listening() { # $1 port, $2 pid; at most 30 s
    local i
    for ((i = 0; i < 600; i++)); do
        kill -0 "$2" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
now() { date +%s.%N; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Sends $messages 1 KiB messages at c=$concurrency to port $1; prints msgs/s, or "error".
rate() {
    local t0 t1
    t0=$(now)
    timeout 300 "$SOURCE" -M bench.localdomain -f sender@bench.localdomain -t rcpt@bench.localdomain \
        -l 1024 -m "$messages" -s "$concurrency" "127.0.0.1:$1" >"$work/source.out" 2>&1 || { echo error; return; }
    t1=$(now)
    python3 -c "print(f'{$messages / max($t1 - $t0, 1e-6):.0f}')"
}

# CPU ticks of a process: "self children" (utime+stime, cutime+cstime of reaped children).
cpu() { awk '{ print $14 + $15, $16 + $17 }' "/proc/$1/stat"; }
per_message() { # $1 "self children" before, $2 after; ticks are 1/100 s
    python3 -c "import sys; a=list(map(int,'$1'.split())); b=list(map(int,'$2'.split())); print(f'relay {(b[0]-a[0])*10/$messages:.2f} ms + children {(b[1]-a[1])*10/$messages:.2f} ms')"
}

# Runs one relay point: $1 name, $2 user, rest: extra options.
relay_point() {
    local name=$1 user=$2 spool port pid result stored extra
    shift 2
    spool="$work/spool.$name"
    mkdir -p "$spool"
    [ "$user" != "$(id -un)" ] && chown "$user" "$spool"
    port=$(free_port)
    "$relay" --no-daemon --user "$user" --port "$port" --interface 127.0.0.1 --spool-dir "$spool" --log "$@" \
        >"$work/relay.out" 2>"$work/relay.err" &
    pid=$!
    pids+=("$pid")
    if ! wait_listening "$port" "$pid"; then
        echo "  $name: relay did not start: $(tail -3 "$work/relay.err")" >&2
        return
    fi
    local cpu0 cpu1
    cpu0=$(cpu "$pid")
    result=$(rate "$port")
    cpu1=$(cpu "$pid")
    stored=$(find "$spool" -maxdepth 1 -name '*.envelope' | wc -l)
    extra=$(point_extra "$spool")
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$spool"
    echo "  $name c=$concurrency: $result msgs/s, $stored/$messages stored$extra, CPU per message: $(per_message "$cpu0" "$cpu1") (load average $(loadavg))" >&2
}

sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u root)
sink_port=$(free_port)
"$SINK" "${sink_user[@]}" -c "127.0.0.1:$sink_port" 1024 >"$work/sink.out" 2>&1 &
pids+=("$!")
wait_listening "$sink_port" "$!" || { echo "$bench_name: smtp-sink did not start" >&2; exit 1; }


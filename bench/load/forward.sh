#!/usr/bin/env bash
# Forwarding load test: smtp-source -> emailrelay --as-proxy -> smtp-sink, and --as-client draining a
# pre-filled spool into smtp-sink, next to the direct smtp-source -> smtp-sink rate.
#
# Usage: bench/load/forward.sh [--relay PATH] [--messages N] [--proxy-messages N] [--concurrency "1 50"] [--size BYTES]
#   --relay PATH         the emailrelay executable (default: <repo>/publish/emailrelay)
#   --messages N         messages in the pre-filled spool for --as-client (default 5000)
#   --proxy-messages N   messages per proxy point (default 1000)
# Proxy rate = messages / (time from the first submission until the spool is empty again).
# Every loop is bounded; every process started is stopped on exit.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
relay="$repo/publish/emailrelay"
messages=5000
proxy_messages=1000
concurrency="1 50"
size=1024
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --proxy-messages) proxy_messages=$2; shift 2 ;;
        --concurrency) concurrency=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "forward.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
for tool in "$SINK" "$SOURCE" python3 timeout "$relay"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "forward.sh: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/emailrelay-forward.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / max($3 - $2, 1e-6):.0f}')"; }
wait_listening() { # $1 port $2 pid
    local i
    for ((i = 0; i < 400; i++)); do
        kill -0 "$2" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
wait_spool_empty() { # $1 dir; at most 300 s
    local i
    for ((i = 0; i < 6000; i++)); do
        [ -z "$(find "$1" -maxdepth 1 -name 'emailrelay.*' -print -quit)" ] && return 0
        sleep 0.05
    done
    return 1
}
user=(--user "$(id -un)")
sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u root)

sink_port=$(free_port)
"$SINK" "${sink_user[@]}" "127.0.0.1:$sink_port" 1024 >"$work/sink.out" 2>"$work/sink.err" &
pids+=($!)
wait_listening "$sink_port" "${pids[-1]}" || { echo "forward.sh: smtp-sink did not start" >&2; exit 1; }
source_run() { # $1 port $2 sessions $3 count
    timeout 300 "$SOURCE" -M bench.localdomain -f sender@bench.localdomain -t rcpt@bench.localdomain \
        -l "$size" -m "$3" -s "$2" "127.0.0.1:$1" >"$work/source.out" 2>&1
}

printf 'forwarding load, %s-byte messages, 127.0.0.1, spool on %s\n' "$size" "$(stat -f -c %T "$work")"
for c in $concurrency; do
    t0=$(now); source_run "$sink_port" "$c" "$proxy_messages"; t1=$(now)
    printf 'direct   c=%-3s %6s msgs/s (%s)\n' "$c" "$(rate "$proxy_messages" "$t0" "$t1")" "$proxy_messages"
done

for c in $concurrency; do
    spool="$work/proxy-$c"; mkdir -p "$spool"
    port=$(free_port)
    "$relay" --as-proxy "127.0.0.1:$sink_port" --no-daemon --port "$port" --interface 127.0.0.1 --spool-dir "$spool" \
        --log-file "$work/proxy-$c.log" "${user[@]}" >"$work/proxy.out" 2>&1 &
    pid=$!; pids+=("$pid")
    wait_listening "$port" "$pid" || { echo "forward.sh: proxy did not start: $(head -c 300 "$work/proxy.out")" >&2; continue; }
    t0=$(now); source_run "$port" "$c" "$proxy_messages"; wait_spool_empty "$spool"; t1=$(now)
    printf 'proxy    c=%-3s %6s msgs/s (%s, submission to empty spool)\n' "$c" "$(rate "$proxy_messages" "$t0" "$t1")" "$proxy_messages"
    kill "$pid"; wait "$pid" 2>/dev/null
done

spool="$work/client"; mkdir -p "$spool"
port=$(free_port)
"$relay" --no-daemon --port "$port" --interface 127.0.0.1 --spool-dir "$spool" "${user[@]}" --no-syslog >"$work/fill.out" 2>&1 &
pid=$!; pids+=("$pid")
wait_listening "$port" "$pid" || { echo "forward.sh: store relay did not start" >&2; exit 1; }
source_run "$port" 20 "$messages"
kill "$pid"; wait "$pid" 2>/dev/null
filled=$(find "$spool" -maxdepth 1 -name '*.envelope' | wc -l)
t0=$(now)
timeout 600 "$relay" --as-client "127.0.0.1:$sink_port" --spool-dir "$spool" "${user[@]}" >"$work/client.out" 2>&1
code=$?
t1=$(now)
left=$(find "$spool" -maxdepth 1 -name 'emailrelay.*' | wc -l)
printf 'as-client          %6s msgs/s (%s messages, exit %s, %s files left)\n' "$(rate "$filled" "$t0" "$t1")" "$filled" "$code" "$left"

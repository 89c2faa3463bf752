#!/usr/bin/env bash
# Proxy throughput through a real HAProxy (send-proxy, TCP mode) to one relay and to three relays sharing one spool.
#
# smtp-source (c sessions, 1 KiB, one connection per message) -> HAProxy 127.0.0.1 -> N x emailrelay
# (--server-proxy-protocol 127.0.0.1 --forward-to sink --forward-on-disconnect, all on one spool) -> smtp-sink.
# Rows, in one run so they see the same machine: "direct" smtp-source -> smtp-sink; "relay" smtp-source -> one relay
# without HAProxy; "haproxy1" and "haproxy3" through HAProxy. A rate is messages / (first submission to empty spool).
#
# Usage: bench/load/haproxy.sh --relay PATH [--messages N] [--concurrency "50"] [--repeat N]
set -u -o pipefail

relay=""
messages=2000
concurrency="50"
repeat=1
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --concurrency) concurrency=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "haproxy.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
HAPROXY=/usr/sbin/haproxy
for tool in "$SINK" "$SOURCE" "$HAPROXY" /usr/bin/python3 timeout "$relay"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "haproxy.sh: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/emailrelay-haproxy.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
rate() { /usr/bin/python3 -c "print(f'{$1 / max($3 - $2, 1e-6):.0f}')"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
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
sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u root)

sink_port=$(free_port)
"$SINK" "${sink_user[@]}" "127.0.0.1:$sink_port" 1024 >"$work/sink.out" 2>&1 &
pids+=($!)
wait_listening "$sink_port" "${pids[-1]}" || { echo "haproxy.sh: smtp-sink did not start" >&2; exit 1; }
source_run() { # $1 port $2 sessions
    timeout 300 "$SOURCE" -M bench.localdomain -f sender@bench.localdomain -t rcpt@bench.localdomain \
        -l 1024 -m "$messages" -s "$2" "127.0.0.1:$1" >"$work/source.out" 2>&1
}
relay_pids=()
start_relays() { # $1 spool $2 count $3.. extra options; sets ports
    local i port
    ports=()
    for ((i = 0; i < $2; i++)); do
        port=$(free_port)
        "$relay" --no-daemon --port "$port" --interface 127.0.0.1 --spool-dir "$1" --user "$(id -un)" --no-syslog \
            --forward-to "127.0.0.1:$sink_port" --forward-on-disconnect "${@:3}" >"$work/relay-$i.out" 2>&1 &
        relay_pids+=($!); pids+=($!)
        wait_listening "$port" "$!" || { echo "haproxy.sh: relay did not start: $(head -c 300 "$work/relay-$i.out")" >&2; return 1; }
        ports+=("$port")
    done
}
stop_relays() { local pid; for pid in "${relay_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done; relay_pids=(); }
start_haproxy() { # $1 front port, then the relay ports; sets hpid
    local front=$1 p i=0
    shift
    { printf 'global\n  maxconn 4096\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n'
      printf 'frontend f\n  bind 127.0.0.1:%s\n  default_backend b\nbackend b\n  balance roundrobin\n' "$front"
      for p in "$@"; do printf '  server s%s 127.0.0.1:%s send-proxy\n' "$i" "$p"; i=$((i + 1)); done; } >"$work/haproxy.cfg"
    "$HAPROXY" -db -f "$work/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
    hpid=$!; pids+=("$hpid")
    wait_listening "$front" "$hpid" || { echo "haproxy.sh: haproxy did not start: $(head -c 300 "$work/haproxy.out")" >&2; return 1; }
}

printf 'proxy through HAProxy, 1 KiB, %s messages, nproc %s, spool on %s, relay %s, %s\n' "$messages" "$(nproc)" "$(stat -f -c %T "$work")" "$relay" "$($HAPROXY -v | head -n 1)"
for ((r = 0; r < repeat; r++)); do
    for c in $concurrency; do
        t0=$(now); source_run "$sink_port" "$c"; t1=$(now)
        printf 'direct    c=%-3s %6s msgs/s (load %s)\n' "$c" "$(rate "$messages" "$t0" "$t1")" "$(loadavg)"

        spool="$work/spool-relay"; mkdir -p "$spool"
        if start_relays "$spool" 1; then
            t0=$(now); source_run "${ports[0]}" "$c"; wait_spool_empty "$spool"; t1=$(now)
            printf 'relay     c=%-3s %6s msgs/s (no HAProxy; %s files left; load %s)\n' "$c" "$(rate "$messages" "$t0" "$t1")" "$(find "$spool" -maxdepth 1 -name 'emailrelay.*' | wc -l)" "$(loadavg)"
        fi
        stop_relays; rm -rf "$spool"

        for n in 1 3; do
            spool="$work/spool-$n"; mkdir -p "$spool"
            front=$(free_port)
            if start_relays "$spool" "$n" --server-proxy-protocol 127.0.0.1 && start_haproxy "$front" "${ports[@]}"; then
                t0=$(now); source_run "$front" "$c"; code=$?; wait_spool_empty "$spool"; t1=$(now)
                printf 'haproxy%s  c=%-3s %6s msgs/s (%s relays on one spool; smtp-source exit %s; %s files left; load %s)\n' "$n" "$c" "$(rate "$messages" "$t0" "$t1")" "$n" "$code" "$(find "$spool" -maxdepth 1 -name 'emailrelay.*' | wc -l)" "$(loadavg)"
            fi
            kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null
            stop_relays; rm -rf "$spool"
        done
    done
done

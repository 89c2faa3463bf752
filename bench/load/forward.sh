#!/usr/bin/env bash
# Forwarding load test, every row in the same run as the direct smtp-source -> smtp-sink rate:
#   direct     smtp-source -> smtp-sink                               (the ceiling)
#   store      smtp-source -> emailrelay storing only                 (the proxy's own ceiling: it stores first)
#   proxy      smtp-source -> emailrelay --as-proxy -> smtp-sink      (rate = submitted / first submission -> spool empty)
#   as-client  emailrelay --as-client draining a pre-filled spool into smtp-sink (with --client-connections N)
#   latency    one message at a time, first byte -> upstream has it, p50 (bench/load/latency.py), direct and proxy
# Each point prints the load average; as-client also prints CPU time per message (user+sys, less load-dependent).
#
# Usage: bench/load/forward.sh [--relay PATH] [--messages N] [--proxy-messages N] [--concurrency "1 50"]
#                              [--sizes "1024 1048576"] [--client-connections "1 4"] [--proxy-connections N]
#                              [--latency-messages N] [--pipelining] [--spool-parent DIR] [--rows "..."] [--keep-spools]
#   --relay PATH            the emailrelay executable (default: <repo>/publish/emailrelay)
#   --messages N            messages in the pre-filled spool for --as-client (default 5000)
#   --proxy-messages N      messages per 1 KiB proxy point (default 1000; 1 MiB points use N/10)
#   --client-connections L  --client-connections values for the as-client rows (default "1 4")
#   --proxy-connections N   --client-connections for the proxy rows (default 1)
#   --pipelining            adds --client-smtp-config pipelining to the relay's forwarding
#   --spool-parent DIR      makes the relays' spool directories under DIR (e.g. /dev/shm, a tmpfs, to separate
#                           the forwarding's own cost from the file system's); one temporary directory, removed on exit
#                           (default: the work directory under ${TMPDIR:-/tmp})
#   --rows "..."            which rows to run, any of: direct store proxy latency client (default: all)
#   --keep-spools           removes each row's spool only on exit, not before the next row: on ext4 without a journal,
#                           creating inodes within about 60 s of a mass delete in the same inode group costs a lookup
#                           per recently freed inode, so a row run right after the previous row's `rm -rf` measures
#                           that as much as the relay (bench/RESULTS.md, 2026-12-07 proxy section)
# Every loop is bounded; every process started is stopped on exit.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
relay="$repo/publish/emailrelay"
messages=5000
proxy_messages=1000
concurrency="1 50"
sizes="1024 1048576"
client_connections="1 4"
proxy_connections=1
latency_messages=200
client_extra=()
spool_parent=""
rows="direct store proxy latency client"
keep_spools=0
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --proxy-messages) proxy_messages=$2; shift 2 ;;
        --concurrency) concurrency=$2; shift 2 ;;
        --sizes|--size) sizes=$2; shift 2 ;;
        --client-connections) client_connections=$2; shift 2 ;;
        --proxy-connections) proxy_connections=$2; shift 2 ;;
        --latency-messages) latency_messages=$2; shift 2 ;;
        --pipelining) client_extra=(--client-smtp-config pipelining); shift ;;
        --spool-parent) spool_parent=$2; shift 2 ;;
        --rows) rows=$2; shift 2 ;;
        --keep-spools) keep_spools=1; shift ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        *) echo "forward.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
for tool in "$SINK" "$SOURCE" /usr/bin/python3 /usr/bin/time timeout "$relay"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "forward.sh: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/emailrelay-forward.XXXXXX")
spools="$work"
if [ -n "$spool_parent" ]; then
    [ -d "$spool_parent" ] || { echo "forward.sh: --spool-parent $spool_parent is not a directory" >&2; rm -rf "$work"; exit 2; }
    spools=$(mktemp -d "$spool_parent/emailrelay-forward-spools.XXXXXX") || { rm -rf "$work"; exit 2; }
fi
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    [ "$spools" != "$work" ] && rm -rf "$spools"
    rm -rf "$work"
}
drop_spool() { [ "$keep_spools" = 1 ] || rm -rf "$1"; }
want() { case " $rows " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
rate() { /usr/bin/python3 -c "print(f'{$1 / max($3 - $2, 1e-6):.0f}')"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
size_name() { [ "$1" -ge 1048576 ] && echo "$(($1 / 1048576))MiB" || echo "$(($1 / 1024))KiB"; }
count_for() { [ "$1" -ge 1048576 ] && echo $((proxy_messages / 10 > 10 ? proxy_messages / 10 : 10)) || echo "$proxy_messages"; }
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
source_run() { # $1 port $2 sessions $3 count $4 size
    timeout 300 "$SOURCE" -M bench.localdomain -f sender@bench.localdomain -t rcpt@bench.localdomain \
        -l "$4" -m "$3" -s "$2" "127.0.0.1:$1" >"$work/source.out" 2>&1
}
start_relay() { # $1 spool, $2.. extra options; sets rport, rpid
    rport=$(free_port)
    "$relay" --no-daemon --port "$rport" --interface 127.0.0.1 --spool-dir "$1" "${user[@]}" --no-syslog "${@:2}" >"$work/relay.out" 2>&1 &
    rpid=$!; pids+=("$rpid")
    wait_listening "$rport" "$rpid" || { echo "forward.sh: relay did not start: $(head -c 300 "$work/relay.out")" >&2; return 1; }
}
stop_relay() { kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; }

printf 'forwarding load, 127.0.0.1, spool on %s under %s (fsync on), nproc %s, relay %s\n' "$(stat -f -c %T "$spools")" "$spools" "$(nproc)" "$relay"
proxy_options=(--client-connections "$proxy_connections" "${client_extra[@]}")
for size in $sizes; do
    n=$(count_for "$size")
    for c in $concurrency; do
        if want direct; then
            t0=$(now); source_run "$sink_port" "$c" "$n" "$size"; t1=$(now)
            printf 'direct    %-6s c=%-3s %6s msgs/s (%s messages; load %s)\n' "$(size_name "$size")" "$c" "$(rate "$n" "$t0" "$t1")" "$n" "$(loadavg)"
        fi

        spool="$spools/store-$size-$c"; mkdir -p "$spool"
        if want store && start_relay "$spool"; then
            t0=$(now); source_run "$rport" "$c" "$n" "$size"; t1=$(now)
            stored=$(find "$spool" -maxdepth 1 -name '*.envelope' | wc -l)
            printf 'store     %-6s c=%-3s %6s msgs/s (%s messages, %s stored; load %s)\n' "$(size_name "$size")" "$c" "$(rate "$n" "$t0" "$t1")" "$n" "$stored" "$(loadavg)"
            stop_relay
        fi
        drop_spool "$spool"

        spool="$spools/proxy-$size-$c"; mkdir -p "$spool"
        if want proxy && start_relay "$spool" --forward-to "127.0.0.1:$sink_port" --forward-on-disconnect --log --log-file "$work/proxy.log" "${proxy_options[@]}"; then
            t0=$(now); source_run "$rport" "$c" "$n" "$size"; wait_spool_empty "$spool"; t1=$(now)
            left=$(find "$spool" -maxdepth 1 -name 'emailrelay.*' | wc -l)
            printf 'proxy     %-6s c=%-3s %6s msgs/s (%s messages, submission to empty spool, %s files left; load %s)\n' \
                "$(size_name "$size")" "$c" "$(rate "$n" "$t0" "$t1")" "$n" "$left" "$(loadavg)"
            stop_relay
        fi
        drop_spool "$spool"
    done
done

# Latency, 1 KiB, one message at a time: direct, then through the proxy.
if want latency; then
    lport=$(free_port)
    printf 'latency   direct    %s (load %s)\n' "$(timeout 300 /usr/bin/python3 "$here/latency.py" --sink-port "$lport" --target-port "$lport" --messages "$latency_messages")" "$(loadavg)"
    lport=$(free_port)
    spool="$spools/latency"; mkdir -p "$spool"
    if start_relay "$spool" --forward-to "127.0.0.1:$lport" --forward-on-disconnect "${proxy_options[@]}"; then
        printf 'latency   proxy     %s (load %s)\n' "$(timeout 300 /usr/bin/python3 "$here/latency.py" --sink-port "$lport" --target-port "$rport" --messages "$latency_messages")" "$(loadavg)"
        stop_relay
    fi
    drop_spool "$spool"
fi

# --as-client: fill a spool once with the storing relay, then drain a fresh copy of it for each connection count.
want client || exit 0
fill="$spools/fill"; mkdir -p "$fill"
start_relay "$fill" || exit 1
source_run "$rport" 20 "$messages" 1024
stop_relay
filled=$(find "$fill" -maxdepth 1 -name '*.envelope' | wc -l)
for k in $client_connections; do
    spool="$spools/client-$k"; rm -rf "$spool"; cp -a "$fill" "$spool"
    t0=$(now)
    /usr/bin/time -f '%U %S' -o "$work/time.out" timeout 600 "$relay" --as-client "127.0.0.1:$sink_port" --spool-dir "$spool" "${user[@]}" \
        --client-connections "$k" "${client_extra[@]}" >"$work/client.out" 2>&1
    code=$?
    t1=$(now)
    left=$(find "$spool" -maxdepth 1 -name 'emailrelay.*' | wc -l)
    cpu=$(/usr/bin/python3 -c "u, s = map(float, open('$work/time.out').read().split()[-2:]); print(f'{(u + s) * 1e6 / max($filled, 1):.0f}')")
    printf 'as-client 1KiB   k=%-3s %6s msgs/s (%s messages, exit %s, %s files left, %s us CPU per message; load %s)\n' \
        "$k" "$(rate "$filled" "$t0" "$t1")" "$filled" "$code" "$left" "$cpu" "$(loadavg)"
    drop_spool "$spool"
done

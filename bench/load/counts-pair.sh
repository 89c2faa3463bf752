#!/usr/bin/env bash
# Interleaved per-message counts of two or more relay builds (bench/load/counts.sh for each, in turn), so that
# a change is judged against its baseline measured in the same minutes. Prints one counts.sh line per run,
# labelled, with the load average before and after; take medians per label.
# Usage: bench/load/counts-pair.sh [--sessions "10 50"] [--runs N] [--messages N] [--spool-dir DIR] LABEL=RELAY...
# Run it under the shared benchmark lock: flock /tmp/emailrelay-bench.lock bench/load/counts-pair.sh ...
# Bounded: runs x sessions x builds counts.sh runs, each bounded by counts.sh's own timeouts.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
sessions="10 50"; runs=3; n=4000; spool=""
while [ $# -gt 0 ]; do
    case "$1" in
        --sessions) sessions=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --messages) n=$2; shift 2 ;;
        --spool-dir) spool=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        --*) echo "counts-pair.sh: unknown argument: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "counts-pair.sh: give at least one LABEL=RELAY" >&2; exit 2; }
[ "$runs" -ge 1 ] && [ "$runs" -le 10 ] || { echo "counts-pair.sh: --runs 1..10" >&2; exit 2; }
own_spool=0
if [ -z "$spool" ]; then spool=$(mktemp -d /dev/shm/emailrelay-counts.XXXXXX); own_spool=1; fi
trap '[ "$own_spool" = 1 ] && rm -rf "$spool"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $sessions; do
    for _ in $(seq "$runs"); do
        for pair in "$@"; do
            label=${pair%%=*}; relay=${pair#*=}
            printf '%s ' "$label"
            "$here/counts.sh" --relay "$relay" --spool-dir "$spool" --sessions "$c" --messages "$n"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

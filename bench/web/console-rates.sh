#!/usr/bin/env bash
# The relay's store and proxy rates with the web console off and on, in the same run (issue 18: at most 3 % apart).
#   bench/web/console-rates.sh [--relay PATH] [--repeat N] [relaybench options...]
# Runs ../shared/bench/relaybench with bench/web/relays.ini: rows console-off and console-on alternate within each
# repeat, so load from elsewhere hits both alike. Needs smtp-source/smtp-sink (Debian postfix).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
relay="$repo/artifacts/publish/linux-x64/emailrelay"
repeat=3
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        *) extra+=("$1"); shift ;;
    esac
done
bench="${RELAYBENCH:-$repo/../shared/bench/relaybench}"
[ -x "$bench" ] || bench=/work/shared/bench/relaybench
echo "relay $relay; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --config "$here/relays.ini" --relays console-off,console-on --scenarios store,proxy --define relay="$relay" \
    --repeat "$repeat" --refs console-off "${extra[@]}"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

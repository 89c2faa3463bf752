#!/usr/bin/env bash
# One external filter program per message at c=10: smtp-source -> emailrelay --filter /bin/true.
#
# Points, interleaved and repeated (same run, so the same machine load), each printed with the load average:
#   direct        smtp-source -> smtp-sink (the ceiling of the tools)
#   nofilter      emailrelay store mode, no filter
#   true          emailrelay --filter /bin/true --user <current user> (posix_spawn of /bin/true)
#   true-setpriv  emailrelay --filter /bin/true --user daemon, started as root: the child is started through
#                 /usr/bin/setpriv to get the real ids of daemon (two execs per message). Root only.
# Also, outside the relay: the cost of 500 sequential execs of /bin/true with and without setpriv.
#
# Usage: bench/load/filter.sh [--relay PATH] [--messages N] [--rounds N] [--concurrency C]
#   --relay PATH   the published emailrelay (default <repo>/publish/emailrelay;
#                  dotnet publish src/EmailRelay.Cli -c Release -r linux-x64 -o publish)
here=$(cd "$(dirname "$0")" && pwd)
bench_name=filter
help_lines=17
# shellcheck source=store-point.lib.sh
. "$here/store-point.lib.sh"

for ((round = 1; round <= rounds; round++)); do
    echo "round $round:" >&2
    echo "  direct c=$concurrency: $(rate "$sink_port") msgs/s (load average $(loadavg))" >&2
    relay_point nofilter "$(id -un)"
    relay_point true "$(id -un)" --filter /bin/true
    [ "$(id -u)" -eq 0 ] && relay_point true-setpriv daemon --filter /bin/true
done

# The exec cost alone, outside the relay: 500 sequential runs each way.
execs() { # $@ command
    local t0 t1 i
    t0=$(now)
    for ((i = 0; i < 500; i++)); do "$@"; done
    t1=$(now)
    python3 -c "print(f'{($t1 - $t0) / 500 * 1e6:.0f}')"
}
echo "exec cost: /bin/true $(execs /bin/true) us; setpriv -- /bin/true $(execs /usr/bin/setpriv --reuid=1 --regid=1 --clear-groups -- /bin/true) us (load average $(loadavg))" >&2

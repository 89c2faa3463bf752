#!/usr/bin/env bash
# The dkim: filter's cost at c=10: smtp-source -> emailrelay --filter dkim:... (store mode).
#
# Points, interleaved and repeated (same run, so the same machine load), each printed with the load average:
#   direct        smtp-source -> smtp-sink (the ceiling of the tools)
#   nofilter      emailrelay store mode, no filter
#   dkim-rsa      --filter dkim:d=bench.localdomain;s=rsa;key=<rsa 2048>;from=*
#   dkim-ed25519  --filter dkim:d=bench.localdomain;s=ed;key=<ed25519>;from=*
#   dkim-both     both signatures (one filter, one read and one rewrite of each message)
# The keys come from emailrelay-dkim-keygen (the same executable under that name).
#
# Usage: bench/load/dkim.sh [--relay PATH] [--messages N] [--rounds N] [--concurrency C]
#   --relay PATH   the published emailrelay (default <repo>/publish/emailrelay;
#                  dotnet publish src/EmailRelay.Cli -c Release -r linux-x64 -o publish)
here=$(cd "$(dirname "$0")" && pwd)
bench_name=dkim
help_lines=14
point_extra() { # $1 spool: how many stored contents carry a signature
    printf ', %s signed' "$(find "$1" -maxdepth 1 -name '*.content' -exec grep -l -m1 '^DKIM-Signature:' {} + 2>/dev/null | wc -l)"
}
# shellcheck source=store-point.lib.sh
. "$here/store-point.lib.sh"

ln -s "$relay" "$work/emailrelay-dkim-keygen"
"$work/emailrelay-dkim-keygen" -s rsa -d bench.localdomain "$work/rsa.pem" >/dev/null || exit 1
"$work/emailrelay-dkim-keygen" -a ed25519 -s ed -d bench.localdomain "$work/ed.pem" >/dev/null || exit 1
rsa="dkim:d=bench.localdomain;s=rsa;key=$work/rsa.pem;from=*"
ed="dkim:d=bench.localdomain;s=ed;key=$work/ed.pem;from=*"

for ((round = 1; round <= rounds; round++)); do
    echo "round $round:" >&2
    echo "  direct c=$concurrency: $(rate "$sink_port") msgs/s (load average $(loadavg))" >&2
    relay_point nofilter "$(id -un)"
    relay_point dkim-rsa "$(id -un)" --filter "$rsa"
    relay_point dkim-ed25519 "$(id -un)" --filter "$ed"
    relay_point dkim-both "$(id -un)" --filter "$rsa,$ed"
done

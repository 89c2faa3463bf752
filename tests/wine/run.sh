#!/usr/bin/env bash
# Windows end to end: publishes win-x64 multi-file (Wine 8 cannot start a .NET single-file bundle; the shipped
# download stays the single-file build of src/EmailRelay.Cli/Properties/PublishProfiles/win-x64.pubxml) and runs
# wine_e2e.py's black-box cases against emailrelay.exe under Debian's wine64.
# Usage: tests/wine/run.sh <trx-output-file>   (.ci/run adds the TRX file's counts to its closing line)
# Installs wine64 with apt-get when it is missing. With no wine to be had, every case reports SKIPPED with the reason.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
trx="${1:?usage: tests/wine/run.sh <trx-output-file>}"
work="$root/artifacts/wine"
publish="$work/win-x64"
wine64=/usr/lib/wine/wine64
started=$SECONDS

# A TRX file in which every case has <outcome> (NotExecuted or Failed) with <reason>.
write_all() {
    python3 - "$trx" "$1" "$2" "$(python3 "$root/tests/wine/wine_e2e.py" --list)" <<'PY'
import sys
from xml.sax.saxutils import escape
trx, outcome, reason, names = sys.argv[1:]
cases = names.split()
rows = "".join('    <UnitTestResult testName="wine.%s" outcome="%s"><Output><StdOut>%s</StdOut></Output></UnitTestResult>\n' % (c, outcome, escape(reason)) for c in cases)
failed = len(cases) if outcome == "Failed" else 0
skipped = len(cases) - failed
open(trx, "w").write('<?xml version="1.0" encoding="UTF-8"?>\n<TestRun name="wine" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">\n  <Results>\n%s  </Results>\n  <ResultSummary outcome="Completed">\n    <Counters total="%d" executed="%d" passed="0" failed="%d" notExecuted="%d" />\n  </ResultSummary>\n</TestRun>\n' % (rows, len(cases), failed, failed, skipped))
PY
}

skip_all() {
    write_all NotExecuted "SKIPPED: $1"
    echo "wine: SKIPPED: $1"
    exit 0
}

# Whatever stops this script before the cases wrote their TRX file (a failed publish, a broken prefix) counts as
# every case failed, so that it shows in CI's closing line.
finish() {
    local code=$?
    if [ -n "${WINEPREFIX:-}" ]; then
        wineserver -k >/dev/null 2>&1 || true
    fi
    if [ ! -s "$trx" ]; then
        write_all Failed "tests/wine/run.sh stopped before the cases ran (exit $code)"
        code=1
    fi
    exit "$code"
}
mkdir -p "$(dirname "$trx")"
rm -f "$trx"
trap finish EXIT

if [ ! -x "$wine64" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "wine: installing wine64" >&2
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 >/dev/null 2>&1 || true
    fi
    [ -x "$wine64" ] || skip_all "wine64 is not installed and could not be installed (apt-get install wine64)"
fi

rm -rf "$work"
mkdir -p "$work/run"
dotnet publish src/EmailRelay.Cli -p:PublishProfile=win-x64 -p:PublishSingleFile=false -p:PublishDir="$publish/" -nologo -v:q
[ -s "$publish/emailrelay.exe" ] || { echo "wine: publish produced no $publish/emailrelay.exe" >&2; exit 1; }
echo "wine: published multi-file win-x64 ($(( SECONDS - started )) s)"

# A prefix of our own, initialised once up front (the first start of a prefix takes long), and its wineserver
# stopped at the end (only ours: it is per prefix).
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
timeout 600 "$wine64" wineboot --init >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log" >&2; skip_all "wineboot --init failed (log above)"; }
wineserver -p >/dev/null 2>&1 || true
timeout 300 "$wine64" "$publish/emailrelay.exe" --version | head -n 1 | grep -q '^E-MailRelay V2\.6\.1' \
    || { echo "wine: emailrelay.exe --version failed under wine" >&2; exit 1; }
echo "wine: prefix ready ($(( SECONDS - started )) s)"

status=0
python3 "$root/tests/wine/wine_e2e.py" "$wine64" "$publish/emailrelay.exe" "$work/run" "$trx" || status=$?
echo "wine: $(( SECONDS - started )) s in all"
exit "$status"

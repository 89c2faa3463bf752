#!/bin/bash
# POP3 retrieval benchmark: N spooled messages of SIZE bytes, retrieved and deleted by one poplib
# client in one session (RETR n, DELE n for each, then QUIT). Prints msgs/s for the whole session
# (login with locking, all RETR/DELE round trips, QUIT with the deletes), as the client sees it: QUIT is
# answered once the deleted messages' envelopes are gone, and the time the relay then takes to remove their
# content files and sidecars is printed separately ("files removed ... after the reply").
# Runs, all on one relay: poplib on a fresh relay (empty free-file pool), the floor (the same file operations in
# Python), a pipelined session, and poplib again (the steady state of a running relay: its pool fed).
# left-in-spool counts message files; lock sidecars and the relay's free-file pool directory (.pool) are not messages.
# Usage: bench/load/pop.sh [--relay PATH] [N] [SIZE]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
relay="$root/src/EmailRelay.Cli/bin/Release/net10.0/emailrelay"
if [ "${1:-}" = "--relay" ]; then relay=$2; shift 2; fi
n=${1:-5000}
size=${2:-1024}
if [ ! -x "$relay" ]; then
    dotnet build "$root/src/EmailRelay.Cli" -c Release -v q -nologo >/dev/null
fi
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/spool"
echo "server plain bench bench-pw" > "$work/pop.auth"
read -r smtp pop < <(/usr/bin/python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
"$relay" --no-daemon --no-syslog --user "$(id -un)" --interface 127.0.0.1 --spool-dir "$work/spool" \
    --port "$smtp" --pop --pop-port "$pop" --pop-auth "$work/pop.auth" 2>"$work/relay.log" &
pid=$!
/usr/bin/python3 - "$smtp" "$pop" "$work/spool" "$n" "$size" "$pid" <<'PY'
import os, poplib, shutil, smtplib, socket, sys, time
smtp, pop, spool, n, size, relay_pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
def relay_cpu():
    # The relay's (user, system) CPU seconds, all threads (children of a --relay wrapper included): a cost
    # that depends much less on how loaded the machine is than the elapsed times do.
    user = system = 0.0
    for p in [relay_pid] + [int(x) for x in os.popen("pgrep -P %d" % relay_pid).read().split()]:
        try:
            f = open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()
            user += int(f[11]) / os.sysconf("SC_CLK_TCK")
            system += int(f[12]) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return (user, system)
def phase(label, cpu0, cpu1):
    u, s = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    return "%s cpu %.2fs user + %.2fs sys (%.0f us/msg)" % (label, u, s, (u + s) * 1e6 / n)
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", pop), 1).close(); break
    except OSError:
        time.sleep(0.05)
line = b"x" * 76 + b"\r\n"
body = (line * (size // len(line) + 1))[:size - 2] + b"\r\n"
with smtplib.SMTP("127.0.0.1", smtp) as s:
    s.sendmail("a@example.com", ["b@example.com"], b"Subject: bench\r\n\r\n" + body)
env = [f for f in os.listdir(spool) if f.endswith(".envelope")][0]
base = env[:-len(".envelope")]
content = open(os.path.join(spool, base + ".content"), "rb").read()
envelope = open(os.path.join(spool, env), "rb").read()
prefix, pid_, t, _ = base.split(".")
def fill(first, start=1):
    # Messages start..n as copies of the stored one, under ids first+start..first+n.
    for i in range(start, n + 1):
        name = "%s.%s.%s.%d" % (prefix, pid_, t, first + i)
        open(os.path.join(spool, name + ".content"), "wb").write(content)
        open(os.path.join(spool, name + ".envelope"), "wb").write(envelope)
fill(100000, start=2)
def settle():
    # QUIT is answered once the envelopes are gone; the relay removes the content files and lock sidecars just
    # after. Wait for that (bounded), so that the next step does not share the machine with it.
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 60:
        left = [f for f in os.listdir(spool) if f.startswith("emailrelay.") and not f.endswith(".lock")]
        if not left:
            break
        time.sleep(0.01)
    return time.perf_counter() - t0, len(left)
def poplib_session(label):
    print("load average: %s" % open("/proc/loadavg").read().strip())
    c0 = relay_cpu()
    start = time.perf_counter()
    p = poplib.POP3("127.0.0.1", pop, timeout=60)
    p.user("bench"); p.pass_("bench-pw")
    t_login = time.perf_counter() - start
    c1 = relay_cpu()
    count, total = p.stat()
    got = 0
    for i in range(1, count + 1):
        resp, lines, octets = p.retr(i)
        got += octets
        p.dele(i)
    t_loop = time.perf_counter() - start
    c2 = relay_cpu()
    p.quit()
    elapsed = time.perf_counter() - start
    c3 = relay_cpu()
    t_settle, left = settle()
    c4 = relay_cpu()
    print(label)
    print("relay: " + ", ".join([phase("login", c0, c1), phase("retr+dele", c1, c2), phase("quit", c2, c3), phase("after quit", c3, c4), phase("total", c0, c4)]))
    print("messages=%d size=%d octets=%d elapsed=%.3fs (login %.3fs, retr+dele %.3fs, quit %.3fs) rate=%.0f msgs/s; files removed %.3fs after the reply; left-in-spool=%d" % (count, len(content), got, elapsed, t_login, t_loop - t_login, elapsed - t_loop, count / elapsed, t_settle, left))
poplib_session("poplib (one command at a time; a relay just started, its free-file pool empty):")
# The floor on this machine, measured in the same run: the same per-message file operations done directly
# by Python (sidecar open+flock+marker, rename to .busy, stat the content; read the content; unlink both and
# the sidecar), no network, no protocol.
import fcntl, resource
for i in range(1, n + 1):
    name = "%s.%s.%s.%d" % (prefix, pid_, t, 300000 + i)
    open(os.path.join(spool, name + ".content"), "wb").write(content)
    open(os.path.join(spool, name + ".envelope.floor"), "wb").write(envelope)
def own():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
base = [os.path.join(spool, "%s.%s.%s.%d" % (prefix, pid_, t, 300000 + i)) for i in range(1, n + 1)]
cpu0, start = own(), time.perf_counter()
fds = []
for b in base:
    fd = os.open(b + ".floorlock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.pread(fd, 64, 0)
    os.rename(b + ".envelope.floor", b + ".envelope.floorbusy")
    os.ftruncate(fd, 0); os.pwrite(fd, b"busy 1\n", 0)
    os.stat(b + ".content")
    fds.append(fd)
t_lock = time.perf_counter() - start
for b in base:
    c = os.open(b + ".content", os.O_RDONLY | os.O_CLOEXEC); os.pread(c, len(content), 0); os.close(c)
t_read = time.perf_counter() - start
for b, fd in zip(base, fds):
    os.unlink(b + ".envelope.floorbusy"); os.unlink(b + ".content")
    os.ftruncate(fd, 0); os.unlink(b + ".floorlock"); os.close(fd)
elapsed = time.perf_counter() - start
print("direct file operations only (the floor):")
print("messages=%d elapsed=%.3fs (lock %.3fs, read %.3fs, delete %.3fs) cpu %.2fs rate=%.0f msgs/s" % (n, elapsed, t_lock, t_read - t_lock, elapsed - t_read, own() - cpu0, n / elapsed))
# Second run: the same client logic over a raw socket, pipelining RETR/DELE in batches of 50
# (RFC 2449 PIPELINING style; the server answers batched commands in order).
fill(200000)
c0 = relay_cpu()
start = time.perf_counter()
sock = socket.create_connection(("127.0.0.1", pop), 60)
f = sock.makefile("rb")
f.readline()
sock.sendall(b"USER bench\r\nPASS bench-pw\r\nSTAT\r\n")
f.readline(); f.readline()
count = int(f.readline().split()[1])
t_login = time.perf_counter() - start
c1 = relay_cpu()
got = 0
for first in range(1, count + 1, 50):
    batch = range(first, min(first + 50, count + 1))
    sock.sendall(b"".join(b"RETR %d\r\nDELE %d\r\n" % (i, i) for i in batch))
    for i in batch:
        assert f.readline().startswith(b"+OK")
        while (l := f.readline()) != b".\r\n":
            got += len(l)
        assert f.readline().startswith(b"+OK")
t_loop = time.perf_counter() - start
c2 = relay_cpu()
sock.sendall(b"QUIT\r\n")
assert f.readline().startswith(b"+OK")
elapsed = time.perf_counter() - start
c3 = relay_cpu()
t_settle, nleft = settle()
left = [None] * nleft
print("pipelined (batches of 50 RETR+DELE):")
print("relay: " + ", ".join([phase("login", c0, c1), phase("retr+dele", c1, c2), phase("quit", c2, c3), phase("total", c0, c3)]))
print("load average: %s" % open("/proc/loadavg").read().strip())
print("messages=%d size=%d octets=%d elapsed=%.3fs (login %.3fs, retr+dele %.3fs, quit %.3fs) rate=%.0f msgs/s left-in-spool=%d" % (count, len(content), got, elapsed, t_login, t_loop - t_login, elapsed - t_loop, count / elapsed, len(left)))
# Third run: poplib again on the same relay, the steady state of a running relay (its pool fed by the sessions before).
settle()
fill(400000)
poplib_session("poplib again (one command at a time; the same relay, its pool fed by the sessions before):")
PY

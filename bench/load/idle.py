#!/usr/bin/python3
"""Idle connections: how much memory does the relay hold per connected, idle SMTP client?

Starts the relay (store mode, spool on tmpfs or a temp dir), warms it up with a few hundred
complete sessions, records its RSS, then opens N connections that each read the greeting, send
EHLO, read the whole EHLO reply and then stay idle. Prints the RSS growth per idle connection.
The relay waits for input with zero-byte reads, so an idle connection should hold no read buffer.

Usage: bench/load/idle.py [--relay PATH] [--count N] [--batch B]
Every wait has a deadline; every process started is stopped on exit.
"""
import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def read_reply(sock, deadline):
    """Reads one (possibly multi-line) SMTP reply; returns its last line."""
    data = b""
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError("reply timeout")
        lines = data.split(b"\r\n")
        for line in lines[:-1]:
            if len(line) >= 4 and line[3:4] == b" ":
                return line
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the relay: " + data.decode(errors="replace"))
        data += chunk


def open_idle(port, count, batch, deadline):
    """Opens count connections in batches: greeting, EHLO, then idle. Returns the sockets."""
    held = []
    while len(held) < count:
        group = []
        for _ in range(min(batch, count - len(held))):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            group.append(s)
        for s in group:
            line = read_reply(s, deadline)
            if not line.startswith(b"220"):
                raise RuntimeError("greeting: " + line.decode(errors="replace"))
            s.sendall(b"EHLO idle.bench.localdomain\r\n")
        for s in group:
            line = read_reply(s, deadline)
            if not line.startswith(b"250"):
                raise RuntimeError("EHLO: " + line.decode(errors="replace"))
        held.extend(group)
    return held


def wait_listening(port, proc, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def settle(pid, seconds=3.0):
    """RSS after it stops moving (or after a few seconds): the last of a few samples."""
    end = time.monotonic() + seconds
    last = rss_kib(pid)
    while time.monotonic() < end:
        time.sleep(0.5)
        last = rss_kib(pid)
    return last


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay", default=os.path.join(repo, "publish", "emailrelay"))
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--limit-kib", type=float, default=10.0, help="pass/fail threshold per connection")
    args = ap.parse_args()

    # Both this driver and the relay (which inherits it) need a descriptor per connection.
    need = args.count + args.warmup + 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            sys.exit(f"idle.py: RLIMIT_NOFILE hard limit {hard} < {need}; raise it (ulimit -Hn) or lower --count")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    spool_parent = "/dev/shm" if os.path.isdir("/dev/shm") else None
    spool = tempfile.mkdtemp(prefix="emailrelay-idle.", dir=spool_parent)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([args.relay, "--no-daemon", "--user", user, "--port", str(port),
                             "--interface", "127.0.0.1", "--spool-dir", spool],
                            stdout=log, stderr=subprocess.STDOUT)
    held = []
    try:
        if not wait_listening(port, proc, 30):
            log.seek(0)
            sys.exit("idle.py: relay did not start: " + log.read(2000))
        deadline = time.monotonic() + 600
        # Warm-up: complete sessions (JIT, pools, thread pool), then closed.
        for s in open_idle(port, args.warmup, args.batch, deadline):
            s.sendall(b"QUIT\r\n")
            s.close()
        time.sleep(1)
        before = settle(proc.pid)
        t0 = time.monotonic()
        held = open_idle(port, args.count, args.batch, deadline)
        opened = time.monotonic() - t0
        after = settle(proc.pid)
        alive = proc.poll() is None
        per = (after - before) / args.count
        print(f"relay: {args.relay}")
        print(f"idle connections: {args.count} (greeting + EHLO each, opened in {opened:.1f} s)")
        print(f"relay RSS before: {before} KiB, with {args.count} idle: {after} KiB, threads: {threads(proc.pid) if alive else 0}")
        print(f"growth per idle connection: {per:.2f} KiB (target <= {args.limit_kib} KiB): "
              + ("met" if per <= args.limit_kib and alive else "NOT met"))
        # The relay must still serve a new client while holding them.
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        line = read_reply(s, time.monotonic() + 30)
        s.close()
        print("new client greeted while idle connections held: " + line.decode(errors="replace"))
        return 0 if per <= args.limit_kib else 1
    finally:
        for s in held:
            s.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()
        shutil.rmtree(spool, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

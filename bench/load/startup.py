#!/usr/bin/python3
"""Start-up time and idle memory of an emailrelay executable.

For each run: starts `RELAY --no-daemon --port P --interface 127.0.0.1 --spool-dir D --user <me>`,
measures the time from exec to the first accepted TCP connect on P (polled every 2 ms) and the CPU
time (user + system, all threads) the process used until then, which does not depend on load; then the
VmRSS after --idle seconds with no traffic, and stops it. Prints one line per run and the median, with
the load average at the start and the end (the machine is shared: read the numbers with it).

Usage: bench/load/startup.py --relay PATH [--runs N] [--idle S]
Every wait has a deadline; every process started is stopped on exit.
"""
import argparse
import getpass
import os
import socket
import statistics
import subprocess
import tempfile
import time

from idle import rss_kib


def cpu_ms(pid):
    """utime + stime of the process so far (all threads), in ms: start-up cost that does not depend on load."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(relay, idle):
    with tempfile.TemporaryDirectory(prefix="startup-") as spool:
        port = free_port()
        args = [relay, "--no-daemon", "--port", str(port), "--interface", "127.0.0.1",
                "--spool-dir", spool, "--user", getpass.getuser()]
        started = time.monotonic()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = started + 30
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"relay exited with {proc.returncode}")
                if time.monotonic() > deadline:
                    raise TimeoutError("relay not listening after 30 s")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.002)
            ready_ms = (time.monotonic() - started) * 1000
            cpu = cpu_ms(proc.pid)
            time.sleep(idle)
            rss = rss_kib(proc.pid)
            return ready_ms, cpu, rss
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--relay", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=2.0)
    a = parser.parse_args()
    print(f"relay {a.relay} ({os.path.getsize(a.relay) / 1048576:.1f} MiB); load at start {os.getloadavg()}")
    times, cpus, rsss = [], [], []
    for i in range(a.runs):
        ms, cpu, rss = one_run(a.relay, a.idle)
        times.append(ms)
        cpus.append(cpu)
        rsss.append(rss)
        print(f"run {i + 1}: listening after {ms:.0f} ms (CPU {cpu:.0f} ms), idle RSS {rss / 1024:.1f} MiB; load {os.getloadavg()[0]:.2f}")
    print(f"median: listening after {statistics.median(times):.0f} ms (CPU {statistics.median(cpus):.0f} ms), "
          f"idle RSS {statistics.median(rsss) / 1024:.1f} MiB; "
          f"load at end {os.getloadavg()}")


if __name__ == "__main__":
    main()

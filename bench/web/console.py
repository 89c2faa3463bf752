#!/usr/bin/env python3
"""Web console benchmarks (issue 18): queue listing over a large spool, and the memory an idle listener costs.

  bench/web/console.py [--relay PATH] [--messages 100000] [--requests 200] [--work-dir DIR] [--memory-runs 3]

listing: fills a spool with --messages message pairs (one in ten failed, seven senders), starts the relay with
  --http 127.0.0.1:0 --http-no-auth, waits for the console's index (GET /api/v1/stats: indexing false, total N),
  then times --requests GETs of each page kind over one keep-alive connection and prints p50 and p99 in ms.
memory: VmRSS of an idle relay (empty spool, SMTP listener) without and with --http, after its start settles,
  the median of --memory-runs starts each, and VmRSS of the console with the full spool indexed.
Loopback only; every wait has a deadline; every process started is stopped.
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time

ENVELOPE = ("X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: 7bit\r\nX-MailRelay-From: {frm}\r\nX-MailRelay-ToCount: 1\r\n"
            "X-MailRelay-To-Remote: {to}\r\nX-MailRelay-Authentication: \r\nX-MailRelay-Client: 127.0.0.1\r\n"
            "X-MailRelay-ClientCertificate: \r\nX-MailRelay-MailFromAuthIn: \r\nX-MailRelay-MailFromAuthOut: \r\n"
            "X-MailRelay-ForwardTo: \r\nX-MailRelay-ForwardToAddress: \r\nX-MailRelay-ClientAccountSelector: \r\n"
            "X-MailRelay-Utf8MailboxNames: 0\r\nX-MailRelay-End: 1\r\n")
REASON = "X-MailRelay-Reason: 550 mailbox unavailable\r\nX-MailRelay-ReasonCode: 550\r\n"


def fill(spool, n):
    base = int(time.time()) - n - 10
    for i in range(1, n + 1):
        name = "emailrelay.1.%d.1" % (base + i)
        failed = i % 10 == 0
        with open(os.path.join(spool, name + ".content"), "w") as f:
            f.write("Subject: message %d\r\n\r\nbody\r\n" % i)
        with open(os.path.join(spool, name + ".envelope" + (".bad" if failed else "")), "w") as f:
            f.write(ENVELOPE.format(frm="sender%d@example.com" % (i % 7), to="rcpt%d@example.net" % i) + (REASON if failed else ""))


def start(relay, spool, http, log):
    args = [relay, "--no-daemon", "--log", "--no-syslog", "--port", "0", "--interface", "127.0.0.1", "--spool-dir", spool]
    if os.geteuid() == 0:
        args += ["--user", "root"]
    if http:
        args += ["--http", "127.0.0.1:0", "--http-no-auth"]
    out = open(log, "w")
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    pattern = re.compile(r"http server on 127\.0\.0\.1:(\d+)" if http else r"smtp server on 127\.0\.0\.1:(\d+)")
    while time.monotonic() < deadline:
        text = open(log).read()
        m = pattern.search(text)
        if m:
            return process, int(m.group(1))
        if process.poll() is not None:
            raise SystemExit("relay exited: " + text)
        time.sleep(0.05)
    stop(process)
    raise SystemExit("relay did not start: " + open(log).read())


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except Exception:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit("%s: HTTP %d %s" % (path, response.status, body[:200]))
    return body


def listing(relay, work, n, requests):
    spool = os.path.join(work, "spool")
    os.makedirs(spool)
    t = time.monotonic()
    fill(spool, n)
    print("filled %d messages in %.1f s" % (n, time.monotonic() - t))
    started = time.monotonic()
    process, port = start(relay, spool, True, os.path.join(work, "listing.log"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 600
        while True:
            stats = json.loads(get(conn, "/api/v1/stats"))
            if not stats["indexing"] and stats["total"] == n:
                break
            if time.monotonic() > deadline:
                raise SystemExit("index not complete: %s" % stats)
            time.sleep(0.1)
        print("index ready %.1f s after start; VmRSS %d KiB with %d messages indexed" % (time.monotonic() - started, rss_kib(process.pid), n))
        last = (n + 49) // 50
        kinds = [
            ("page 1 of %d (50 rows)" % last, "/api/v1/messages?page=1&page_size=50"),
            ("middle page", "/api/v1/messages?page=%d&page_size=50" % (last // 2)),
            ("last page", "/api/v1/messages?page=%d&page_size=50" % last),
            ("state=failed, page 1", "/api/v1/messages?state=failed"),
            ("sender=sender3@, page 1", "/api/v1/messages?sender=sender3@"),
            ("recipient=rcpt12345@ (1 match)", "/api/v1/messages?recipient=rcpt12345@"),
            ("min_age=5 state=queued page 100", "/api/v1/messages?min_age=5&state=queued&page=100"),
            ("stats", "/api/v1/stats"),
            ("metrics", "/metrics"),
        ]
        print("| request | p50 ms | p99 ms | bytes |")
        print("|---|---|---|---|")
        for label, path in kinds:
            times = []
            size = 0
            for _ in range(requests):
                t0 = time.perf_counter()
                size = len(get(conn, path))
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
            print("| %s | %.2f | %.2f | %d |" % (label, statistics.median(times), p99, size))
    finally:
        stop(process)


def memory(relay, work, runs):
    results = {False: [], True: []}
    for run in range(runs):
        for console in (False, True):
            spool = os.path.join(work, "idle-%d-%d" % (run, console))
            os.makedirs(spool)
            process, _ = start(relay, spool, console, os.path.join(work, "idle.log"))
            try:
                time.sleep(3)  # settle: the number is the idle steady state, not start-up
                results[console].append(rss_kib(process.pid))
            finally:
                stop(process)
    off, on = statistics.median(results[False]), statistics.median(results[True])
    print("idle VmRSS (median of %d): console off %d KiB, on %d KiB, the listener costs %d KiB (runs: off %s, on %s)" % (runs, off, on, on - off, results[False], results[True]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser()
    parser.add_argument("--relay", default=os.path.join(repo, "artifacts", "publish", "linux-x64", "emailrelay"))
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--memory-runs", type=int, default=3)
    parser.add_argument("--work-dir", default=None)
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="console-bench.", dir=options.work_dir)
    try:
        print("relay %s, %d cores, load average %s" % (options.relay, os.cpu_count(), " ".join(open("/proc/loadavg").read().split()[:3])))
        memory(options.relay, work, options.memory_runs)
        listing(options.relay, work, options.messages, options.requests)
        print("load average at the end %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

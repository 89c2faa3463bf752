#!/usr/bin/python3
"""End-to-end latency: one message at a time to --target-port, each timed until it reaches a sink we run.

Runs a minimal SMTP sink on 127.0.0.1:--sink-port (PIPELINING, 8BITMIME), waits until --target-port accepts
connections, then sends --messages messages one after another with smtplib (one connection each, like
smtp-source). For each it records:
  total   first byte of the client's connection -> the sink has the end of data
  tail    the client got its 250 for the end of data -> the sink has it (0 when the sink is the target)
Direct: --target-port = --sink-port. Relay: start `emailrelay --as-proxy 127.0.0.1:<sink-port> --port <target-port>`
first (a relay that cannot connect yet only warns). Prints one line: p50/p90 in ms of both. Every wait is bounded.
"""
import argparse, asyncio, smtplib, socket, statistics, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("--sink-port", type=int, required=True)
parser.add_argument("--target-port", type=int, required=True)
parser.add_argument("--messages", type=int, default=200)
parser.add_argument("--size", type=int, default=1024)
args = parser.parse_args()

arrived = {}
cond = threading.Condition()


async def session(reader, writer):
    writer.write(b"220 latency-sink ESMTP\r\n")
    try:
        while True:
            line = await asyncio.wait_for(reader.readline(), 60)
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-latency-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                seq = None
                while True:
                    body = await asyncio.wait_for(reader.readline(), 60)
                    if not body or body == b".\r\n":
                        break
                    if body.startswith(b"X-Bench-Seq: "):
                        seq = int(body[13:].strip())
                if seq is not None:
                    with cond:
                        arrived[seq] = time.monotonic()
                        cond.notify_all()
                writer.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except (asyncio.TimeoutError, ConnectionError):
        pass
    writer.close()


def serve(ready):
    async def main():
        server = await asyncio.start_server(session, "127.0.0.1", args.sink_port, reuse_address=True)
        ready.set()
        async with server:
            await server.serve_forever()
    asyncio.run(main())


ready = threading.Event()
threading.Thread(target=serve, args=(ready,), daemon=True).start()
if not ready.wait(10):
    sys.exit("latency.py: the sink did not start")

deadline = time.monotonic() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", args.target_port), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("latency.py: nothing listens on the target port")
        time.sleep(0.05)

filler = ("x" * 78 + "\r\n") * max(1, args.size // 80)
totals, tails, lost = [], [], 0
for seq in range(args.messages):
    msg = "From: <a@bench.localdomain>\r\nTo: <b@bench.localdomain>\r\nX-Bench-Seq: %d\r\n\r\n%s" % (seq, filler)
    t0 = time.monotonic()
    with smtplib.SMTP("127.0.0.1", args.target_port, local_hostname="bench.localdomain", timeout=30) as smtp:
        smtp.sendmail("a@bench.localdomain", ["b@bench.localdomain"], msg)
        t1 = time.monotonic()
    with cond:
        if not cond.wait_for(lambda: seq in arrived, timeout=30):
            lost += 1
            continue
        t2 = arrived[seq]
    totals.append((t2 - t0) * 1000)
    tails.append(max(0.0, t2 - t1) * 1000)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


print("p50 %.2f ms p90 %.2f ms (first byte -> upstream); tail p50 %.2f ms (client's 250 -> upstream); %d messages, %d lost"
      % (pct(totals, 0.5), pct(totals, 0.9), pct(tails, 0.5), len(totals), lost))

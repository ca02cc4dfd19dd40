#!/usr/bin/env python3
"""Client side of bench/overload.sh.

  connections.py idle PORT N HOLD [PATH]  N keep-alive connections, one request each, then held open
                                       (idle) for HOLD seconds; prints how many got a 200
  connections.py wait PORT N HOLD      N connections each sending one request to a slow upstream,
                                       waiting up to HOLD seconds; prints answered and failed
"""
import asyncio
import sys

PATH = sys.argv[5] if len(sys.argv) > 5 else "/idle"
REQUEST = b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: bench\r\n\r\n"


async def one(port, hold, results, started):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        results["failed"] += 1
        started.release()
        return
    try:
        writer.write(REQUEST)
        await writer.drain()
        started.release()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), hold)
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await asyncio.wait_for(reader.readexactly(length), hold)
        results["ok" if head.startswith(b"HTTP/1.1 200") else "failed"] += 1
        await asyncio.sleep(hold)  # idle keep-alive
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        results["failed"] += 1
    finally:
        writer.close()


async def main():
    mode, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    results = {"ok": 0, "failed": 0}
    started = asyncio.Semaphore(200)  # at most 200 connects in flight
    tasks = []
    for _ in range(n):
        await started.acquire()
        tasks.append(asyncio.create_task(one(port, hold, results, started)))
    print("opened", flush=True)
    await asyncio.gather(*tasks)
    print(results["ok"], results["failed"], flush=True)


asyncio.run(main())

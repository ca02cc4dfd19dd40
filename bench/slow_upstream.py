#!/usr/bin/env python3
"""A slow HTTP upstream for bench/overload.sh: answers every request after DELAY seconds.

  slow_upstream.py PORT DELAY
"""
import asyncio
import sys

BODY = b"slow\n"


async def serve(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(float(sys.argv[2]))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), backlog=8192)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())

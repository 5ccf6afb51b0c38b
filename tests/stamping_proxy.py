"""A TCP proxy in front of the simulator that writes the time each HTTP request arrives, one
Unix time a line, to a file: when requests reach "JumpCloud", as a rate limit in front of it
would count them. The simulator's own log times a request only once its event loop gets to
it, which a busy simulator does late and in bursts; this process does nothing else.

    python -m tests.stamping_proxy --port 0 --to 127.0.0.1:8080 --stamps FILE

It prints `listening on PORT` once it accepts connections. A request is stamped when a read
from the client starts with an HTTP method: clients send a request's head in one write and
wait for the answer before the next request on a connection, as httpx does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import IO

METHODS = (b"GET ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ", b"HEAD ", b"OPTIONS ")


async def pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stamps: IO[str] | None
) -> None:
    try:
        while data := await reader.read(65536):
            if stamps is not None and data.startswith(METHODS):
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                stamps.write(f"{time.time()} {line}\n")
                stamps.flush()
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(port: int, host: str, upstream_port: int, stamps: IO[str]) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, upstream_port)
        await asyncio.gather(pipe(reader, up_writer, stamps), pipe(up_reader, writer, None))

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=2048)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", required=True, help="HOST:PORT of the simulator")
    parser.add_argument("--stamps", required=True, help="file the arrival times go to")
    args = parser.parse_args(argv)
    host, _, port = args.to.rpartition(":")
    with open(args.stamps, "a", encoding="utf-8") as stamps:
        asyncio.run(serve(args.port, host, int(port), stamps))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

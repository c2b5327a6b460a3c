"""A small HTTP/1.1 load generator: N concurrent clients on one asyncio loop.

Each client sends GET requests one after the other, keeping its connection open when the
server allows it (gunicorn's sync workers close it after every response, so then each
request pays for a new connection, as a browser's first visit would). The run stops after
``total`` requests or at ``deadline`` seconds, whichever comes first. Any status other than
2xx, a broken connection or a malformed response counts as an error.
"""

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    timed_out: bool = False
    latencies: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    bytes: int = 0

    @property
    def rps(self):
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, q):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    def merge(self, other):
        self.requests += other.requests
        self.errors += other.errors
        self.elapsed += other.elapsed
        self.timed_out = self.timed_out or other.timed_out
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.bytes += other.bytes


class BadResponse(Exception):
    pass


async def read_response(reader):
    """(status, body length, keep-alive) of one response; the body is read and dropped."""
    status_line = await reader.readline()
    if not status_line:
        raise BadResponse("connection closed before the response")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise BadResponse(f"bad status line {status_line[:80]!r}")
    status = int(parts[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == b"HTTP/1.1"
    size = 0
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            chunk = int((await reader.readline()).split(b";")[0], 16)
            if chunk:
                size += len(await reader.readexactly(chunk))
            await reader.readline()
            if not chunk:
                break
    elif "content-length" in headers:
        size = len(await reader.readexactly(int(headers["content-length"])))
    else:
        size = len(await reader.read())
        keep_alive = False
    return status, size, keep_alive


async def _run(name, host, port, paths, total, concurrency, deadline):
    result = Result(name)
    cycle = itertools.cycle(paths)
    left = [total]
    end = time.monotonic() + deadline

    async def client():
        reader = writer = None
        while left[0] > 0 and time.monotonic() < end:
            left[0] -= 1
            path = next(cycle)
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "User-Agent: cuahang-bench\r\nAccept: text/html\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port), timeout=10
                    )
                writer.write(request)
                status, size, keep_alive = await asyncio.wait_for(read_response(reader), timeout=30)
            except (OSError, EOFError, TimeoutError, BadResponse, ValueError) as error:
                result.requests += 1
                result.errors += 1
                result.statuses[type(error).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.bytes += size
            result.statuses[status] += 1
            if not 200 <= status < 300:
                result.errors += 1
            if not keep_alive:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    result.timed_out = left[0] > 0
    return result


def run(name, host, port, paths, *, total, concurrency=8, deadline=60.0):
    """Send ``total`` GETs of ``paths`` (cycled) with ``concurrency`` clients."""
    return asyncio.run(_run(name, host, port, list(paths), total, concurrency, deadline))

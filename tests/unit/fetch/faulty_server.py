"""A misbehaving HTTP server on 127.0.0.1 for the fetcher's tests.

It speaks HTTP by hand on raw sockets, because the faults worth testing
(connection resets, dripping bodies, lying headers, endless streams) are
exactly what a well-behaved server library refuses to produce. Each route
is a function that gets the parsed request and the socket.

The server binds loopback only, records every request it receives, and
shuts itself down after ``lifetime`` seconds even if a test forgets to.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

# No test needs a server for longer; a forgotten one must not outlive the suite.
DEFAULT_LIFETIME_SECONDS = 60.0
# How long a handler waits for the request head before giving up on the client.
REQUEST_HEAD_TIMEOUT = 5.0
STATUS_TEXT = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lowercase names
    received_at: float  # monotonic


Handler = Callable[[Request, socket.socket], None]


@dataclass
class ServerLog:
    requests: list[Request] = field(default_factory=list)
    bytes_sent: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [request.path for request in self.requests]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def times(self, prefix: str) -> list[float]:
        with self.lock:
            return [r.received_at for r in self.requests if r.path.startswith(prefix)]


class FaultyServer:
    """Routes by exact path; ``base_url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, lifetime: float = DEFAULT_LIFETIME_SECONDS) -> None:
        self.routes: dict[str, Handler] = {}
        self.log = ServerLog()
        self.robots: Handler = text_route("User-agent: *\nAllow: /\n", "text/plain")
        server = _TCPServer(("127.0.0.1", 0), _RequestHandler)
        server.owner = self
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def close(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultyServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def handle(self, request: Request, sock: socket.socket) -> None:
        with self.log.lock:
            self.log.requests.append(request)
            self.log.in_flight += 1
            self.log.max_in_flight = max(self.log.max_in_flight, self.log.in_flight)
        try:
            path_only = request.path.split("?", 1)[0]
            if path_only == "/robots.txt":
                handler = self.robots
            else:
                handler = self.routes.get(request.path) or self.routes.get(path_only) or _not_found
            handler(request, sock)
        except OSError:
            pass  # the client hung up: exactly what several tests provoke
        finally:
            with self.log.lock:
                self.log.in_flight -= 1


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FaultyServer


class _RequestHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(REQUEST_HEAD_TIMEOUT)
        try:
            request = _read_request(sock)
        except (OSError, ValueError):
            return
        if request is not None:
            self.server.owner.handle(request, sock)


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers, time.monotonic())


# -- response helpers -------------------------------------------------------------------


def send_response(
    sock: socket.socket,
    status: int,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    *,
    content_length: bool = True,
) -> None:
    lines = [f"HTTP/1.1 {status} {STATUS_TEXT.get(status, 'Status')}"]
    merged = {"Connection": "close", **(headers or {})}
    if content_length and "Content-Length" not in merged:
        merged["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in merged.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def html_page(title: str, body_text: str = "", extra_head: str = "") -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>{extra_head}</head>"
        f"<body><article><h1>{title}</h1><p>{body_text or 'Report text.'}</p></article>"
        "</body></html>"
    ).encode()


def text_route(text: str | bytes, content_type: str, status: int = 200, **headers: str) -> Handler:
    body = text.encode() if isinstance(text, str) else text

    def handler(request: Request, sock: socket.socket) -> None:
        send_response(sock, status, {"Content-Type": content_type, **headers}, body)

    return handler


def page_route(title: str, body_text: str = "", extra_head: str = "") -> Handler:
    return text_route(html_page(title, body_text, extra_head), "text/html; charset=utf-8")


def status_route(status: int, **headers: str) -> Handler:
    return text_route(f"<html><body>status {status}</body></html>", "text/html", status, **headers)


def _not_found(request: Request, sock: socket.socket) -> None:
    send_response(sock, 404, {"Content-Type": "text/html"}, b"<html>not found</html>")


def sequence_route(*handlers: Handler) -> Handler:
    """The n-th request gets the n-th handler; the last one repeats."""
    calls = {"n": 0}
    lock = threading.Lock()

    def handler(request: Request, sock: socket.socket) -> None:
        with lock:
            index = min(calls["n"], len(handlers) - 1)
            calls["n"] += 1
        handlers[index](request, sock)

    return handler


def redirect_route(location: str, status: int = 302) -> Handler:
    return text_route(b"", "text/html", status, Location=location)


def reset_route(request: Request, sock: socket.socket) -> None:
    """Abort the connection with a TCP RST instead of answering."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def silent_route(seconds: float) -> Handler:
    """Accept the request, then say nothing for ``seconds``."""

    def handler(request: Request, sock: socket.socket) -> None:
        time.sleep(seconds)

    return handler


def drip_route(byte_interval: float, total_bytes: int, max_seconds: float = 10.0) -> Handler:
    """Headers at once, then one byte every ``byte_interval`` seconds."""

    def handler(request: Request, sock: socket.socket) -> None:
        send_response(sock, 200, {"Content-Type": "text/html", "Content-Length": str(total_bytes)})
        stop = time.monotonic() + max_seconds
        for _ in range(total_bytes):
            if time.monotonic() > stop:
                return
            sock.sendall(b"x")
            time.sleep(byte_interval)

    return handler


def endless_route(log: ServerLog, total_bytes: int, declare_length: bool) -> Handler:
    """A huge HTML body streamed from one reused block (never built in memory)."""
    block = (b"<p>" + b"filler text " * 5000 + b"</p>\n")[: 64 * 1024]

    def handler(request: Request, sock: socket.socket) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if declare_length:
            headers["Content-Length"] = str(total_bytes)
        send_response(sock, 200, headers, content_length=False)
        sent = 0
        try:
            while sent < total_bytes:
                piece = block[: min(len(block), total_bytes - sent)]
                sock.sendall(piece)
                sent += len(piece)
        finally:
            with log.lock:
                log.bytes_sent[request.path] = sent

    return handler


def gzip_bomb(decompressed_bytes: int) -> bytes:
    """A small gzip stream that inflates to ``decompressed_bytes`` of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(decompressed_bytes // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_route(body: bytes, content_type: str = "text/html") -> Handler:
    return text_route(body, content_type, 200, **{"Content-Encoding": "gzip"})


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def slow_route(seconds: float, inner: Handler) -> Handler:
    def handler(request: Request, sock: socket.socket) -> None:
        time.sleep(seconds)
        inner(request, sock)

    return handler


def conditional_route(body: bytes, etag: str) -> Handler:
    """200 with an ETag, or 304 when the client sends that ETag back."""

    def handler(request: Request, sock: socket.socket) -> None:
        if request.headers.get("if-none-match") == etag:
            send_response(sock, 304, {"ETag": etag})
        else:
            send_response(
                sock, 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag}, body
            )

    return handler


def header_drip_route(byte_interval: float, max_seconds: float = 10.0) -> Handler:
    """A status line, then a header that never ends, one byte at a time."""

    def handler(request: Request, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nX-Padding: ")
        stop = time.monotonic() + max_seconds
        while time.monotonic() < stop:
            sock.sendall(b"a")
            time.sleep(byte_interval)

    return handler

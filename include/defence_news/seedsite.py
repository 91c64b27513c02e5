"""A small HTTP server for the offline seed site (``seeds/site``).

Used by ``make demo`` and by tests: it serves the site on 127.0.0.1 the way a
real news site would (content types with charsets, ETag and Last-Modified,
304 on conditional GET, 404 for missing pages, ``index.html`` for directory
paths) and replaces the ``{{BASE_URL}}`` placeholder in text responses with
the address it listens on, so every absolute link in pages and feeds works.

    with serve_seed_site() as site:
        requests.get(f"{site.base_url}/feed.xml")

Run by hand: ``python -m defence_news.seedsite --port 8765``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import threading
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

BASE_URL_PLACEHOLDER = "{{BASE_URL}}"
SEED_SITE_ENV = "DEFENCE_NEWS_SEED_SITE"
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "seeds" / "site"
INDEX_FILE = "index.html"

# Content types by file name first (feeds have their own media types), then by suffix.
CONTENT_TYPES_BY_NAME = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "robots.txt": "text/plain; charset=utf-8",
}
CONTENT_TYPES_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"
LOG = logging.getLogger(__name__)
# Text types get the placeholder replaced; binary files are served byte for byte.
TEXT_MARKERS = ("charset=",)
# Pages are cached briefly by clients, as on a news site that updates during the day.
CACHE_CONTROL = "public, max-age=60"


def default_root() -> Path:
    """The site folder: $DEFENCE_NEWS_SEED_SITE if set, else the repo's seeds/site."""
    configured = os.environ.get(SEED_SITE_ENV)
    return Path(configured).expanduser() if configured else DEFAULT_ROOT


def content_type_for(path: Path) -> str:
    return CONTENT_TYPES_BY_NAME.get(path.name) or CONTENT_TYPES_BY_SUFFIX.get(
        path.suffix.lower(), FALLBACK_CONTENT_TYPE
    )


def resolve_site_path(root: Path, url_path: str) -> Path | None:
    """Map a URL path to a file or folder under root, or None when outside root or absent.

    Query strings and fragments are ignored (feeds carry ``?utm_source=...``).
    """
    relative = unquote(urlsplit(url_path).path).lstrip("/")
    try:
        candidate = (root / relative).resolve()
        exists = candidate.exists()
    except (OSError, ValueError):
        return None  # NUL bytes, over-long names: not a page of this site
    if candidate != root and root not in candidate.parents:
        return None  # "../" escapes are treated as missing, never served
    return candidate if exists else None


def etag_for(body: bytes) -> str:
    # Strong validator over the bytes actually sent (after placeholder replacement).
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _not_modified_since(header: str, mtime: float) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an unreadable date means "send the page", as HTTP says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # "-0000" dates parse as naive; HTTP dates are GMT
    return int(mtime) <= since.timestamp()


class SeedSiteHandler(BaseHTTPRequestHandler):
    """Serves files under ``server.root``; see the module docstring."""

    server: _SeedSiteServer
    server_version = "MeridianSeed/1.0"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        # Quiet: tests and `make demo` must not be flooded with access logs on stderr.
        return

    def _respond(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        target = resolve_site_path(self.server.root, self.path)
        if target is not None and target.is_dir():
            if not url_path.endswith("/"):
                self._redirect_to_slash(url_path)  # as web servers do, so relative links work
                return
            target = target / INDEX_FILE
        if target is None or not target.is_file():
            self._send_simple(HTTPStatus.NOT_FOUND, b"Not Found\n", send_body)
            return
        try:
            self._send_file(target, send_body)
        except FileNotFoundError:  # removed between the check and the read
            self._send_simple(HTTPStatus.NOT_FOUND, b"Not Found\n", send_body)

    def _send_file(self, target: Path, send_body: bool) -> None:
        body, content_type = self._load(target)
        etag = etag_for(body)
        mtime = target.stat().st_mtime
        if self._is_not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_validators(etag, mtime)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self._send_validators(etag, mtime)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _load(self, target: Path) -> tuple[bytes, str]:
        content_type = content_type_for(target)
        data = target.read_bytes()
        if any(marker in content_type for marker in TEXT_MARKERS):
            # Replaced as bytes: a test page in a broken or legacy encoding is served as it is.
            data = data.replace(BASE_URL_PLACEHOLDER.encode(), self.server.base_url.encode())
        return data, content_type

    def _is_not_modified(self, etag: str, mtime: float) -> bool:
        # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2).
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        return if_modified_since is not None and _not_modified_since(if_modified_since, mtime)

    def _send_validators(self, etag: str, mtime: float) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.send_header("Cache-Control", CACHE_CONTROL)

    def _redirect_to_slash(self, url_path: str) -> None:
        # A relative Location (RFC 9110 10.2.2) stays right whatever address the client used.
        query = urlsplit(self.path).query
        location = url_path.rsplit("/", 1)[-1] + "/" + (f"?{query}" if query else "")
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_simple(self, status: HTTPStatus, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class _SeedSiteServer(ThreadingHTTPServer):
    daemon_threads = True  # request threads never keep the interpreter alive

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        super().__init__(address, SeedSiteHandler)
        self.root = root
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-response is normal for a crawler under test; stay quiet.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        LOG.warning("seed site: error answering %s", client_address, exc_info=True)


class SeedSite:
    """A running seed-site server; a context manager that stops it on exit."""

    def __init__(self, server: _SeedSiteServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="seed-site", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def root(self) -> Path:
        return self._server.root

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """The absolute URL of a site path such as ``/feed.xml``."""
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SeedSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_seed_site(port: int = 0, host: str = "127.0.0.1", root: Path | None = None) -> SeedSite:
    """Start serving the seed site in a daemon thread; port 0 picks a free port."""
    site_root = (root if root is not None else default_root()).resolve()
    if not site_root.is_dir():
        raise FileNotFoundError(f"seed site folder not found: {site_root}")
    return SeedSite(_SeedSiteServer((host, port), site_root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the offline seed news site.")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--root", type=Path, default=None, help="site folder")
    args = parser.parse_args(argv)
    try:
        site = serve_seed_site(port=args.port, host=args.host, root=args.root)
    except OSError as error:  # port taken, folder missing: say so, no traceback
        print(f"Cannot serve the seed site: {error}", file=sys.stderr)
        return 1
    print(
        f"Seed site at {site.base_url}/ (feed: {site.base_url}/feed.xml); Ctrl-C to stop",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

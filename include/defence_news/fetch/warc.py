"""Raw HTTP exchanges archived as one gzipped WARC file per source and interval.

Each exchange becomes a ``request`` record and a ``response`` record linked by
``WARC-Concurrent-To``. Bodies are stored decoded (the client asks for gzip
and decompresses while streaming, to enforce the size cap on real bytes), so
``Content-Encoding`` and ``Transfer-Encoding`` are renamed with the
``X-Archive-Orig-`` prefix, as web archives do, and ``Content-Length`` is
set to the stored length. A body cut at the size cap carries ``WARC-Truncated``.
"""

from __future__ import annotations

import threading
from datetime import UTC
from io import BytesIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from defence_news.fetch.client import Exchange

# Headers describing the transfer rather than the stored body.
TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
SOFTWARE = "defence-news fetcher (warcio)"


class WarcArchive:
    """Collects exchanges from many threads; ``to_bytes`` gives the WARC file."""

    def __init__(self, filename: str, info: dict[str, str] | None = None) -> None:
        self._buffer = BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=True)
        self._lock = threading.Lock()
        self.records = 0
        details = {"software": SOFTWARE, "format": "WARC File Format 1.0", **(info or {})}
        self._writer.write_record(self._writer.create_warcinfo_record(filename, details))

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            response = self._response_record(exchange)
            request = self._request_record(
                exchange, response.rec_headers.get_header("WARC-Record-ID")
            )
            self._writer.write_record(request)
            self._writer.write_record(response)
            self.records += 2

    def to_bytes(self) -> bytes:
        with self._lock:
            return self._buffer.getvalue()

    def _response_record(self, exchange: Exchange):  # type: ignore[no-untyped-def]
        headers = []
        for name, value in exchange.response_headers.items():
            if name.lower() in TRANSFER_HEADERS:
                if name.lower() != "content-length":
                    headers.append(("X-Archive-Orig-" + name, value))
                continue
            headers.append((name, value))
        headers.append(("Content-Length", str(len(exchange.body))))
        status_line = f"{exchange.status_code} {exchange.reason_phrase}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol=exchange.http_version)
        warc_headers = {"WARC-Date": _warc_date(exchange)}
        if exchange.peer:
            warc_headers["WARC-IP-Address"] = exchange.peer
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = "length"
        return self._writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )

    def _request_record(self, exchange: Exchange, response_id: str):  # type: ignore[no-untyped-def]
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = StatusAndHeaders(
            f"{exchange.method} {target} {exchange.http_version}",
            list(exchange.request_headers.items()),
            is_http_request=True,
        )
        return self._writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=http_headers,
            warc_headers_dict={
                "WARC-Date": _warc_date(exchange),
                "WARC-Concurrent-To": response_id,
            },
        )


def _warc_date(exchange: Exchange) -> str:
    return exchange.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

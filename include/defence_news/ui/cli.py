"""``python -m defence_news ui [--host H] [--port P]``: browse the store without Airflow.

Serves the events and source-health pages over the store the environment
configures (DEFENCE_NEWS_STORE, DEFENCE_NEWS_LOCAL_ROOT, ...). The pages have
no login of their own: served beyond loopback, the command warns who can read them.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import sys
from typing import Any

DEFAULT_PORT = 8090
DEFAULT_HOST = "127.0.0.1"  # loopback: the pages have no login of their own

log = logging.getLogger(__name__)
# The warning goes to stderr and to the log. Without a handler here, an application
# that never configured logging would get it on stderr twice (logging's last resort).
log.addHandler(logging.NullHandler())


def add_ui_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ui",
        help="serve the events and source-health pages (no Airflow needed)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.set_defaults(handler=run_ui)


def run_ui(args: argparse.Namespace) -> int:
    import uvicorn

    from defence_news.settings import StoreSettings
    from defence_news.ui.app import create_default_app

    settings = StoreSettings.from_env()
    where = settings.local_root if settings.kind == "local" else f"s3://{settings.bucket}"
    if (warning := exposure_warning(args.host, args.port)) is not None:
        print(f"defence_news ui: WARNING: {warning}", file=sys.stderr, flush=True)
        log.warning("%s", warning)
    url = f"http://{_url_host(args.host)}:{args.port}/events"
    print(f"defence-news UI on {url}  (store: {where})", flush=True)
    uvicorn.run(create_default_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def exposure_warning(host: str, port: int) -> str | None:
    """Who can read the pages when served on ``host``; None when only this machine can."""
    addresses = _addresses(host)
    if addresses and all(address.is_loopback for address in addresses):
        return None
    if any(address.is_unspecified for address in addresses):
        where, target = " (every network interface of this machine)", "this machine"
    else:
        where, target = "", host
    return (
        f"serving on {_url_host(host)}:{port}{where}, beyond loopback: anyone who can "
        f"reach {target} on port {port} can read the events and source-health pages. "
        "The standalone UI has no login and no TLS. Use --host 127.0.0.1 (the default) to "
        "keep it on this machine, or put an authenticating reverse proxy in front; the "
        "same pages in the Airflow UI require an Airflow login."
    )


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses ``host`` binds to: itself if it is one, else what the name resolves to
    (``localhost`` and other names in /etc/hosts; none when it does not resolve)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return []
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def main(argv: list[str] | None = None) -> int:
    """``python -m defence_news.ui.cli ui --port 8090``: the same command, on its own."""
    from defence_news.settings import SettingsError

    parser = argparse.ArgumentParser(prog="defence_news.ui.cli")
    add_ui_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SettingsError as error:  # as ``python -m defence_news``: one line, exit code 2
        print(f"defence_news: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

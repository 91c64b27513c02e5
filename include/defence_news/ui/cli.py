"""``python -m defence_news ui [--host H] [--port P]``: browse the store without Airflow.

Serves the events and source-health pages over the store the environment
configures (DEFENCE_NEWS_STORE, DEFENCE_NEWS_LOCAL_ROOT, ...).
"""

from __future__ import annotations

import argparse
from typing import Any

DEFAULT_PORT = 8090
DEFAULT_HOST = "127.0.0.1"  # loopback: the pages have no login of their own


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
    print(f"defence-news UI on http://{args.host}:{args.port}/events  (store: {where})", flush=True)
    uvicorn.run(create_default_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m defence_news.ui.cli ui --port 8090``: the same command, on its own."""
    parser = argparse.ArgumentParser(prog="defence_news.ui.cli")
    add_ui_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``ui`` sub-command's arguments (serving itself is tested over HTTP in
tests/integration/test_ui_plugin.py)."""

from __future__ import annotations

import argparse

from defence_news.ui.cli import DEFAULT_HOST, DEFAULT_PORT, add_ui_command, run_ui


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_ui_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_defaults_serve_on_loopback_port_8090() -> None:
    args = parse(["ui"])
    assert (args.host, args.port) == (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8090)
    assert args.handler is run_ui


def test_port_and_host_can_be_chosen() -> None:
    args = parse(["ui", "--port", "9001", "--host", "0.0.0.0"])
    assert (args.host, args.port) == ("0.0.0.0", 9001)

"""Command line: each area registers its own sub-commands; imports stay lazy."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="defence_news", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    from defence_news.adapters.runner import add_run_command
    from defence_news.audit import add_audit_command
    from defence_news.extract.cli import add_extract_command
    from defence_news.fetch.check import add_sources_command
    from defence_news.fetch.cli import add_fetch_command
    from defence_news.history import add_history_command
    from defence_news.realtext import add_realtext_command
    from defence_news.ui.cli import add_ui_command

    add_run_command(commands)
    add_fetch_command(commands)
    add_sources_command(commands)
    add_extract_command(commands)
    add_ui_command(commands)
    add_realtext_command(commands)
    add_audit_command(commands)
    add_history_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    from defence_news.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SettingsError as error:
        # A bad environment variable is the user's to fix, not a bug: one line, and
        # exit code 2 as for a bad command-line argument, rather than a traceback.
        print(f"defence_news: {error}", file=sys.stderr)
        return 2

"""An earlier revision of the project, checked out beside it, to measure side by side.

``checkout(rev)`` makes (once) a git worktree of that revision under ``.cache/baseline/``
and returns its ``include`` folder; code there runs in a child process with
``PYTHONPATH`` pointing at it, so both versions are measured in one run on one machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The extractor as it was before issue 8 (real-text events): "today's extractor".
BEFORE_REAL_TEXT = "d98848a"


def checkout(rev: str) -> Path:
    """The ``include`` folder of ``rev``, checked out in a worktree of its own."""
    resolved = subprocess.run(
        ["git", "rev-parse", "--short=12", rev], cwd=ROOT, capture_output=True, text=True
    )
    if resolved.returncode != 0:
        raise SystemExit(f"baseline: no revision {rev!r} in this repository")
    folder = ROOT / ".cache" / "baseline" / resolved.stdout.strip()
    if not (folder / "include").is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--force", str(folder), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return folder / "include"


def run_with(include: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``python args...`` with the given library on the path instead of this one."""
    env = {**os.environ, "PYTHONPATH": str(include)}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True
    )

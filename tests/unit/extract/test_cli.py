"""`python -m defence_news extract`: JSON Lines in, events out, bad lines reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from defence_news.cli import main

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_daa3c69061294fcf.txt"


def _write_input(path: Path) -> None:
    lines = [
        json.dumps({"id": "seed", "text": SEED.read_text("utf-8"), "published": "2024-06-18"}),
        json.dumps({"id": "empty", "text": ""}),
        "this is not json",
        json.dumps({"id": "no-text"}),
        "",
        json.dumps({"text": "Japan and Germany held joint fighter drills over Hokkaido."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_extract_command_writes_one_line_per_input(tmp_path: Path) -> None:
    source, out, fused = (
        tmp_path / "in.jsonl",
        tmp_path / "out" / "events.jsonl",
        tmp_path / "f.jsonl",
    )
    _write_input(source)
    code = main(["extract", "--in", str(source), "--out", str(out), "--fused-out", str(fused)])
    assert code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["seed", "empty", "line-3", "no-text", "line-6"]
    assert len(rows[0]["events"]) == 4 and "reason" not in rows[0]
    assert rows[0]["events"][0]["article"]["published_at"] == "2024-06-18"
    assert [row.get("reason") for row in rows[1:4]] == ["empty_text", "bad_json", "empty_text"]
    assert [e["category"] for e in rows[4]["events"]] == ["exercise"]
    fused_rows = [json.loads(line) for line in fused.read_text("utf-8").splitlines()]
    assert len(fused_rows) == 5


def test_module_entry_point_runs_without_airflow(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source)
    done = subprocess.run(
        [sys.executable, "-m", "defence_news", "extract", "--in", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "5 documents, 2 with events, 5 events" in done.stderr
    assert len(out.read_text("utf-8").splitlines()) == 5


def test_the_mode_chooses_the_grammar_alone_or_the_learned_decisions(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    _write_input(source)
    names = {}
    for mode in ("rules", "learned"):
        out = tmp_path / f"{mode}.jsonl"
        assert main(["extract", "--in", str(source), "--out", str(out), "--mode", mode]) == 0
        seed = json.loads(out.read_text("utf-8").splitlines()[0])
        names[mode] = {e["extractor"]["name"] for e in seed["events"]}
    assert names == {"rules": {"defence_news.rules"}, "learned": {"defence_news.rules+learned"}}

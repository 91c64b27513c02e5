"""The benchmark's rate measurement: exact at the limit, robust to jitter, catches bursts."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

BENCH_PATH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_fetch.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_fetch_under_test", BENCH_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_observed_rate():
    observed_rate = _bench().observed_rate
    limit = 8.0
    even = [n / limit for n in range(100)]
    assert observed_rate(even) == limit
    rng = random.Random(7)
    jittered = [t + rng.uniform(0, 0.9 / limit) for t in even]  # late by < one gap
    assert observed_rate(jittered) <= limit
    burst = [n * 0.0025 for n in range(100)]  # 100 requests in a quarter second
    assert observed_rate(burst) == 99.0
    assert observed_rate([]) == 0.0

"""The benchmark runner works end to end (on the small school; no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runner_prints_one_json_object_with_medians_ratios_and_goals(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.run",
            "--size",
            "S",
            "--repeats",
            "1",
            "--grid-repeats",
            "2",
            "--out",
            str(out),
            "--work-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert json.loads(out.read_text(encoding="utf-8")) == result
    for key in ("demo_build_s_median", "demo_raw_insert_s_median", "demo_ratio"):
        assert isinstance(result[key], float) and result[key] > 0
    assert result["size"] == "S" and result["repeats"] == 1
    assert result["demo_rows"]["students"] == 25 and result["demo_rows"]["marks"] > 0
    assert {"demo_build_under_60_s", "demo_ratio_at_most_3"} <= set(result["goals"])
    assert {"grid_under_20_ms", "grid_ratio_at_most_3"} <= set(result["goals"])
    for name, goal in result["goals"].items():
        if name != "note":
            assert {"target", "value", "pass"} <= set(goal)
    if "grid_skipped" not in result and "grid_error" not in result:
        assert {"grid_load_ms_median", "grid_raw_sql_ms_median", "grid_ratio"} <= set(result)
    assert "reports_error" not in result, result.get("reports_error")
    assert {"reports_control_s_median", "reports_performance_ratio"} <= set(result)
    assert {"reports_control_under_1_s", "reports_performance_ratio_at_most_2"} <= set(
        result["goals"]
    )
    assert isinstance(result["pass"], bool)
    assert [p.name for p in tmp_path.iterdir()] == ["bench.json"]  # the work dir is cleaned up

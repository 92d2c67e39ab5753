"""The benchmark runner works end to end (on the small school, every part measured once; no
timing asserts), and its arithmetic cannot turn a failure into a pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.bench import run
from tests.bench.bench_backup import floor_figures
from tests.bench.figures import ratio, usable_cores

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
            "--quick",
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
    # every part ran: a part that raised is reported as its "*_error" and fails the test
    failed = {key: value for key, value in result.items() if key.endswith(("_error", "_skipped"))}
    assert failed == {} and result["errors"] == [], failed
    assert set(result["parts"]) == set(run.PARTS) - run.OPT_IN
    for key in ("demo_build_s_median", "demo_raw_insert_s_median", "demo_ratio"):
        assert isinstance(result[key], float) and result[key] > 0
    assert result["size"] == "S" and result["repeats"] == 1 and result["quick"] is True
    assert result["demo_rows"]["students"] == 25 and result["demo_rows"]["marks"] > 0
    assert {"demo_build_under_60_s", "demo_ratio_at_most_3"} <= set(result["goals"])
    assert {"grid_under_20_ms", "grid_ratio_at_most_3"} <= set(result["goals"])
    for name, goal in result["goals"].items():
        if name != "note":
            assert {"target", "value", "pass"} <= set(goal)
            assert goal["value"] is not None, name  # every goal of a part that ran has a figure
    assert {"grid_load_ms_median", "grid_raw_sql_ms_median", "grid_ratio"} <= set(result)
    assert "reports_error" not in result, result.get("reports_error")
    assert {"reports_control_s_median", "reports_performance_ratio"} <= set(result)
    assert {"reports_control_under_1_s", "reports_performance_ratio_at_most_2"} <= set(
        result["goals"]
    )
    assert result["backup_floor_cores"] == usable_cores()
    assert isinstance(result["pass"], bool)
    assert [p.name for p in tmp_path.iterdir()] == ["bench.json"]  # the work dir is cleaned up


def test_a_zero_baseline_gives_no_ratio_and_its_goal_is_not_met():
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(0.4, 0.0) is None and ratio(0.4, -1.0) is None
    goals = run._goals({"demo_ratio": ratio(0.4, 0.0), "demo_build_s_median": 1.0}, "S", {"demo"})
    assert goals["demo_ratio_at_most_3"]["pass"] is None  # not met, and not a pass
    assert goals["demo_build_under_60_s"]["pass"] is True


def test_the_backup_floor_shares_the_cpu_work_among_the_cores_there_are():
    steps = {
        "online_backup": 1.0,
        "quick_check": 1.0,
        "sha256": 1.0,
        "chacha20poly1305": 2.0,
        "write": 1.0,
        "fsync": 0.5,
    }  # 6 s of CPU work after the snapshot, none of it longer than 1.5 s alone
    one, two, eight = (
        floor_figures(steps, 4.0, 2.0, cores)["backup_floor_s"] for cores in (1, 2, 8)
    )
    assert (one, two, eight) == (7.0, 4.0, 2.5)
    assert floor_figures(steps, 4.0, 2.0, 8)["backup_floor_cores"] == 8
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert usable_cores() == expected

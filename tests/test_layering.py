"""The dependency direction of docs/ARCHITECTURE.md §2, checked two ways (as harlequin does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_AND_NETWORK = ("textual", "rich", "aiohttp", "zeroconf", "jinja2", "click")


def test_core_imports_no_ui_or_network_in_a_fresh_interpreter():
    code = (
        "import importlib, pkgutil, sys\n"
        "import node.models, node.services\n"
        "for pkg in (node.models, node.services):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        f"loaded = [m for m in {UI_AND_NETWORK!r} if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"the core loaded {result.stdout.strip()}"


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout

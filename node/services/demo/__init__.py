"""The demo school: a realistic, deterministic school built in one go (``ediary demo``).

``build_demo`` is the entry point; sizes S (one class), M (about 600 students) and L (the
reference school of docs/ARCHITECTURE.md §7: 2,000 students, 70 classes, 150 teachers, a full year).
"""

from __future__ import annotations

from node.services.demo.builder import BUILD_PRAGMAS, SIZES, build_demo
from node.services.demo.summary import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin, DemoSummary

__all__ = [
    "BUILD_PRAGMAS",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "SIZES",
    "DemoLogin",
    "DemoSummary",
    "build_demo",
]

"""Type-check the core with mypy: blocking for the enrolled modules, reported for the others.

    python tools/typecheck.py           what .ci/run runs: one mypy run over node/models and
                                        node/services (configuration: setup.cfg [mypy])
    python tools/typecheck.py --enroll  add every module that is clean now to the list

mypy checks every module of node/models and node/services strictly, new ones included. A
module is *enrolled* once it is clean (tools/mypy_enforced.txt, one path a line): an error in
an enrolled module fails CI. An error in a module not enrolled yet (a new module, or one that
just moved) is printed, with its module named, but does not fail: several people land new
modules at once, and a check they did not run must not turn CI red for code that passed
their own checks. A clean module that is not enrolled yet is named too, so `--enroll` keeps
the list growing; nothing is ever taken off it but by hand.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENFORCED = ROOT / "tools" / "mypy_enforced.txt"
CHECKED = ("node/models", "node/services")
_MESSAGE = re.compile(r"^(?P<path>[\w./-]+\.py):\d+(?::\d+)?: (?P<kind>error|note): ")


def enrolled() -> list[str]:
    lines = ENFORCED.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def checked_modules() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT)) for folder in CHECKED for path in (ROOT / folder).rglob("*.py")
    )


def run_mypy() -> tuple[int, dict[str, list[str]], list[str]]:
    """mypy's exit code, its messages by file, and any line it printed that names no file."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    by_file: dict[str, list[str]] = defaultdict(list)
    other: list[str] = []
    for line in (result.stdout + result.stderr).splitlines():
        found = _MESSAGE.match(line)
        if found:
            by_file[found["path"]].append(line)
        elif line.strip():
            other.append(line)
    return result.returncode, by_file, other


def enroll(clean: list[str]) -> None:
    text = ENFORCED.read_text(encoding="utf-8")
    ENFORCED.write_text(text.rstrip("\n") + "\n" + "".join(f"{p}\n" for p in clean), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enroll", action="store_true", help="enroll every clean module")
    args = parser.parse_args(argv)
    code, by_file, other = run_mypy()
    if code not in (0, 1) or (code == 1 and not by_file):  # a crash or a configuration error
        print("\n".join(other) or f"mypy exited with {code}", file=sys.stderr)
        return 2
    listed = enrolled()
    failing = [path for path in listed if any(" error: " in m for m in by_file.get(path, []))]
    pending = sorted(p for p, lines in by_file.items() if p not in listed and p not in failing)
    clean = [p for p in checked_modules() if p not in listed and p not in by_file]
    for path in pending:
        print(f"-- not enrolled yet (reported, not failing): {path}")
        print("\n".join(by_file[path]))
    for path in failing:
        print("\n".join(by_file[path]))
    gone = [path for path in listed if not (ROOT / path).is_file()]
    if gone:
        print(f"-- enrolled but not found (moved? update {ENFORCED.name}): {', '.join(gone)}")
    if clean and args.enroll:
        enroll(clean)
        print(f"-- enrolled {len(clean)} clean module(s): {', '.join(clean)}")
    elif clean:
        print(
            f"-- clean, not enrolled yet (python tools/typecheck.py --enroll): {', '.join(clean)}"
        )
    if failing:
        print(f"mypy: errors in {len(failing)} enrolled module(s)", file=sys.stderr)
        return 1
    print(f"mypy: {len(listed) - len(gone)} enrolled modules clean; {len(pending)} not enrolled")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""docs/ARCHITECTURE.md and CONTRIBUTING.md cannot rot: every rule of the regulation has its
row in the architecture's table of where rules live, and every file, folder, module and
``path::name`` the two documents name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
DOCS = (ARCHITECTURE, ROOT / "CONTRIBUTING.md")

#: Every requirement of the regulation (seed/regulation.en.md in the team's shared folder),
#: copied here so the test runs on a bare clone; when the shared copy is found beside the
#: checkout, the test also checks that this list is still the regulation's.
RULES = (
    "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3", "5.4",
    "6.1", "6.2", "6.3",
    "7.1", "7.2",
    "8.1", "8.2",
)  # fmt: skip

#: What a document names in backticks: a path under one of the project's folders, with an
#: optional ``::name`` of a function, class or constant defined in that file.
_PATH = re.compile(
    r"`((?:node|tui|sync|backup|tests|tools|deploy|docs)/[\w./-]*|\.ci/run)(?:::(\w+))?`"
)
#: A dotted module of the project in backticks, e.g. `node.services`.
_MODULE = re.compile(r"`((?:node|tui|sync|backup)(?:\.\w+)*)`")


def _regulation() -> Path | None:
    for folder in ROOT.parents:
        candidate = folder / "shared" / "seed" / "regulation.en.md"
        if candidate.is_file():
            return candidate
    return None


def _rule_rows(text: str) -> dict[str, str]:
    """The rows of §8's table, by the rule they start with."""
    section = text.split("## 8. Where each rule lives", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| \[R (\d\.\d)\] (.*)$", section, flags=re.M)
    return dict(rows)


def test_the_copied_rules_are_the_regulations():
    regulation = _regulation()
    if regulation is None:
        pytest.skip("the team's shared folder is not beside this checkout")
    tags = re.findall(r"\[R (\d\.\d)\]", regulation.read_text(encoding="utf-8"))
    assert sorted(set(tags)) == sorted(RULES)


def test_every_rule_has_a_row_with_its_code_and_a_test():
    rows = _rule_rows(ARCHITECTURE.read_text(encoding="utf-8"))
    missing = [rule for rule in RULES if rule not in rows]
    assert not missing, f"docs/ARCHITECTURE.md §8 has no row for [R {', '.join(missing)}]"
    for rule, row in rows.items():
        cells = [cell.strip() for cell in row.split("|")]
        code = " ".join(cells[:-2]) if len(cells) > 2 else ""
        assert re.search(r"`(node|tui|sync|backup)/", code), f"[R {rule}] names no code"
        assert "`tests/" in cells[-2], f"[R {rule}] names no test"


def _defines(path: Path, name: str) -> bool:
    text = path.read_text(encoding="utf-8")
    pattern = rf"^\s*(?:async\s+def|def|class)\s+{name}\b|^\s*{name}\s*[:=]"
    return re.search(pattern, text, flags=re.M) is not None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_and_name_the_docs_give_exists(doc: Path):
    text = doc.read_text(encoding="utf-8")
    named = _PATH.findall(text)
    assert named, f"{doc.name} names no path"
    for path_text, name in named:
        path = ROOT / path_text.rstrip("/")
        assert path.exists(), f"{doc.name} names {path_text}, which does not exist"
        if name:
            assert path.is_file() and _defines(path, name), (
                f"{doc.name} names {path_text}::{name}, which is not defined there"
            )


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_the_docs_give_exists(doc: Path):
    for module in _MODULE.findall(doc.read_text(encoding="utf-8")):
        base = ROOT.joinpath(*module.split("."))
        assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), (
            f"{doc.name} names the module {module}, which does not exist"
        )

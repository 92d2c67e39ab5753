"""Every service that acts for a user asks the one permission module (STYLE.md: one
permission API, called by every entry point; nothing else checks roles)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[3] / "node" / "services"

#: Public functions taking an ``actor`` that need no check, and why.
EXEMPT = {
    ("history.py", "record"): "called by services after their own check",
    ("history.py", "record_create"): "called by services after their own check",
    ("history.py", "record_update"): "called by services after their own check",
    ("history.py", "record_delete"): "called by services after their own check",
    ("history.py", "update_row"): "called by services after their own check",
    ("history.py", "create_rows"): "called by services after their own check",
    ("permissions.py", "allowed"): "it is the check",
    ("permissions.py", "may_write_to"): "part of the check (mail)",
    ("permissions.py", "writes_to_colleagues"): "part of the check (mail)",
    ("permissions.py", "mail_class_ids"): "part of the check (mail)",
    ("permissions.py", "conflict_condition_sql"): "part of the check (conflicts, as SQL)",
    ("timetable.py", "lessons_on"): "reads only the actor's own lessons and substitutions",
    ("activity.py", "log_activity"): "called by services after their own check",
    ("activation.py", "change_password"): "changes only the actor's own password, checked first",
    ("codes.py", "store_new_code"): "called by services after their own check",
    ("diary.py", "record_view"): "logs the actor's own page view, after the page's read check",
}


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _checks_permission(func: ast.FunctionDef, module: dict[str, ast.FunctionDef], depth=0) -> bool:
    called = _called_names(func)
    if called & {"ensure_allowed", "allowed"}:
        return True
    return depth < 3 and any(
        _checks_permission(module[name], module, depth + 1) for name in called if name in module
    )


def test_every_public_service_with_an_actor_checks_permission():
    unchecked = []
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for name, func in module.items():
            params = [a.arg for a in func.args.args]
            if name.startswith("_") or not params or params[0] != "actor":
                continue
            if (path.name, name) in EXEMPT:
                continue
            if not _checks_permission(func, module):
                unchecked.append(f"{path.relative_to(SERVICES)}:{name}")
    assert unchecked == [], f"services that never ask the permission module: {unchecked}"


def test_no_service_looks_at_roles_itself():
    offenders = []
    for path in sorted(SERVICES.rglob("*.py")):
        if path.name in ("permissions.py", "actor.py") or "demo" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "has_role(" in text or "actor.roles" in text:
            offenders.append(path.name)
    assert offenders == []

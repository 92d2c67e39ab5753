"""Importing a changed file again: each value the file changes is updated through the
services (history says who and when), reported as updated, or refused where the services
refuse it, with the sheet, row and column."""

from __future__ import annotations

import json
from pathlib import Path

from node.models import History, Subject, WorkType
from node.services.base.actor import Actor
from node.services.setup.run import check_setup, import_setup
from tests.node.services.setup.workbook import Grid, school, write_xlsx


def _outcomes(report) -> dict[str, tuple[int, int, int, int]]:
    return {
        kind: (c.created, c.updated, c.unchanged, c.left)
        for kind, c in report.counts.items()
        if c.total
    }


def _first(node: Actor, tmp_path: Path) -> None:
    report = import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())])
    assert report.written, [str(p) for p in report.problems]


def _again(node: Actor, tmp_path: Path, sheets: dict[str, Grid], *, write: bool = True):
    path = write_xlsx(tmp_path / "again.xlsx", sheets, language="en")
    return (import_setup if write else check_setup)(node, [path])


def _updates(entity: str, entity_id: str) -> list[dict]:
    rows = History.select().where(
        History.entity == entity, History.entity_id == entity_id, History.action == "update"
    )
    return [{**json.loads(r.changes), "_by": r.actor_login} for r in rows]


def test_changed_subject_flags_and_work_type_weights_are_updated(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["subjects"][1][2:4] = ["да", "нет"]  # Математика: pass/fail, no written work
    sheets["subjects"][3][1] = "Англ. яз."
    sheets["work_types"][2][1] = "2,5"  # Контрольная работа weighs 2.5
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["subjects"] == (0, 2, 1, 0)
    assert _outcomes(report)["work_types"] == (0, 1, 1, 0)
    maths = Subject.get(Subject.name == "Математика")
    assert (maths.pass_fail, maths.needs_written_work) == (True, False)
    assert Subject.get(Subject.name == "Английский язык").short_name == "Англ. яз."
    test = WorkType.get(WorkType.name == "Контрольная работа")
    assert test.weight == 2.5
    (change,) = _updates("subject", maths.id)
    assert change["pass_fail"] == [False, True] and change["_by"] == "system"
    assert _updates("work_type", test.id)[0]["weight"] == [2.0, 2.5]
    assert not report.notes, report.notes
    again = _again(node, tmp_path, sheets)
    assert _outcomes(again)["subjects"] == (0, 0, 3, 0)
    assert _outcomes(again)["work_types"] == (0, 0, 2, 0)


def test_a_weight_the_service_refuses_is_a_problem_of_its_cell(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["work_types"][1][1] = 0
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == ["Work types, row 2, column «Вес»"]
    assert WorkType.get(WorkType.name == "Ответ на уроке").weight == 1

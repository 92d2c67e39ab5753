"""Checking and importing a school's setup files: the entry points of this package.

Both do the same work inside one transaction, through the services, so the check finds
exactly what the import would refuse: every problem of every sheet, at once. The check
always rolls back; the import rolls back if anything at all was wrong, so a file with
one bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from node.errors import EdiaryError
from node.i18n import _
from node.models import School, db
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.setup.calendar import (
    import_bells,
    import_holidays,
    import_periods,
    import_year,
)
from node.services.setup.catalog import import_subjects, import_work_types
from node.services.setup.context import Run
from node.services.setup.reader import Bundle, read_files
from node.services.setup.report import SetupReport
from node.services.setup.rows import typed_rows
from node.services.setup.staff import import_classes, import_staff
from node.services.setup.students import import_parents, import_students
from node.services.setup.teaching import (
    generate,
    import_load,
    import_subgroups,
    import_timetable,
    teacher_loads,
)


class _Discard(Exception):
    """Raised inside the transaction to roll everything back (a check, or any problem)."""


#: Called as work goes: (stage in the user's language, stages done, stages in all).
Progress = Callable[[str, int, int], None]


def check_setup(
    actor: Actor, paths: Sequence[Path], *, progress: Progress | None = None
) -> SetupReport:
    """Read and check the files; report every problem and what an import would do.
    Nothing is written."""
    return run_setup(actor, read_files(paths), write=False, progress=progress)


def import_setup(
    actor: Actor, paths: Sequence[Path], *, progress: Progress | None = None
) -> SetupReport:
    """Import the files, then generate the year's lessons; all or nothing."""
    return run_setup(actor, read_files(paths), write=True, progress=progress)


def run_setup(
    actor: Actor, bundle: Bundle, *, write: bool, progress: Progress | None = None
) -> SetupReport:
    """The check (``write=False``) or the import of files already read."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_allowed(actor, Action.USERS_MANAGE)
    report = SetupReport(notes=list(bundle.notes))
    rows = typed_rows(bundle)
    if School.current() is None:
        rows.problems.add(
            "ediary",
            None,
            None,
            _("this database has no school yet; run «ediary init» first."),
        )
    else:
        try:
            with db.atomic():
                run = Run(actor, rows, report)
                step = progress or _silent
                _import(run, step)
                if not rows.problems and run.year is not None:
                    step(_("Lessons of the year"), len(_STAGES), len(_STAGES) + 1)
                    generate(run)
                    report.teachers = teacher_loads(run)
                    step(_("Lessons of the year"), len(_STAGES) + 1, len(_STAGES) + 1)
                if rows.problems or not write:
                    raise _Discard
        except _Discard:
            pass
        else:
            report.written = True
    report.problems = list(rows.problems.items)
    if not report.written:
        report.codes = []  # rolled back with the accounts they were for
    return report


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _periods(run: Run) -> None:
    try:
        import_periods(run)
    except EdiaryError as exc:  # the whole-year period the import adds itself
        run.rows.problems.add(run.label_of("periods"), None, None, str(exc))


def _load_and_timetable(run: Run) -> None:
    import_timetable(run, import_load(run))


#: Every sheet in the order its references need (staff before the classes they lead); the
#: first five need no academic year, the others stop if there is none.
_STAGES: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("year", import_year),
    ("bells", import_bells),
    ("subjects", import_subjects),
    ("work_types", import_work_types),
    ("staff", import_staff),
    ("periods", _periods),
    ("holidays", import_holidays),
    ("classes", import_classes),
    ("students", import_students),
    ("parents", import_parents),
    ("subgroups", import_subgroups),
    ("load", _load_and_timetable),
)
_WITHOUT_YEAR = 5


def _import(run: Run, progress: Progress) -> None:
    for done, (kind, stage) in enumerate(_STAGES):
        if done >= _WITHOUT_YEAR and run.year is None:
            return
        progress(run.label_of(kind), done, len(_STAGES) + 1)
        stage(run)

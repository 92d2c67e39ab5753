"""Checking and importing a school's setup files: the entry points of this package.

Both do the same work inside one transaction, through the services, so the check finds
exactly what the import would refuse: every problem of every sheet, at once. The check
always rolls back; the import rolls back if anything at all was wrong, so a file with
one bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from node.errors import EdiaryError
from node.i18n import _
from node.models import School, db
from node.services.actor import Actor
from node.services.permissions import Action, ensure_allowed
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


def check_setup(actor: Actor, paths: Sequence[Path]) -> SetupReport:
    """Read and check the files; report every problem and what an import would do.
    Nothing is written."""
    return run_setup(actor, read_files(paths), write=False)


def import_setup(actor: Actor, paths: Sequence[Path]) -> SetupReport:
    """Import the files, then generate the year's lessons; all or nothing."""
    return run_setup(actor, read_files(paths), write=True)


def run_setup(actor: Actor, bundle: Bundle, *, write: bool) -> SetupReport:
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
                _import(run)
                if not rows.problems and run.year is not None:
                    generate(run)
                    report.teachers = teacher_loads(run)
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


def _import(run: Run) -> None:
    """Every sheet in the order its references need: staff before the classes they lead."""
    import_year(run)
    import_bells(run)
    import_subjects(run)
    import_work_types(run)
    import_staff(run)
    if run.year is None:
        return
    try:
        import_periods(run)
    except EdiaryError as exc:
        run.rows.problems.add(run.label_of("periods"), None, None, str(exc))
    import_holidays(run)
    import_classes(run)
    import_students(run)
    import_parents(run)
    import_subgroups(run)
    assignments = import_load(run)
    import_timetable(run, assignments)

"""Subjects and work types, written through ``school_setup`` and ``setup_changes``; matched
by name. A value the file changes is updated (an empty cell keeps what ediary has)."""

from __future__ import annotations

from node.i18n import _
from node.models import Subject, WorkType
from node.services.school import school_setup, setup_changes
from node.services.setup.context import Run, name_key
from node.services.setup.rows import Row


def import_subjects(run: Run) -> None:
    run.subjects.update({name_key(s.name): s for s in Subject.select()})
    for row in run.rows.of("subjects"):
        key = name_key(row["name"])
        if row.broken:
            continue
        subject = run.subjects.get(key)
        if subject is not None:
            _update_subject(run, row, subject)
            continue
        subject = run.attempt(
            row,
            "name",
            school_setup.create_subject,
            run.actor,
            row["name"],
            short_name=row["short_name"] or "",
            pass_fail=bool(row["pass_fail"]),
            needs_written_work=row["written_work"],
        )
        if subject is None:
            continue
        run.subjects[key] = subject
        run.report.count("subjects", "created")


def _update_subject(run: Run, row: Row, subject: Subject) -> None:
    """The file's short name and flags; the name stays as ediary writes it (it is the key)."""
    wanted = (
        subject.short_name if row["short_name"] is None else row["short_name"],
        subject.pass_fail if row["pass_fail"] is None else row["pass_fail"],
        subject.needs_written_work if row["written_work"] is None else row["written_work"],
    )
    if wanted == (subject.short_name, subject.pass_fail, subject.needs_written_work):
        run.report.count("subjects", "unchanged")
        return
    changed = run.attempt(
        row, "name", setup_changes.change_subject, run.actor, subject.id, subject.name,
        short_name=wanted[0], pass_fail=wanted[1], needs_written_work=wanted[2],
    )  # fmt: skip
    if changed is not None:
        run.subjects[name_key(subject.name)] = changed
        run.report.count("subjects", "updated")


def import_work_types(run: Run) -> None:
    existing = {name_key(w.name): w for w in WorkType.select()}
    for row in run.rows.of("work_types"):
        if row.broken:
            continue
        work_type = existing.get(name_key(row["name"]))
        if work_type is not None:
            _update_work_type(run, row, work_type)
            continue
        work_type = run.attempt(
            row,
            "weight",
            school_setup.create_work_type,
            run.actor,
            row["name"],
            row["weight"],
            row["kind"],
        )
        if work_type is not None:
            existing[name_key(work_type.name)] = work_type
            run.report.count("work_types", "created")


def _update_work_type(run: Run, row: Row, work_type: WorkType) -> None:
    """A new weight is written (marks already given follow it); the kind of a work type
    has no service to change it (marks were given as that kind), so it is left, said so."""
    outcome = "unchanged"
    if work_type.weight != row["weight"]:
        changed = run.attempt(
            row, "weight", setup_changes.set_work_type_weight, run.actor, work_type.id,
            row["weight"],
        )  # fmt: skip
        if changed is None:
            return
        outcome = "updated"
    if work_type.kind != row["kind"]:
        outcome = "left" if outcome == "unchanged" else outcome
        run.note(
            _(
                "The work type «{name}» keeps its kind; marks were given as that kind. Make a "
                "new work type for the other kind."
            ).format(name=work_type.name)
        )
    run.report.count("work_types", outcome)

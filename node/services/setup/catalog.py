"""Subjects and work types, written through ``school_setup``; matched by name."""

from __future__ import annotations

from node.i18n import _
from node.models import Subject, WorkType
from node.services.school import school_setup
from node.services.setup.context import Run, name_key


def import_subjects(run: Run) -> None:
    run.subjects.update({name_key(s.name): s for s in Subject.select()})
    for row in run.rows.of("subjects"):
        key = name_key(row["name"])
        if row.broken:
            continue
        subject = run.subjects.get(key)
        if subject is not None:
            same = (
                (row["short_name"] is None or row["short_name"] == subject.short_name)
                and (row["pass_fail"] is None or row["pass_fail"] == subject.pass_fail)
                and (
                    row["written_work"] is None or row["written_work"] == subject.needs_written_work
                )
            )
            run.report.count("subjects", "unchanged" if same else "left")
            if not same:
                run.note(
                    _(
                        "The subject «{name}» keeps its short name and its pass/fail and "
                        "written-work settings."
                    ).format(name=subject.name)
                )
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


def import_work_types(run: Run) -> None:
    existing = {name_key(w.name): w for w in WorkType.select()}
    for row in run.rows.of("work_types"):
        if row.broken:
            continue
        work_type = existing.get(name_key(row["name"]))
        if work_type is not None:
            same = (work_type.weight, work_type.kind) == (row["weight"], row["kind"])
            run.report.count("work_types", "unchanged" if same else "left")
            if not same:
                run.note(
                    _("The work type «{name}» keeps its weight {weight} and its kind.").format(
                        name=work_type.name, weight=f"{work_type.weight:g}"
                    )
                )
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

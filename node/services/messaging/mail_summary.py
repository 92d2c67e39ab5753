"""The text of a progress summary a class teacher sends each family for a period [R 4.4].

The numbers come from the parents' own read model (``node.services.gradebook.diary``): the same
marks, weighted averages, final marks and absences the parent sees on their page, so a
summary can never disagree with the diary. This module only words them, in the sender's
language, as plain text (the renderer escapes it).
"""

from __future__ import annotations

import datetime as dt

from node.i18n import N_, _, gettext
from node.services.gradebook.diary import AttendanceSummary, MarksReport, SubjectMarks

#: Reasons of absence as a summary names them.
ABSENCE_LABELS = {
    "absent": N_("unexcused"),
    "sick": N_("illness"),
    "excused": N_("excused"),
    "late": N_("late"),
}


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _subject_line(subject: SubjectMarks) -> str:
    if not subject.marks:
        text = _("{subject}: no marks").format(subject=subject.subject)
    else:
        marks = " ".join(m.value for m in subject.marks)
        text = _("{subject}: {marks}").format(subject=subject.subject, marks=marks)
        if subject.average:
            text += "; " + _("average {average}").format(average=subject.average)
    if subject.final:
        text += "; " + _("final mark {value}").format(value=subject.final)
    return text


def _absence_line(attendance: AttendanceSummary) -> str:
    missed = sum(n for code, n in attendance.counts.items() if code != "late")
    if not attendance.counts:
        return _("Absences: none in {lessons} lessons.").format(lessons=attendance.lessons)
    codes = [c for c in ABSENCE_LABELS if c in attendance.counts]
    codes += sorted(set(attendance.counts) - set(codes))
    reasons = ", ".join(
        f"{gettext(ABSENCE_LABELS.get(code, code))} {attendance.counts[code]}" for code in codes
    )
    return _("Absences: {missed} of {lessons} lessons ({reasons}).").format(
        missed=missed, lessons=attendance.lessons, reasons=reasons
    )


def summary_text(marks: MarksReport, attendance: AttendanceSummary) -> str:
    """One student's summary: a heading, a line per subject, then the absences."""
    period = marks.period
    lines = [
        _("{name}, class {class_label}: {period} ({start} – {end})").format(
            name=marks.student.name,
            class_label=marks.student.class_label,
            period=period.name,
            start=_date(period.start),
            end=_date(period.end),
        ),
        "",
    ]
    lines += [_subject_line(subject) for subject in marks.subjects]
    lines += ["", _absence_line(attendance)]
    return "\n".join(lines)

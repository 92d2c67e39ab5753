"""The tabs of the School section: what each lists, and the forms that add, edit and remove
its rows. A section only builds forms; the services check and write (and say why not).

Each method gets the structure as last read and the highlighted row's key; it returns a
``Form`` (or a ``Removal``), or a sentence saying why there is nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.i18n import N_, _
from node.models.journal import WORK_KINDS
from node.services.base.permissions import Action
from node.services.school import school_setup, setup_changes
from node.services.school.setup_view import Structure
from node.services.students import classes, handover
from tui.dialogs.dates import show_day
from tui.screens.school_dialogs import (
    Call,
    Field,
    Form,
    day_field,
    read_day,
    read_number,
    yes_no,
)

Row = tuple[str, tuple[str, ...]]

SCHEME_NAMES = {"quarters": N_("quarters"), "halves": N_("halves"), "year": N_("year")}
KIND_NAMES = {
    "oral": N_("oral"),
    "written": N_("written"),
    "lab": N_("laboratory"),
    "practical": N_("practical"),
    "test": N_("test"),
    "homework": N_("homework"),
    "other": N_("other"),
}


@dataclass
class Removal:
    question: str
    call: Call
    notice: str


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _days(start, end) -> str:  # noqa: ANN001 - two dates
    return f"{show_day(start)}–{show_day(end)}"


def _find(rows: list, key: str | None, attr: str = "id"):  # noqa: ANN202
    return next((r for r in rows if str(getattr(r, attr)) == key), None)


class Section:
    """One tab. ``key`` is the highlighted row's key (None: the list is empty)."""

    id = ""
    title = ""
    empty = N_("Nothing here yet; n adds the first.")
    #: Who may open the edit form (the service checks again what is changed).
    edit_action = Action.SCHOOL_MANAGE

    def columns(self) -> tuple[str, ...]:
        raise NotImplementedError

    def rows(self, s: Structure) -> list[Row]:
        raise NotImplementedError

    def add(self, s: Structure, key: str | None) -> Form | str:
        raise NotImplementedError

    def edit(self, s: Structure, key: str | None) -> Form | str:
        raise NotImplementedError

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        raise NotImplementedError


def _need_year(s: Structure) -> str | None:
    if s.year is None:
        return _("There is no academic year yet: y creates it (or «ediary setup»).")
    return None


NOTHING = N_("Highlight a line first (the list is empty).")


class PeriodsSection(Section):
    id, title = "periods", N_("Periods")

    def columns(self) -> tuple[str, ...]:
        return (_("Scheme"), "№", _("Name"), _("Dates"))

    def rows(self, s: Structure) -> list[Row]:
        return [
            (p.id, (_(SCHEME_NAMES[p.scheme]), str(p.number), p.name, _days(p.start, p.end)))
            for p in s.periods
        ]

    def add(self, s: Structure, key: str | None) -> Form | str:
        if (why := _need_year(s)) or s.year is None:
            return why or ""
        year_id = s.year.id
        schemes = tuple((_(SCHEME_NAMES[k]), k) for k in ("quarters", "halves", "year"))

        def read(a: dict[str, str]) -> Call:
            number = read_number(a["number"], _("Number"))
            start, end = read_day(a["start"], _("From")), read_day(a["end"], _("To"))
            name = a["name"].strip() or school_setup.standard_period_name(a["scheme"], number)
            return lambda actor: school_setup.add_period(
                actor, year_id, a["scheme"], number, name, start, end
            )

        return Form(
            _("A new period of {year}").format(year=s.year.name),
            [
                Field("scheme", _("Scheme"), "quarters", schemes),
                Field("number", _("Number")),
                Field("name", _("Name (empty: standard)")),
                day_field("start", _("From"), None),
                day_field("end", _("To"), None),
            ],
            read,
            _("The period is added."),
        )

    def edit(self, s: Structure, key: str | None) -> Form | str:
        period = _find(s.periods, key)
        if period is None:
            return _(NOTHING)

        def read(a: dict[str, str]) -> Call:
            start, end = read_day(a["start"], _("From")), read_day(a["end"], _("To"))
            return lambda actor: setup_changes.change_period(
                actor, period.id, a["name"], start, end
            )

        return Form(
            _("Period: {name}").format(name=period.name),
            [
                Field("name", _("Name"), period.name),
                day_field("start", _("From"), period.start),
                day_field("end", _("To"), period.end),
            ],
            read,
            _("The period is changed."),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        period = _find(s.periods, key)
        if period is None:
            return _(NOTHING)
        return Removal(
            _("Remove the period «{name}»?").format(name=period.name),
            lambda actor: setup_changes.remove_period(actor, period.id),
            _("The period is removed."),
        )


class HolidaysSection(Section):
    id, title = "holidays", N_("Holidays")

    def columns(self) -> tuple[str, ...]:
        return (_("Name"), _("Dates"))

    def rows(self, s: Structure) -> list[Row]:
        return [(h.id, (h.name, _days(h.start, h.end))) for h in s.holidays]

    def _form(self, s: Structure, title: str, holiday, call) -> Form:  # noqa: ANN001
        def read(a: dict[str, str]) -> Call:
            start, end = read_day(a["start"], _("From")), read_day(a["end"], _("To"))
            return lambda actor: call(actor, a["name"], start, end)

        return Form(
            title,
            [
                Field("name", _("Name"), holiday.name if holiday else ""),
                day_field("start", _("From"), holiday.start if holiday else None),
                day_field("end", _("To"), holiday.end if holiday else None),
            ],
            read,
            _("The holidays are saved; lessons generated later skip them."),
        )

    def add(self, s: Structure, key: str | None) -> Form | str:
        if (why := _need_year(s)) or s.year is None:
            return why or ""
        year_id = s.year.id
        return self._form(
            s,
            _("New holidays"),
            None,
            lambda actor, name, start, end: school_setup.add_holiday(
                actor, year_id, name, start, end
            ),
        )

    def edit(self, s: Structure, key: str | None) -> Form | str:
        holiday = _find(s.holidays, key)
        if holiday is None:
            return _(NOTHING)
        return self._form(
            s,
            _("Holidays: {name}").format(name=holiday.name),
            holiday,
            lambda actor, name, start, end: setup_changes.change_holiday(
                actor, holiday.id, name, start, end
            ),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        holiday = _find(s.holidays, key)
        if holiday is None:
            return _(NOTHING)
        return Removal(
            _("Remove the holidays «{name}»?").format(name=holiday.name),
            lambda actor: setup_changes.remove_holiday(actor, holiday.id),
            _("The holidays are removed."),
        )


class BellsSection(Section):
    id, title = "bells", N_("Bells")

    def columns(self) -> tuple[str, ...]:
        return (_("Lesson"), _("Starts"), _("Ends"))

    def rows(self, s: Structure) -> list[Row]:
        return [(str(b.number), (str(b.number), b.starts, b.ends)) for b in s.bells]

    def add(self, s: Structure, key: str | None) -> Form | str:
        def read(a: dict[str, str]) -> Call:
            number = read_number(a["number"], _("Lesson"))
            return lambda actor: school_setup.add_bell(actor, number, a["starts"], a["ends"])

        fields = [
            Field("number", _("Lesson")),
            Field("starts", _("Starts")),
            Field("ends", _("Ends")),
        ]
        return Form(_("A new lesson in the bells"), fields, read, _("The bell is added."))

    def edit(self, s: Structure, key: str | None) -> Form | str:
        bell = _find(s.bells, key, "number")
        if bell is None:
            return _(NOTHING)

        def read(a: dict[str, str]) -> Call:
            return lambda actor: school_setup.change_bell(
                actor, bell.number, a["starts"], a["ends"]
            )

        return Form(
            _("Bells of lesson {number}").format(number=bell.number),
            [Field("starts", _("Starts"), bell.starts), Field("ends", _("Ends"), bell.ends)],
            read,
            _("The bell times are changed."),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        bell = _find(s.bells, key, "number")
        if bell is None:
            return _(NOTHING)
        return Removal(
            _("Remove lesson {number} from the bells?").format(number=bell.number),
            lambda actor: setup_changes.remove_bell(actor, bell.number),
            _("The bell is removed."),
        )


class SubjectsSection(Section):
    id, title = "subjects", N_("Subjects")

    def columns(self) -> tuple[str, ...]:
        return (_("Subject"), _("Short"), _("Pass/fail"), _("Written work"))

    def rows(self, s: Structure) -> list[Row]:
        def word(flag: bool) -> str:
            return _("yes") if flag else "—"

        return [
            (x.id, (x.name, x.short_name, word(x.pass_fail), word(x.needs_written_work)))
            for x in s.subjects
        ]

    def _fields(self, subject) -> list[Field]:  # noqa: ANN001
        def flag(value: bool) -> str:
            return "yes" if value else "no"

        return [
            Field("name", _("Subject"), subject.name if subject else ""),
            Field("short", _("Short name"), subject.short_name if subject else ""),
            Field(
                "pass_fail", _("Pass/fail"), flag(subject.pass_fail) if subject else "", yes_no()
            ),
            Field(
                "written",
                _("Written work"),
                flag(subject.needs_written_work) if subject else "",
                yes_no(),
            ),
        ]

    def add(self, s: Structure, key: str | None) -> Form | str:
        def read(a: dict[str, str]) -> Call:
            return lambda actor: school_setup.create_subject(
                actor,
                a["name"],
                short_name=a["short"],
                pass_fail=a["pass_fail"] == "yes",
                needs_written_work=a["written"] == "yes",
            )

        return Form(_("A new subject"), self._fields(None), read, _("The subject is added."))

    def edit(self, s: Structure, key: str | None) -> Form | str:
        subject = _find(s.subjects, key)
        if subject is None:
            return _(NOTHING)

        def read(a: dict[str, str]) -> Call:
            return lambda actor: setup_changes.change_subject(
                actor,
                subject.id,
                a["name"],
                short_name=a["short"],
                pass_fail=a["pass_fail"] == "yes",
                needs_written_work=a["written"] == "yes",
            )

        title = _("Subject: {name}").format(name=subject.name)
        return Form(title, self._fields(subject), read, _("The subject is changed."))

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        subject = _find(s.subjects, key)
        if subject is None:
            return _(NOTHING)
        return Removal(
            _("Remove the subject «{name}»?").format(name=subject.name),
            lambda actor: setup_changes.remove_subject(actor, subject.id),
            _("The subject is removed."),
        )


class WorkTypesSection(Section):
    id, title = "work", N_("Work types")

    def columns(self) -> tuple[str, ...]:
        return (_("Kind of work"), _("Weight"), _("Kind"))

    def rows(self, s: Structure) -> list[Row]:
        return [
            (w.id, (w.name, _number(w.weight), _(KIND_NAMES.get(w.kind, w.kind))))
            for w in s.work_types
        ]

    def add(self, s: Structure, key: str | None) -> Form | str:
        kinds = tuple((_(KIND_NAMES[k]), k) for k in WORK_KINDS)

        def read(a: dict[str, str]) -> Call:
            return lambda actor: school_setup.create_work_type(
                actor, a["name"], school_setup.check_weight(a["weight"]), a["kind"]
            )

        fields = [
            Field("name", _("Kind of work")),
            Field("weight", _("Weight"), "1"),
            Field("kind", _("Kind"), "oral", kinds),
        ]
        return Form(_("A new kind of work"), fields, read, _("The kind of work is added."))

    def edit(self, s: Structure, key: str | None) -> Form | str:
        work = _find(s.work_types, key)
        if work is None:
            return _(NOTHING)

        def read(a: dict[str, str]) -> Call:
            return lambda actor: setup_changes.set_work_type_weight(actor, work.id, a["weight"])

        return Form(
            _("Weight of «{name}»").format(name=work.name),
            [Field("weight", _("Weight"), _number(work.weight))],
            read,
            _("The weight is changed; averages follow it."),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        work = _find(s.work_types, key)
        if work is None:
            return _(NOTHING)
        return Removal(
            _("Remove the kind of work «{name}»?").format(name=work.name),
            lambda actor: setup_changes.remove_work_type(actor, work.id),
            _("The kind of work is removed."),
        )


def _teacher_choices(s: Structure, *, nobody: bool) -> tuple[tuple[str, str], ...]:
    people = tuple((t.name, t.id) for t in s.teachers)
    return (((_("nobody"), ""),) if nobody else ()) + people


class ClassesSection(Section):
    id, title = "classes", N_("Classes")

    def columns(self) -> tuple[str, ...]:
        return (_("Class"), _("Scheme"), _("Class teacher"))

    def rows(self, s: Structure) -> list[Row]:
        return [(c.id, (c.label, _(SCHEME_NAMES[c.scheme]), c.teacher or "—")) for c in s.classes]

    def add(self, s: Structure, key: str | None) -> Form | str:
        if (why := _need_year(s)) or s.year is None:
            return why or ""
        year_id = s.year.id
        schemes = tuple((_(SCHEME_NAMES[k]), k) for k in classes.CLASS_SCHEMES)

        def read(a: dict[str, str]) -> Call:
            grade = read_number(a["grade"], _("Grade"))
            return lambda actor: classes.create_class(
                actor,
                year_id,
                grade,
                a["letter"],
                class_teacher_id=a["teacher"] or None,
                period_scheme=a["scheme"],
            )

        fields = [
            Field("grade", _("Grade")),
            Field("letter", _("Letter")),
            Field("scheme", _("Scheme"), "quarters", schemes),
            Field("teacher", _("Class teacher"), "", _teacher_choices(s, nobody=True)),
        ]
        return Form(
            _("A new class in {year}").format(year=s.year.name),
            fields,
            read,
            _("The class is added."),
        )

    def edit(self, s: Structure, key: str | None) -> Form | str:
        found = _find(s.classes, key)
        if found is None:
            return _(NOTHING)

        schemes = tuple((_(SCHEME_NAMES[k]), k) for k in classes.CLASS_SCHEMES)

        def read(a: dict[str, str]) -> Call:
            return lambda actor: classes.change_class(
                actor, found.id, class_teacher_id=a["teacher"] or None, period_scheme=a["scheme"]
            )

        return Form(
            _("Class {label}").format(label=found.label),
            [
                Field("scheme", _("Scheme"), found.scheme, schemes),
                Field(
                    "teacher",
                    _("Class teacher"),
                    found.teacher_id or "",
                    _teacher_choices(s, nobody=True),
                ),
            ],
            read,
            _("The class is changed."),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        found = _find(s.classes, key)
        if found is None:
            return _(NOTHING)
        return Removal(
            _("Remove the class {label}?").format(label=found.label),
            lambda actor: classes.remove_class(actor, found.id),
            _("The class is removed."),
        )


class LoadSection(Section):
    """Every class's journals: subject, subgroup, teacher, hours per week."""

    id, title = "load", N_("Load")
    empty = N_("No journals yet; n adds one (a class and its subjects come first).")

    def columns(self) -> tuple[str, ...]:
        return (_("Class"), _("Subject"), _("Group"), _("Teacher"), _("Hours"))

    def rows(self, s: Structure) -> list[Row]:
        return [
            (x.id, (x.class_label, x.subject, x.subgroup or "—", x.teacher, _number(x.hours)))
            for x in s.load
        ]

    def add(self, s: Structure, key: str | None) -> Form | str:
        if not s.classes or not s.subjects or not s.teachers:
            return _("A journal needs a class, a subject and a teacher: add them first.")
        current = _find(s.load, key)
        labels = {c.id: c.label for c in s.classes}
        subject_ids = {x.name: x.id for x in s.subjects}
        groups: list[tuple[str, str]] = [(_("whole class"), "")]
        for (class_id, subject_id), found in s.subgroups.items():
            subject = next((x.name for x in s.subjects if x.id == subject_id), "")
            groups += [(f"{labels[class_id]} · {subject} · {g.name}", g.id) for g in found]

        def read(a: dict[str, str]) -> Call:
            hours = classes.check_hours_per_week(a["hours"].replace(",", "."))
            return lambda actor: classes.create_assignment(
                actor,
                a["teacher"],
                a["class"],
                a["subject"],
                subgroup_id=a["group"] or None,
                hours_per_week=hours,
            )

        fields = [
            Field(
                "class",
                _("Class"),
                current.class_id if current else "",
                tuple((c.label, c.id) for c in s.classes),
            ),
            Field(
                "subject",
                _("Subject"),
                subject_ids.get(current.subject, "") if current else "",
                tuple((x.name, x.id) for x in s.subjects),
            ),
            Field("group", _("Group"), "", tuple(groups)),
            Field("teacher", _("Teacher"), "", _teacher_choices(s, nobody=False)),
            Field("hours", _("Hours per week"), "1"),
        ]
        return Form(_("A new journal in the load"), fields, read, _("The journal is added."))

    #: A journal's teacher and group are also the system administrator's (a teacher who
    #: leaves mid-year); the service says who may change its hours.
    edit_action = Action.JOURNAL_HANDOVER

    def edit(self, s: Structure, key: str | None) -> Form | str:
        journal = _find(s.load, key)
        if journal is None:
            return _(NOTHING)
        teachers = _teacher_choices(s, nobody=False)
        if all(value != journal.teacher_id for _name, value in teachers):  # disabled: left
            teachers = ((journal.teacher, journal.teacher_id), *teachers)
        groups = ((_("whole class"), ""),) + tuple(
            (g.name, g.id) for g in s.subgroups.get((journal.class_id, journal.subject_id), [])
        )

        def read(a: dict[str, str]) -> Call:
            return lambda actor: handover.change_journal(
                actor,
                journal.id,
                teacher_id=a["teacher"],
                subgroup_id=a["group"] or None,
                hours_per_week=a["hours"],
            )

        return Form(
            _("Journal {label}, {subject}").format(
                label=journal.class_label, subject=journal.subject
            ),
            [
                Field("teacher", _("Teacher"), journal.teacher_id, teachers),
                Field("group", _("Group"), journal.subgroup_id or "", groups),
                Field("hours", _("Hours per week"), _number(journal.hours)),
            ],
            read,
            _("The journal is changed; its marks stay, its lessons to come follow it."),
            hint=_(
                "A new teacher takes the journal with its marks and its lessons to come "
                "(a teacher who leaves mid-year); laptops follow at their next sync."
            ),
        )

    def remove(self, s: Structure, key: str | None) -> Removal | str:
        journal = _find(s.load, key)
        if journal is None:
            return _(NOTHING)
        return Removal(
            _("Remove the journal {label}, {subject} ({teacher})?").format(
                label=journal.class_label, subject=journal.subject, teacher=journal.teacher
            ),
            lambda actor: classes.remove_assignment(actor, journal.id),
            _("The journal is removed."),
        )


#: The tabs in the order of the number keys 1–7.
SECTIONS: tuple[Section, ...] = (
    PeriodsSection(),
    HolidaysSection(),
    BellsSection(),
    SubjectsSection(),
    WorkTypesSection(),
    ClassesSection(),
    LoadSection(),
)

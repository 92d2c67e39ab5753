"""Students and their parents, written through ``classes`` and ``guardians``.

A student is matched by full name and birth date within the year, a parent by full name
and phone. Nobody is ever removed: a student the file no longer lists is reported (leaving
is recorded with its date), and a parent already linked stays linked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from node.errors import EdiaryError, ValidationError
from node.i18n import _
from node.models import Guardian, SchoolClass, Student, StudentGuardian
from node.services.base.names import FIRST, LAST, MIDDLE, person_name
from node.services.setup.cells import to_date
from node.services.setup.context import Run, name_key
from node.services.setup.rows import Row
from node.services.students import classes, guardians, profiles
from node.services.students.profiles import check_birth_date, clean_phone

_DIGIT = re.compile(r"\d")


#: Which part of a name each name column holds (for ``person_name``'s message).
_NAME_PARTS = {"last_name": LAST, "first_name": FIRST, "middle_name": MIDDLE}


def _check_names(run: Run, row: Row, keys: tuple[str, ...]) -> None:
    """Names by the one rule of ``node.services.base.names``; a date in a name column means
    the columns have shifted, and the problem says so."""
    for key in keys:
        text = row.text(key)
        try:
            person_name(text, _NAME_PARTS[key])
        except ValidationError as exc:
            run.rows.problem(row, key, _shifted_date(text) or str(exc))


def _shifted_date(text: str) -> str | None:
    """What to say when a name cell holds a date (else None)."""
    if not _DIGIT.search(text):
        return None
    try:
        to_date(text)
    except ValidationError:
        return None
    return _(
        "«{value}» is a date, not a name: the columns have probably shifted; put "
        "the birth date in its own column and the name here."
    ).format(value=text)


def _digits(phone: str) -> str:
    """The phone as compared: digits only, and a Russian «8 912 …» the same as «+7 912 …»."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


# --- students --------------------------------------------------------------------------------


def import_students(run: Run) -> None:
    assert run.year is not None
    in_year = (
        Student.select(Student, SchoolClass).join(SchoolClass).where(SchoolClass.year == run.year)
    )
    by_key: dict[tuple[str, dt.date | None], Student] = {}
    by_class: dict[str, list[Student]] = defaultdict(list)  # students ediary had, by class
    for student in in_year:
        full = name_key(student.last_name, student.first_name, student.middle_name)
        by_key[(full, student.birth_date)] = student
        by_class[student.school_class_id].append(student)
        run.students.setdefault((student.school_class_id, full), []).append(student)
    listed: dict[str, set[str]] = defaultdict(set)  # class id → student ids the file lists
    pending: list[tuple[Row, SchoolClass, dt.date]] = []  # rows of no student in ediary yet
    for row in run.rows.of("students"):
        _check_names(run, row, ("last_name", "first_name", "middle_name"))
        school_class = run.school_class(row, "class")
        enrolled_on = row["enrolled_on"] or run.year.start
        if row["birth_date"] is not None:
            run.attempt(row, "birth_date", check_birth_date, row["birth_date"], enrolled_on)
        if row.broken or school_class is None:
            continue
        full = name_key(row["last_name"], row["first_name"], row["middle_name"])
        existing = by_key.get((full, row["birth_date"]))
        if existing is None and row["birth_date"] is None:  # by name alone, if one such
            namesakes = run.students.get((school_class.id, full), [])
            existing = namesakes[0] if len(namesakes) == 1 else None
        if existing is not None:
            _known_student(run, row, existing, school_class, listed)
        else:
            pending.append((row, school_class, enrolled_on))
    new: list[tuple[Row, classes.EnrolmentRequest]] = []
    for row, school_class, enrolled_on in pending:
        corrected = _corrected(row, by_class[school_class.id], listed[school_class.id])
        if corrected is not None:
            _correct(run, row, corrected)
            listed[school_class.id].add(corrected.id)
            continue
        request = classes.EnrolmentRequest(
            school_class.id,
            row["last_name"],
            row["first_name"],
            row["middle_name"] or "",
            birth_date=row["birth_date"],
            enrolled_on=enrolled_on,
        )
        new.append((row, request))
    enrolled = classes.enrol_students(run.actor, [request for _row, request in new])
    for (row, _request), result in zip(new, enrolled, strict=True):
        student = run.outcome(row, "enrolled_on", result)
        if student is None:
            continue
        full = name_key(student.last_name, student.first_name, student.middle_name)
        run.students.setdefault((student.school_class_id, full), []).append(student)
        listed[student.school_class_id].add(student.id)
        run.report.count("students", "created")
    _report_unlisted(run, listed)


def _corrected(row: Row, students: list[Student], listed: set[str]) -> Student | None:
    """The one student of the class that the file no longer lists and that this row, which
    matches nobody, clearly names with a corrected name or birth date: same last and first
    name, or same birth date and last or first name. A corrected typo must not enrol the
    child a second time."""
    last, first = name_key(row["last_name"]), name_key(row["first_name"])
    candidates = [
        student
        for student in students
        if student.id not in listed
        and student.left_on is None
        and (
            (name_key(student.last_name), name_key(student.first_name)) == (last, first)
            or (
                student.birth_date == row["birth_date"]
                and (name_key(student.last_name) == last or name_key(student.first_name) == first)
            )
        )
    ]
    return candidates[0] if len(candidates) == 1 else None


def _correct(run: Run, row: Row, student: Student) -> None:
    """Write the file's name and birth date of a student ediary knows by another one."""
    old = (
        student.school_class_id,
        name_key(student.last_name, student.first_name, student.middle_name),
    )
    changed = run.attempt(
        row,
        "birth_date",
        profiles.update_student,
        run.actor,
        student.id,
        last_name=row["last_name"],
        first_name=row["first_name"],
        middle_name=row["middle_name"] or "",
        birth_date=row["birth_date"] or student.birth_date,  # an empty cell keeps it
        gender=student.gender,
        address=student.address,
        phone=student.phone,
    )
    if changed is None:
        return
    run.students[old] = [s for s in run.students.get(old, []) if s.id != student.id]
    new = (
        student.school_class_id,
        name_key(changed.last_name, changed.first_name, changed.middle_name),
    )
    run.students.setdefault(new, []).append(changed)
    run.report.count("students", "updated")


def _known_student(
    run: Run, row: Row, student: Student, school_class: SchoolClass, listed: dict[str, set[str]]
) -> None:
    if student.school_class_id != school_class.id:
        run.rows.problem(
            row,
            "class",
            _(
                "{name}, born {birth}, is in {other} in ediary; a student is in one class: "
                "write {other}, or record their leaving {other} first."
            ).format(
                name=student.full_name,
                birth=student.birth_date.strftime("%d.%m.%Y"),
                other=student.school_class.label,
            ),
        )
        return
    listed[school_class.id].add(student.id)
    if student.left_on is not None:
        run.report.count("students", "left")
        run.note(
            _("{name} ({label}) left on {day} and stays a former student.").format(
                name=student.full_name, label=school_class.label, day=student.left_on.isoformat()
            )
        )
    elif row["enrolled_on"] not in (None, student.enrolled_on):
        run.report.count("students", "left")  # no service moves an enrolment
        run.note(
            _(
                "{name} ({label}) keeps the enrolment date {day}; the import does not change "
                "an enrolment date."
            ).format(
                name=student.full_name,
                label=school_class.label,
                day=student.enrolled_on.isoformat(),
            )
        )
    else:
        run.report.count("students", "unchanged")


def _report_unlisted(run: Run, listed: dict[str, set[str]]) -> None:
    """Students of a listed class that the file no longer lists: reported, never removed."""
    labels: dict[str, str] = {c.id: c.label for c in run.classes.values()}
    present: dict[str, list[Student]] = defaultdict(list)  # class id → its students, read once
    class_ids = list(listed)
    for start in range(0, len(class_ids), 500):
        query = Student.select().where(
            Student.school_class.in_(class_ids[start : start + 500]), Student.left_on.is_null()
        )
        for student in query:
            present[student.school_class_id].append(student)
    for class_id, student_ids in listed.items():
        label = labels.get(class_id) or SchoolClass.get_by_id(class_id).label
        missing = sorted(
            (s for s in present[class_id] if s.id not in student_ids),
            key=lambda s: (s.last_name, s.first_name, s.middle_name),  # the class list's order
        )
        for student in missing:
            run.report.count("students", "left")
            run.note(
                _(
                    "{name} ({label}) is in ediary but not in the file; left as it was (a "
                    "student who leaves is recorded with the date they left)."
                ).format(name=student.full_name, label=label)
            )


# --- parents ---------------------------------------------------------------------------------


def _child(run: Run, row: Row) -> Student | None:
    """The student a parent row names: by class and full name, and birth date if needed."""
    school_class = run.school_class(row, "child_class")
    if school_class is None:
        return None
    full = name_key(row["child"])
    found = run.students.get((school_class.id, full), [])
    if row["child_birth_date"] is not None:
        found = [s for s in found if s.birth_date == row["child_birth_date"]]
    if len(found) == 1:
        return found[0]
    if not found:
        run.unknown(
            row,
            "students",
            "child",
            _(
                "there is no student «{name}» in {label}; write the name as on the Students "
                "sheet (last name, first name, middle name)."
            ).format(name=row["child"], label=school_class.label),
        )
    else:
        run.rows.problem(
            row,
            "child_birth_date",
            _("{label} has {count} students named «{name}»; add the child's birth date.").format(
                label=school_class.label, count=len(found), name=row["child"]
            ),
        )
    return None


class _NewParents:
    """Parents' rows that add a parent or link one to a child, sent to ``add_guardians``
    together. A row that needs what a waiting row writes (the same child's parents) sends
    what waits first, so every row sees what the rows before it did."""

    def __init__(self, run: Run, known: dict[tuple[str, str], Guardian | int]) -> None:
        self.run = run
        self.known = known  # (name, phone digits) → the parent, or the request adding them
        self.links: dict[tuple[str, str], StudentGuardian] = {}
        self.by_child: dict[str, list[StudentGuardian]] = defaultdict(list)
        self.waiting: list[tuple[Row, guardians.GuardianRequest, tuple[str, str] | None]] = []
        self.names: set[tuple[str, str]] = set()  # (child id, parent's name) of what waits
        self.pairs: set[tuple[str, str | int]] = set()  # (child id, parent id or request)

    def add(self, row: Row, request: guardians.GuardianRequest, key: tuple[str, str]) -> None:
        parent = request.same_as if request.same_as is not None else request.guardian_id
        if request.data is not None:
            parent = len(self.waiting)
            self.known[key] = parent
        assert parent is not None
        self.waiting.append((row, request, key if request.data is not None else None))
        self.names.add((request.student_id, key[0]))
        self.pairs.add((request.student_id, parent))

    def send(self) -> None:
        waiting, self.waiting = self.waiting, []
        self.names, self.pairs = set(), set()
        if not waiting:
            return
        results = guardians.add_guardians(self.run.actor, [request for _r, request, _k in waiting])
        for (row, request, key), result in zip(waiting, results, strict=True):
            blame: str | None = "child"
            if request.data is not None or (
                request.same_as is not None and result is results[request.same_as]
            ):
                blame = None  # the parent was not added (as ``add_guardian`` refused)
            link = self.run.outcome(row, blame, result)
            if key is not None:
                if link is None:
                    del self.known[key]
                else:
                    self.known[key] = link.guardian
            if link is not None:
                self.links[(link.student_id, link.guardian_id)] = link
                self.by_child[link.student_id].append(link)
                self.run.report.count("parents", "created")  # a new row: this parent, this child


def import_parents(run: Run) -> None:
    known: dict[tuple[str, str], Guardian | int] = {}
    for guardian in Guardian.select():
        full = name_key(guardian.last_name, guardian.first_name, guardian.middle_name)
        known.setdefault((full, _digits(guardian.phone)), guardian)
    assert run.year is not None
    new = _NewParents(run, known)
    new.links = {
        (link.student_id, link.guardian_id): link
        for link in StudentGuardian.select(StudentGuardian, Guardian)
        .join(Guardian)
        .switch(StudentGuardian)
        .join(Student)
        .join(SchoolClass)
        .where(SchoolClass.year == run.year)
    }
    for link in new.links.values():
        new.by_child[link.student_id].append(link)
    emails: dict[tuple[str, str], Row] = {}
    for row in run.rows.of("parents"):
        _check_names(run, row, ("last_name", "first_name", "middle_name"))
        phone = run.attempt(row, "phone", clean_phone, row.text("phone"))
        email = run.attempt(row, "email", guardians.clean_email, row.text("email"))
        child = _child(run, row)
        if row.broken or child is None or phone is None or email is None:
            continue
        data = guardians.GuardianData(
            last_name=row["last_name"],
            first_name=row["first_name"],
            middle_name=row["middle_name"] or "",
            phone=phone,
            email=email,
        )
        relation = row["relation"] or "other"
        full = name_key(data.last_name, data.first_name, data.middle_name)
        key = (full, _digits(phone))
        if not _same_email(run, row, emails, key, email):
            continue
        guardian = known.get(key)
        if isinstance(guardian, int):  # added by a row waiting to be written
            if (child.id, guardian) not in new.pairs:
                link_to = guardians.GuardianRequest(child.id, relation, same_as=guardian)
                new.add(row, link_to, key)
                continue
            new.send()
            guardian = known.get(key)
            assert not isinstance(guardian, int)
        if guardian is None:
            if (child.id, full) in new.names:  # the same name for this child: is it them?
                new.send()
            guardian = _same_parent_new_phone(run, row, child, full, data, new.by_child[child.id])
            if guardian is not None:
                known[key] = guardian
            else:
                new.add(row, guardians.GuardianRequest(child.id, relation, data=data), key)
            continue
        if (child.id, guardian.id) in new.pairs:
            new.send()
        linked = new.links.get((child.id, guardian.id))
        if linked is None:
            link_to = guardians.GuardianRequest(child.id, relation, guardian_id=guardian.id)
            new.add(row, link_to, key)
            continue
        _update_parent(run, row, child, guardian, linked, data)
    new.send()


def _same_parent_new_phone(
    run: Run,
    row: Row,
    child: Student,
    full: str,
    data: guardians.GuardianData,
    links: list[StudentGuardian],
) -> Guardian | None:
    """A parent of this child with this name already in ediary, under another phone: the
    same person with a new number, written to them rather than made a second parent."""
    mine = [
        link
        for link in links
        if name_key(link.guardian.last_name, link.guardian.first_name, link.guardian.middle_name)
        == full
    ]
    if len(mine) != 1:
        return None
    link = mine[0]
    changed = guardians.GuardianData(
        last_name=link.guardian.last_name,
        first_name=link.guardian.first_name,
        middle_name=link.guardian.middle_name,
        phone=data.phone or link.guardian.phone,  # an empty cell keeps the phone
        email=data.email or link.guardian.email,
    )
    relation = row["relation"] or link.relation
    if (changed.phone, changed.email, relation) == (
        link.guardian.phone,
        link.guardian.email,
        link.relation,
    ):
        run.report.count("parents", "unchanged")
        return Guardian.get_by_id(link.guardian_id)
    done = run.attempt(
        row, "phone", guardians.update_guardian, run.actor, child.id, link.guardian_id, changed,
        relation,
    )  # fmt: skip
    if done is None:
        return None
    run.report.count("parents", "updated")
    return Guardian.get_by_id(link.guardian_id)


def _same_email(
    run: Run, row: Row, emails: dict[tuple[str, str], Row], key: tuple[str, str], email: str
) -> bool:
    """One parent (one name and phone) has one e-mail, on every row of their children."""
    if not email:
        return True
    earlier = emails.setdefault(key, row)
    if earlier is row or earlier.text("email").casefold() == email.casefold():
        return True
    run.rows.problem(
        row,
        "email",
        _(
            "row {row} gives this parent the e-mail {email}; write the same e-mail on every "
            "row of one parent."
        ).format(row=earlier.number, email=earlier.text("email")),
    )
    return False


def _update_parent(
    run: Run,
    row: Row,
    child: Student,
    guardian: Guardian,
    link: StudentGuardian,
    data: guardians.GuardianData,
) -> None:
    """A parent already linked: a new e-mail or relation from the file is written."""
    email = data.email or guardian.email
    relation = row["relation"] or link.relation
    if (email, relation) == (guardian.email, link.relation):
        run.report.count("parents", "unchanged")
        return
    changed = guardians.GuardianData(
        last_name=guardian.last_name,
        first_name=guardian.first_name,
        middle_name=guardian.middle_name,
        phone=guardian.phone,
        email=email,
    )
    try:
        guardians.update_guardian(run.actor, child.id, guardian.id, changed, relation)
    except EdiaryError as exc:
        run.rows.check(row, "email", exc)
        return
    guardian.email = email
    link.relation = relation
    run.report.count("parents", "updated")

"""Building the demo school into a database file: deterministic, fast and all-or-nothing.

The school is written into a temporary file beside the target with fast, unsafe pragmas
(no journal, no fsync: if anything fails the file is thrown away), switched to WAL, synced
and then moved into place in one step. So a crash or Ctrl-C never leaves a half-built school
where ``ediary`` would open it, and an existing database is never touched.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.errors import Conflict, ValidationError
from node.files import private_folder
from node.i18n import _
from node.models import (
    ALL_MODELS,
    AcademicYear,
    ActivityLog,
    Bell,
    Guardian,
    History,
    Holiday,
    Meta,
    Period,
    School,
    SchoolClass,
    Student,
    StudentGuardian,
    Subgroup,
    SubgroupMember,
    Subject,
    SyncModel,
    TeachingAssignment,
    TimetableSlot,
    User,
    WorkType,
    db,
)
from node.models.base import make_database
from node.models.changes import capture_paused
from node.models.migrations import migrate
from node.services.access.passwords import hash_password
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.history import NODE_ID_KEY
from node.services.base.policy import Policy
from node.services.demo import journal, people
from node.services.demo.curriculum import SUBJECTS, WORK_TYPES
from node.services.demo.people import Households, Logins, Pupil, StaffMember, staff_member
from node.services.demo.rows import IdMaker, Sink, utc_text
from node.services.demo.schoolyear import BELLS, SchoolYear, school_year, start_year
from node.services.demo.staffing import (
    Assignment,
    DemoClass,
    make_classes,
    split_class,
    staff_school,
)
from node.services.demo.summary import (
    DEMO_KEY,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoSummary,
    read_demo_parameters,
    read_summary,
)
from node.services.demo.timetable import make_timetable

Progress = Callable[[str, int, int], None]
_Person = StaffMember | people.Guardian | Pupil


@dataclass(frozen=True)
class SizeSpec:
    classes_per_grade: dict[int, int]
    students: int
    #: teachers in all (``None``: as many as the hours need)
    teachers: int | None
    deputies: int


SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec({7: 1}, 25, None, 2),
    "M": SizeSpec({grade: 2 for grade in range(1, 12)}, 600, None, 2),
    "L": SizeSpec(
        dict(zip(range(1, 12), (7, 7, 7, 7, 7, 7, 6, 6, 6, 5, 5), strict=True)), 2000, 150, 3
    ),
}

#: Pragmas of the temporary file while it is built. Unsafe on purpose: a build that fails
#: is deleted, never repaired. The benchmark's raw baseline uses the same ones.
BUILD_PRAGMAS: dict[str, Any] = {
    "journal_mode": "off",
    "synchronous": "off",
    "foreign_keys": 0,
    "cache_size": -262144,
    "temp_store": "memory",
}

SCHOOL_NAME = "МБОУ «Средняя общеобразовательная школа № 17» (демо)"


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + ".building")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _remove(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


@functools.lru_cache(maxsize=4)
def demo_password_hash(seed: int) -> str:
    """The ONE hash every demo account shares: Argon2id is slow on purpose (tens of ms), and
    thousands of hashes would take minutes. The salt is derived from the seed so that two
    builds stay identical, which also lets a process building several demos (the tests)
    hash once."""
    salt = hashlib.sha256(f"ediary-demo:{seed}".encode()).digest()[:16]
    return hash_password(DEMO_PASSWORD, salt=salt)


def build_demo(
    database_path: Path,
    *,
    size: str = "S",
    seed: int = 1,
    today: dt.date | None = None,
    node_id: str,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the demo school at ``database_path``, or return the one already there.

    Same size, seed and ``today`` give the same data, ids included. A demo already at the
    path is kept and summarised (``built_now`` False) when it has this size and seed;
    anything else at the path raises ``Conflict`` and is left alone.
    """
    size = size.strip().upper()
    if size not in SIZES:
        raise ValidationError(_("Unknown demo size «{size}»: use S, M or L.").format(size=size))
    path = Path(database_path)
    if path.exists():
        found = read_demo_parameters(path)
        if (found.get("size"), found.get("seed")) != (size, seed):
            raise Conflict(
                _(
                    "A different demo school (size {found_size}, seed {found_seed}) is already "
                    "at {path}. Ask for that size and seed to open it, or delete the file to "
                    "build a new one."
                ).format(found_size=found.get("size"), found_seed=found.get("seed"), path=path)
            )
        return read_summary(path, built_now=False)
    day = today or clock.today()
    report = progress or (lambda stage, done, total: None)
    private_folder(path.parent)
    building = temp_path(path)
    _remove(building, *_sidecars(building))
    try:
        _build_file(building, SIZES[size], size, seed, day, node_id, report)
        report(_("Saving"), 0, 1)
        _publish(building, path)
        report(_("Saving"), 1, 1)
    except BaseException:
        _remove(building, *_sidecars(building))
        raise
    return read_summary(path, built_now=True)


def _build_file(
    building: Path,
    spec: SizeSpec,
    size: str,
    seed: int,
    today: dt.date,
    node_id: str,
    report: Progress,
) -> None:
    database = make_database(building, pragmas=BUILD_PRAGMAS)
    previous = db.obj
    try:
        database.connect()
        migrate(database)
        db.initialize(database)
        # the demo is the database's baseline: written without change capture, it reaches
        # replicas as a snapshot (sync bootstrap), and builds as fast as plain inserts
        with database.atomic(), capture_paused():
            _DemoBuild(spec, size, seed, today, node_id, report).run()
        database.execute_sql("PRAGMA journal_mode=wal")
    finally:
        db.initialize(previous)
        database.close()


def _publish(building: Path, path: Path) -> None:
    """Sync the finished file and give it its name in one step (never over another file)."""
    with open(building, "rb+") as handle:
        os.fsync(handle.fileno())
    if not path.exists():
        # a WAL left by a deleted database would be replayed into the new one
        _remove(*_sidecars(path))
    try:
        os.link(building, path)
    except FileExistsError as exc:
        raise Conflict(
            _("Another database appeared at {path} while the demo was being built.").format(
                path=path
            )
        ) from exc
    except OSError:
        os.replace(building, path)  # a file system without hard links
    else:
        building.unlink()
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a directory; its rename is durable enough
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class _DemoBuild:
    """One build: the seeded generators and the rows written so far."""

    def __init__(
        self, spec: SizeSpec, size: str, seed: int, today: dt.date, node_id: str, report: Progress
    ) -> None:
        self.spec = spec
        self.size = size
        self.seed = seed
        self.today = today
        self.node_id = node_id
        self.report = report
        self.year: SchoolYear = school_year(start_year(today))
        before = dt.datetime.combine(self.year.start, dt.time(6, 0))
        self.rng = random.Random(f"ediary-demo:{seed}")
        self.ids = IdMaker(f"ediary-demo:{seed}:rows", before - dt.timedelta(days=10))
        self.lesson_ids = IdMaker(f"ediary-demo:{seed}:lessons", before - dt.timedelta(days=5))
        self.event_ids = IdMaker(f"ediary-demo:{seed}:events", before)
        self.log_ids = IdMaker(f"ediary-demo:{seed}:log", before)
        self.sink = Sink()
        self.year_id = ""
        self.period_ids: dict[tuple[str, int], str] = {}
        self.subject_ids: dict[str, str] = {}
        self.work_types: dict[str, journal.WorkTypeRow] = {}

    def run(self) -> None:
        steps = _("Preparing the school")
        self.report(steps, 0, 3)
        classes = make_classes(self.ids, self.spec.classes_per_grade, self.spec.students)
        households = Households(self.rng, self.ids, self.year.start.year)
        for school_class in classes:
            pupils = [
                households.pupil(school_class.index, school_class.grade)
                for _n in range(school_class.size)
            ]
            school_class.pupils = sorted(pupils, key=lambda p: (p.last, p.first, p.middle, p.id))
            split_class(self.ids, school_class)
        teachers, assignments = staff_school(self.rng, self.ids, classes, self.spec.teachers)
        self.report(steps, 1, 3)
        make_timetable(self.rng, classes, assignments)
        self.report(steps, 2, 3)
        self._write_calendar()
        self._write_subjects(classes)
        self._write_people(classes, teachers, households)
        self._write_structure(classes, assignments)
        self.report(steps, 3, 3)
        ctx = journal.JournalContext(
            year=self.year,
            today=self.today,
            classes=classes,
            assignments=assignments,
            subject_ids=self.subject_ids,
            work_types=self.work_types,
            rng=self.rng,
            ids=self.event_ids,
            lesson_ids=self.lesson_ids,
            sink=self.sink,
            progress=self.report,
            period_ids=self.period_ids,
            log_ids=self.log_ids,
            node_id=self.node_id,
        )
        journal.write_plans(ctx)
        journals = journal.write_lessons(ctx)
        journal.write_final_marks(ctx, journals)
        self.sink.flush()
        self._write_meta_and_history()

    # --- the school, its calendar and subjects -------------------------------------------

    def _write_calendar(self) -> None:
        ids, sink, year = self.ids, self.sink, self.year
        sink.table(School, ("id", "name", "timezone", "locale", "policy")).add(
            (ids.new(), SCHOOL_NAME, "Europe/Moscow", "ru", "{}")
        )
        self.year_id = ids.new()
        sink.table(AcademicYear, ("id", "name", "start", "end", "status")).add(
            (self.year_id, year.name, year.start.isoformat(), year.end.isoformat(), "active")
        )
        periods = sink.table(Period, ("id", "year", "scheme", "number", "name", "start", "end"))
        for term in year.terms:
            period_id = ids.new()
            self.period_ids[(term.scheme, term.number)] = period_id
            periods.add(
                (
                    period_id,
                    self.year_id,
                    term.scheme,
                    term.number,
                    term.name,
                    term.start.isoformat(),
                    term.end.isoformat(),
                )
            )
        holidays = sink.table(Holiday, ("id", "year", "name", "start", "end"))
        for name, start, end in year.holidays:
            holidays.add((ids.new(), self.year_id, name, start.isoformat(), end.isoformat()))
        bells = sink.table(Bell, ("id", "number", "starts", "ends"))
        for number, starts, ends in BELLS:
            bells.add((ids.new(), number, starts, ends))
        work_types = sink.table(WorkType, ("id", "name", "weight", "kind"))
        for key, (name, weight, kind) in WORK_TYPES.items():
            row = journal.WorkTypeRow(ids.new(), int(weight * 2), kind)
            self.work_types[key] = row
            work_types.add((row.id, name, weight, kind))

    def _write_subjects(self, classes: list[DemoClass]) -> None:
        used = {line.subject for c in classes for line in c.lines}
        written = set(Policy().written_work_subjects)
        table = self.sink.table(
            Subject, ("id", "name", "short_name", "pass_fail", "needs_written_work")
        )
        for name, info in SUBJECTS.items():
            if name in used:
                self.subject_ids[name] = self.ids.new()
                table.add(
                    (
                        self.subject_ids[name],
                        name,
                        info.short,
                        int(info.pass_fail),
                        int(name in written),
                    )
                )

    # --- people --------------------------------------------------------------------------

    def _write_people(
        self, classes: list[DemoClass], teachers: list[StaffMember], households: Households
    ) -> None:
        password_hash = demo_password_hash(self.seed)
        staff_created = utc_text(self.year.start - dt.timedelta(days=10), "10:00")
        family_created = utc_text(self.year.start - dt.timedelta(days=3), "10:00")
        logins = Logins(tuple(DEMO_LOGINS.values()))
        users = self.sink.table(
            User,
            (
                "id",
                "login",
                "last_name",
                "first_name",
                "middle_name",
                "roles",
                "language",
                "status",
                "password_hash",
                "created_at",
            ),
        )

        def add_user(user_id: str, person: _Person, roles: str, login: str, created: str) -> None:
            person.login = login or logins.make(person.last, person.first, person.middle)
            users.add(
                (
                    user_id,
                    person.login,
                    person.last,
                    person.first,
                    person.middle,
                    roles,
                    None,
                    "active",
                    password_hash,
                    created,
                )
            )

        featured = _featured_class(classes)
        featured_teacher = featured.class_teacher
        featured_pupil = featured.pupils[0]
        featured_parent = featured_pupil.family.guardians[0]
        administration: list[tuple[StaffMember, str, str]] = [
            (staff_member(self.rng, self.ids), "director", DEMO_LOGINS["director"])
        ]
        for n in range(self.spec.deputies):
            login = DEMO_LOGINS["deputy"] if n == 0 else ""
            administration.append((staff_member(self.rng, self.ids), "deputy", login))
        administration.append(
            (staff_member(self.rng, self.ids, "inf"), "sysadmin", DEMO_LOGINS["sysadmin"])
        )
        for person, roles, login in administration:
            add_user(person.id, person, roles, login, staff_created)
        for teacher in teachers:
            login = DEMO_LOGINS["teacher"] if teacher is featured_teacher else ""
            add_user(teacher.id, teacher, " ".join(teacher.roles), login, staff_created)

        guardians = self.sink.table(
            Guardian, ("id", "last_name", "first_name", "middle_name", "phone", "email", "user")
        )
        for family in households.families:
            for g in family.guardians:
                login = DEMO_LOGINS["parent"] if g is featured_parent else ""
                add_user(g.user_id, g, "parent", login, family_created)
                guardians.add((g.id, g.last, g.first, g.middle, g.phone, g.email, g.user_id))
        self._write_students(classes, add_user, featured_pupil, family_created)

    def _write_students(
        self,
        classes: list[DemoClass],
        add_user: Callable[[str, _Person, str, str, str], None],
        featured_pupil: Pupil,
        created: str,
    ) -> None:
        students = self.sink.table(
            Student,
            (
                "id",
                "school_class",
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "gender",
                "address",
                "phone",
                "enrolled_on",
                "left_on",
                "verified_at",
                "user",
            ),
        )
        links = self.sink.table(StudentGuardian, ("id", "student", "guardian", "relation"))
        enrolled = self.year.start.isoformat()
        last_check = min(self.today, self.year.end)
        for school_class in classes:
            for p in school_class.pupils:
                login = DEMO_LOGINS["student"] if p is featured_pupil else ""
                add_user(p.user_id, p, "student", login, created)
                checked = max(
                    self.year.start, last_check - dt.timedelta(days=self.rng.randrange(28))
                )
                students.add(
                    (
                        p.id,
                        school_class.id,
                        p.last,
                        p.first,
                        p.middle,
                        p.birth.isoformat(),
                        p.gender,
                        p.address,
                        p.phone,
                        enrolled,
                        None,
                        utc_text(checked, "16:00"),
                        p.user_id,
                    )
                )
                for g in p.family.guardians:
                    links.add((self.ids.new(), p.id, g.id, g.relation))

    # --- classes, subgroups, journals, timetable ------------------------------------------

    def _write_structure(self, classes: list[DemoClass], assignments: list[Assignment]) -> None:
        sink = self.sink
        class_rows = sink.table(
            SchoolClass, ("id", "year", "grade", "letter", "class_teacher", "period_scheme")
        )
        subgroups = sink.table(Subgroup, ("id", "school_class", "subject", "name"))
        members = sink.table(SubgroupMember, ("id", "subgroup", "student"))
        for c in classes:
            teacher_id = c.class_teacher.id if c.class_teacher else None
            class_rows.add((c.id, self.year_id, c.grade, c.letter, teacher_id, c.scheme))
            for subject, pair in c.subgroups.items():
                for group in pair:
                    subgroups.add((group.id, c.id, self.subject_ids[subject], group.name))
                    for pupil in group.members:
                        members.add((self.ids.new(), group.id, pupil.id))
        table = sink.table(
            TeachingAssignment,
            ("id", "teacher", "school_class", "subject", "subgroup", "hours_per_week"),
        )
        slots = sink.table(TimetableSlot, ("id", "assignment", "weekday", "number", "room"))
        for a in assignments:
            table.add(
                (
                    a.id,
                    a.teacher.id,
                    a.school_class.id,
                    self.subject_ids[a.subject],
                    a.subgroup.id if a.subgroup else None,
                    float(a.hours),
                )
            )
            for weekday, number in a.slots:
                slots.add((self.ids.new(), a.id, weekday, number, a.teacher.room))
        sink.flush()

    # --- bookkeeping ---------------------------------------------------------------------

    def _write_meta_and_history(self) -> None:
        """Node id, the demo's parameters, and one 'import' history row per table."""
        Meta.set_value(NODE_ID_KEY, self.node_id)
        Meta.set_value(
            DEMO_KEY,
            json.dumps(
                {"size": self.size, "seed": self.seed, "today": self.today.isoformat()},
                sort_keys=True,
            ),
        )
        counts = self.sink.counts()
        actor = Actor.for_system()
        imported_at = dt.datetime.combine(self.today, dt.time(16, 0))
        with clock.frozen_time(imported_at):
            for model in ALL_MODELS:
                name = model._meta.table_name
                if not issubclass(model, SyncModel) or not counts.get(name):
                    continue
                if model in (History, ActivityLog):  # the teachers' entries, not imported data
                    continue
                row = history.record(actor, name, None, "import", {"rows": [0, counts[name]]})
                # record() draws a random id; re-key it so two builds stay identical
                History.update(id=self.ids.new()).where(History.id == row.id).execute()


def _featured_class(classes: list[DemoClass]) -> DemoClass:
    """The class whose teacher, student and parent the demo suggests signing in as."""
    for school_class in classes:
        if school_class.grade == 7:
            return school_class
    return classes[0]

"""The demo's journals: a year of lessons, and up to "today" topics, homework, marks,
absences and final marks.

This is the hot path of ``ediary demo --size L`` (about 80 k lessons and 1.3 M marks), so
it works on plain lists and tuples and hands rows to ``rows.Sink`` in database form.
Marks come from each student's ability and the subject; a whole class writes tests,
dictations and labs; ordinary lessons mark a share of the students. Absences are mostly
days off sick (all lessons of the day) plus single missed or late lessons.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from node.i18n import _
from node.models import (
    ActivityLog,
    Attendance,
    FinalMark,
    History,
    Lesson,
    LessonPlanItem,
    Mark,
    PlanItem,
)
from node.models.accounts import ACTIVITY_KINDS, main_role
from node.services.base.policy import FAIL, NOT_CERTIFIED, PASS, Policy
from node.services.demo.curriculum import (
    CLASS_WORKS,
    SUBJECTS,
    has_homework,
    is_marked,
    study_weeks,
)
from node.services.demo.people import StaffMember
from node.services.demo.plans import PlanLine, homework_text, plan_lines
from node.services.demo.rows import IdMaker, Sink, epoch_ms, utc_text
from node.services.demo.schoolyear import BELLS, SchoolYear, Term
from node.services.demo.staffing import Assignment, DemoClass
from node.services.gradebook.grading import round_by_threshold, suggest_year_final

Progress = Callable[[str, int, int], None]

#: Chance that a student misses (or is late to) one lesson outside days off sick.
SINGLE_ABSENCE = 0.019
#: Chance that a past lesson was cancelled (the teacher was ill, the class went out).
CANCELLED = 0.004
#: Chance that a student present at a test gets a mark for it (some hand in nothing).
CLASS_WORK_MARKED = 0.96
#: Chance that a written work gets a second mark in the same cell ("5/4").
SECOND_MARK = 0.04
#: Chance that a student marked in an ordinary lesson gets a second mark there (the answer
#: and the homework checked: "5/4").
ORAL_SECOND = 0.25
#: Scales the subjects' ``oral_rate``: tuned so the reference school L gets the ≈1.3 M marks
#: of docs/ARCHITECTURE.md §7 (about 0.7 marks per student present at a lesson).
ORAL_SCALE = 1.5
#: Chance that a student short of marks near a term's end is asked in a lesson.
CATCH_UP = 0.6
_CLOSING = dt.timedelta(days=14)
_EXCUSES = ("По заявлению родителей", "Соревнования", "Олимпиада", "Приём у врача")
_POINTS = ("0", "1", "2", "3", "4", "5")


@dataclass(frozen=True)
class WorkTypeRow:
    id: str
    weight2: int  # the weight doubled: weights are multiples of 0.5, sums stay whole
    kind: str


@dataclass
class JournalContext:
    year: SchoolYear
    today: dt.date
    classes: list[DemoClass]
    assignments: list[Assignment]
    subject_ids: dict[str, str]
    work_types: dict[str, WorkTypeRow]
    rng: random.Random
    ids: IdMaker  # marks, attendance, plan links, final marks: stamped when they happen
    lesson_ids: IdMaker  # lessons and plan items: made before the year starts
    sink: Sink
    progress: Progress
    #: the teachers' entries in history and the activity log, stamped when they happen
    log_ids: IdMaker | None = None
    node_id: str = ""
    period_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    plans: dict[int, list[tuple[str, PlanLine]]] = field(default_factory=dict)


def write_plans(ctx: JournalContext) -> None:
    """The thematic plan of every assignment: one line per planned lesson of the year."""
    table = ctx.sink.table(
        PlanItem, ("id", "assignment", "position", "section", "topic", "hours", "planned_week")
    )
    label = _("Thematic plans")
    for done, assignment in enumerate(ctx.assignments):
        if done % 50 == 0:
            ctx.progress(label, done, len(ctx.assignments))
        grade = assignment.school_class.grade
        count = assignment.hours * study_weeks(grade)
        items: list[tuple[str, PlanLine]] = []
        for position, line in enumerate(plan_lines(assignment.subject, grade, count)):
            item_id = ctx.lesson_ids.new()
            week = position // assignment.hours + 1
            table.add((item_id, assignment.id, position + 1, line.section, line.topic, 1.0, week))
            items.append((item_id, line))
        ctx.plans[assignment.index] = items
        table.maybe_flush()
    ctx.progress(label, len(ctx.assignments), len(ctx.assignments))


def _sick_days(ctx: JournalContext) -> dict[int, dict[dt.date, set[str]]]:
    """Days off sick: one to three spells of two to seven school days for most students."""
    rng = ctx.rng
    sick: dict[int, dict[dt.date, set[str]]] = {}
    for school_class in ctx.classes:
        days = ctx.year.school_days(school_class.days)
        by_day: dict[dt.date, set[str]] = {}
        for pupil in school_class.pupils:
            for _spell in range(rng.choice((0, 1, 1, 2, 2, 3))):
                start = rng.randrange(len(days))
                for day in days[start : start + rng.randint(2, 7)]:
                    by_day.setdefault(day, set()).add(pupil.id)
        sick[school_class.index] = by_day
    return sick


def _term_index(terms: tuple[Term, ...], day: dt.date) -> int:
    for i, term in enumerate(terms):
        if term.start <= day <= term.end:
            return i
    return -1


@dataclass
class _Journal:
    """What the lesson loop needs of one assignment, looked up once."""

    assignment: Assignment
    subject: str
    marked: bool
    pass_fail: bool
    homework: bool
    oral_rate: float
    mu: list[float]
    teacher_id: str
    class_teacher_id: str
    scheme: str
    plan: list[tuple[str, PlanLine]]
    teacher: tuple[str, str, str]  # (id, login, role): who the entries are logged for
    class_teacher: tuple[str, str, str]
    #: per term of the class's scheme, per student: [Σ w·points, Σ w, marks, written, зач, незач]
    sums: list[list[list[int]]]
    minimum: int  # marks a term needs for a final mark without justification [R 5.2]
    done: int = 0  # lessons given so far (the plan advances with them)


def _journals(ctx: JournalContext) -> list[_Journal]:
    rng = ctx.rng
    journals = []
    for a in ctx.assignments:
        info = SUBJECTS[a.subject]
        grade = a.school_class.grade
        scheme_terms = ctx.year.of_scheme(a.school_class.scheme)
        class_teacher = a.school_class.class_teacher
        assert class_teacher is not None
        journals.append(
            _Journal(
                assignment=a,
                subject=a.subject,
                marked=is_marked(grade),
                pass_fail=info.pass_fail,
                homework=has_homework(grade) and bool(info.homework),
                oral_rate=info.oral_rate * ORAL_SCALE,
                mu=[p.ability + info.mark_shift + rng.gauss(0, 0.3) for p in a.pupils],
                teacher_id=a.teacher.id,
                class_teacher_id=a.school_class.class_teacher.id,  # type: ignore[union-attr]
                scheme=a.school_class.scheme,
                plan=ctx.plans.get(a.index, []),
                teacher=_logged_as(a.teacher),
                class_teacher=_logged_as(class_teacher),
                sums=[[[0, 0, 0, 0, 0, 0] for _p in a.pupils] for _t in scheme_terms],
                minimum=ctx.policy.min_marks(a.hours),
            )
        )
    return journals


#: A string as JSON text, non-ASCII kept (as ``history.record`` writes ``changes``).
_json_text = json.encoder.encode_basestring


def _logged_as(person: StaffMember) -> tuple[str, str, str]:
    """(id, login, role) as the activity log names a person (``main_role``, as the services)."""
    return person.id, person.login, main_role(" ".join(person.roles))


class _EntryLog:
    """The teachers' journal entries as the services record them, one lesson at a time.

    A teacher filling in a held lesson leaves its topic and homework in history (what
    journal control reads: who took part, whether the lesson was filled in time [R 3.5])
    and activity-log lines (the monthly activity report [R 8.1]). The services log every
    cell; the demo logs a lesson's marks, and each person's attendance entries, as one
    line, so that a year of an L school keeps to tens of thousands of lines, not millions.
    """

    KINDS = ("topic", "homework", "mark", "attendance")

    def __init__(self, ctx: JournalContext) -> None:
        assert set(self.KINDS) <= set(ACTIVITY_KINDS)
        self.ids = ctx.log_ids
        self.node_id = ctx.node_id
        self.history = ctx.sink.table(
            History,
            (
                "id",
                "at",
                "actor_id",
                "actor_login",
                "node_id",
                "entity",
                "entity_id",
                "cell",
                "action",
                "changes",
            ),
        ).rows.append
        self.activity = ctx.sink.table(
            ActivityLog, ("id", "at", "user_id", "login", "role", "kind", "detail", "client")
        ).rows.append

    def lesson(
        self, who: tuple[str, str, str], lesson_id: str, at: str, moment: int, topic: str, hw: str
    ) -> None:
        """The topic and homework of a held lesson, as ``set_topic``/``set_homework`` leave them."""
        if self.ids is None:
            return
        new_id = self.ids.at
        user_id, login, role = who
        # json.dumps({...}, ensure_ascii=False, sort_keys=True), a few times faster
        given = f'"homework": ["", {_json_text(hw)}], ' if hw else ""
        changes = "{" + given + f'"topic": ["", {_json_text(topic)}]' + "}"
        self.history(
            (new_id(moment), at, user_id, login, self.node_id, "lesson", lesson_id, None, "update")
            + (changes,)
        )
        self.activity((new_id(moment), at, user_id, login, role, "topic", lesson_id, ""))
        if hw:
            self.activity((new_id(moment), at, user_id, login, role, "homework", lesson_id, ""))

    def entry(
        self, who: tuple[str, str, str], kind: str, lesson_id: str, at: str, moment: int
    ) -> None:
        """One line for a lesson's marks (``kind`` "mark") or one person's attendance entries."""
        if self.ids is not None:
            user_id, login, role = who
            self.activity((self.ids.at(moment), at, user_id, login, role, kind, lesson_id, ""))


def write_lessons(ctx: JournalContext) -> list[_Journal]:
    """Every lesson of the year from the timetable, and the journal entries up to today."""
    rng = ctx.rng
    random_ = rng.random
    gauss = rng.gauss
    journals = _journals(ctx)
    timetable: dict[int, dict[int, list[tuple[int, list[_Journal]]]]] = {}
    for school_class in ctx.classes:
        by_slot: dict[tuple[int, int], list[_Journal]] = {}
        for journal in journals:
            if journal.assignment.school_class is school_class:
                for slot in journal.assignment.slots:
                    by_slot.setdefault(slot, []).append(journal)
        week: dict[int, list[tuple[int, list[_Journal]]]] = {}
        for (weekday, number), group in sorted(by_slot.items(), key=lambda kv: kv[0]):
            week.setdefault(weekday, []).append((number, group))
        timetable[school_class.index] = week
    sick = _sick_days(ctx)
    bell_end = {number: ends for number, _starts, ends in BELLS}
    quarters = ctx.year.of_scheme("quarters")
    halves = ctx.year.of_scheme("halves")
    work = ctx.work_types
    oral = work["oral"]
    homework_type = work["homework"]
    sink = ctx.sink
    lessons = sink.table(
        Lesson, ("id", "assignment", "date", "number", "status", "topic", "homework", "work_type")
    )
    links = sink.table(LessonPlanItem, ("id", "lesson", "plan_item"))
    marks = sink.table(
        Mark,
        (
            "id",
            "lesson",
            "student",
            "position",
            "value",
            "points",
            "work_type",
            "comment",
            "updated_by",
            "updated_at",
        ),
    )
    absences = sink.table(
        Attendance, ("id", "lesson", "student", "code", "reason", "updated_by", "updated_at")
    )
    add_lesson, add_link, add_mark, add_absence = (
        lessons.rows.append,
        links.rows.append,
        marks.rows.append,
        absences.rows.append,
    )
    new_lesson_id = ctx.lesson_ids.new
    log = _EntryLog(ctx)
    event_id = ctx.ids.at
    days = ctx.year.school_days(6)
    label = _("Lessons, marks and attendance")
    for done, day in enumerate(days):
        weekday = day.isoweekday()
        past = day <= ctx.today
        date_text = day.isoformat()
        term_of = {"quarters": _term_index(quarters, day), "halves": _term_index(halves, day)}
        # in a term's last two weeks teachers ask those who still lack marks
        closing = {
            "quarters": day + _CLOSING >= quarters[term_of["quarters"]].end,
            "halves": day + _CLOSING >= halves[term_of["halves"]].end,
        }
        for school_class in ctx.classes:
            if weekday > school_class.days:
                continue
            sick_today = sick[school_class.index].get(day, ()) if past else ()
            for number, group in timetable[school_class.index].get(weekday, ()):
                ends = utc_text(day, bell_end[number])
                moment = epoch_ms(dt.datetime.fromisoformat(ends))
                cancelled = past and random_() < CANCELLED
                for journal in group:
                    lesson_id = new_lesson_id()
                    assignment_id = journal.assignment.id
                    if not past or cancelled:
                        status = "cancelled" if cancelled else "scheduled"
                        add_lesson(
                            (lesson_id, assignment_id, date_text, number, status, "", "", None)
                        )
                        continue
                    index = journal.done
                    journal.done += 1
                    if index < len(journal.plan):
                        item_id, line = journal.plan[index]
                        add_link((event_id(moment), lesson_id, item_id))
                        topic, kind = line.topic, line.kind
                    else:
                        topic, kind = "Повторение пройденного материала", "oral"
                    homework = ""
                    if (
                        journal.homework
                        and random_() < 0.85
                        and (kind != "control" or random_() < 0.5)
                    ):
                        homework = homework_text(
                            journal.subject, index, journal.assignment.hours, rng
                        )
                    lesson_type = work[kind] if kind != "oral" else None
                    add_lesson(
                        (
                            lesson_id,
                            assignment_id,
                            date_text,
                            number,
                            "scheduled",
                            topic,
                            homework,
                            lesson_type.id if lesson_type else None,
                        )
                    )
                    log.lesson(journal.teacher, lesson_id, ends, moment, topic, homework)
                    marks_before, absences_before = len(marks.rows), len(absences.rows)
                    whole_class = kind in CLASS_WORKS
                    rate = CLASS_WORK_MARKED if whole_class else journal.oral_rate
                    marked = journal.marked
                    pass_fail = journal.pass_fail
                    mu = journal.mu
                    teacher_id = journal.teacher_id
                    sums = journal.sums[term_of[journal.scheme]]
                    minimum = journal.minimum if closing[journal.scheme] else 0
                    shift = -0.15 if kind == "control" else 0.0
                    for pos, pupil in enumerate(journal.assignment.pupils):
                        student_id = pupil.id
                        if student_id in sick_today:
                            add_absence(
                                (
                                    event_id(moment),
                                    lesson_id,
                                    student_id,
                                    "sick",
                                    "По болезни",
                                    journal.class_teacher_id,
                                    ends,
                                )
                            )
                            continue
                        if random_() < SINGLE_ABSENCE:
                            r = random_()
                            if r < 0.4:
                                code, reason, by = "late", "", teacher_id
                            elif r < 0.7:
                                code, reason, by = "absent", "", teacher_id
                            else:
                                code = "excused"
                                reason = _EXCUSES[int(r * 40) % len(_EXCUSES)]
                                by = journal.class_teacher_id
                            add_absence(
                                (event_id(moment), lesson_id, student_id, code, reason, by, ends)
                            )
                            if code != "late":
                                continue
                        if not marked:
                            continue
                        acc = sums[pos]
                        if random_() >= rate and (
                            acc[2] + acc[4] + acc[5] >= minimum or random_() >= CATCH_UP
                        ):
                            continue
                        if pass_fail:
                            value = PASS if random_() < 0.95 else FAIL
                            add_mark(
                                (
                                    event_id(moment),
                                    lesson_id,
                                    student_id,
                                    0,
                                    value,
                                    None,
                                    oral.id,
                                    "",
                                    teacher_id,
                                    ends,
                                )
                            )
                            acc[4 if value == PASS else 5] += 1
                            continue
                        mark_type = lesson_type or oral
                        points = int(mu[pos] + shift + gauss(0.0, 0.8) + 0.5)
                        points = 2 if points < 2 else 5 if points > 5 else points
                        add_mark(
                            (
                                event_id(moment),
                                lesson_id,
                                student_id,
                                0,
                                _POINTS[points],
                                points,
                                mark_type.id,
                                "",
                                teacher_id,
                                ends,
                            )
                        )
                        weight = mark_type.weight2
                        total = points * weight
                        count = 1
                        second_type = None
                        if whole_class:
                            if kind == "dictation" or random_() < SECOND_MARK:
                                second_type = mark_type  # "5/4": e.g. spelling / grammar
                        elif random_() < ORAL_SECOND:
                            second_type = homework_type if journal.homework else oral
                        if second_type is not None:
                            second = int(mu[pos] + shift + gauss(0.0, 0.8) + 0.5)
                            second = 2 if second < 2 else 5 if second > 5 else second
                            add_mark(
                                (
                                    event_id(moment),
                                    lesson_id,
                                    student_id,
                                    1,
                                    _POINTS[second],
                                    second,
                                    second_type.id,
                                    "",
                                    teacher_id,
                                    ends,
                                )
                            )
                            total += second * second_type.weight2
                            weight += second_type.weight2
                            count = 2
                        acc[0] += total
                        acc[1] += weight
                        acc[2] += count
                        if whole_class:
                            acc[3] += count
                    if len(marks.rows) > marks_before:
                        log.entry(journal.teacher, "mark", lesson_id, ends, moment)
                    if len(absences.rows) > absences_before:
                        entered = {row[5] for row in absences.rows[absences_before:]}
                        for who in (journal.teacher, journal.class_teacher):
                            if who[0] in entered:
                                log.entry(who, "attendance", lesson_id, ends, moment)
        if len(marks.rows) >= 50_000:
            sink.flush()
        ctx.progress(label, done + 1, len(days))
    sink.flush()
    return journals


def write_final_marks(ctx: JournalContext, journals: list[_Journal]) -> None:
    """Final marks for every period whose deadline (end + grace days) has passed [R 5.4]."""
    policy = ctx.policy
    grace = dt.timedelta(days=policy.final_mark_grace_days)
    rng = ctx.rng
    table = ctx.sink.table(
        FinalMark,
        (
            "id",
            "student",
            "assignment",
            "period",
            "value",
            "points",
            "suggested",
            "justification",
            "set_by",
            "set_at",
        ),
    )
    period_ids = ctx.period_ids
    finals: dict[tuple[int, int], list[_Row]] = {}
    closed = [t for t in ctx.year.terms if t.end + grace < ctx.today]
    label = _("Final marks")
    for step, term in enumerate(closed):
        for journal in journals:
            if not journal.marked:
                continue
            if term.scheme == "year":
                rows = _year_marks(journal, finals, policy)
            elif term.scheme == journal.scheme:
                rows = _period_marks(journal, term.number - 1, policy, rng)
            else:
                continue
            set_on = term.end + dt.timedelta(days=rng.randint(1, policy.final_mark_grace_days))
            set_at = utc_text(set_on, "15:00")
            moment = epoch_ms(dt.datetime.fromisoformat(set_at))
            assignment = journal.assignment
            for pos, (value, points, suggested, justification) in enumerate(rows):
                if term.scheme != "year":
                    finals.setdefault((assignment.index, pos), []).append(rows[pos])
                table.add(
                    (
                        ctx.ids.at(moment),
                        assignment.pupils[pos].id,
                        assignment.id,
                        period_ids[(term.scheme, term.number)],
                        value,
                        points,
                        suggested,
                        justification,
                        journal.teacher_id,
                        set_at,
                    )
                )
            table.maybe_flush()
        ctx.progress(label, step + 1, len(closed))
    table.flush()


_Row = tuple[str, int | None, str | None, str]


def _period_marks(journal: _Journal, term: int, policy: Policy, rng: random.Random) -> list[_Row]:
    """Suggested marks from the weighted averages, with the teacher's justification where the
    rules ask for one (too few marks, no written work, a mark above the suggestion)."""
    rows: list[_Row] = []
    needs_written = journal.subject in policy.written_work_subjects
    minimum = policy.min_marks(journal.assignment.hours)
    for total, weight, count, written, passes, fails in journal.sums[term]:
        if journal.pass_fail:
            verdict = FAIL if fails >= 2 and fails > passes else PASS
            rows.append((verdict, None, verdict, ""))
            continue
        if count == 0:
            rows.append(
                (NOT_CERTIFIED, None, None, "Нет отметок за период: пропуски уроков по болезни.")
            )
            continue
        average = Fraction(total, weight)
        suggested = max(
            policy.mark_min,
            min(policy.mark_max, round_by_threshold(average, policy.rounding_threshold)),
        )
        value = suggested
        justification = ""
        if count < minimum:
            justification = (
                "Мало отметок из-за пропусков по болезни; учтены все выполненные работы."
            )
        elif needs_written and written == 0:
            justification = "Письменные работы пропущены по болезни; учтены устные ответы."
        elif (
            suggested < policy.mark_max
            and average - int(average) >= Fraction(45, 100)
            and rng.random() < 0.04
        ):
            value = suggested + 1
            justification = "Повышено с учётом высоких результатов контрольных работ."
        rows.append((str(value), value, str(suggested), justification))
    return rows


def _year_marks(
    journal: _Journal, finals: dict[tuple[int, int], list[_Row]], policy: Policy
) -> list[_Row]:
    """Year marks from the period marks (their plain average, rounded by the threshold)."""
    rows: list[_Row] = []
    for pos, _pupil in enumerate(journal.assignment.pupils):
        periods = finals.get((journal.assignment.index, pos), [])
        if journal.pass_fail:
            value = FAIL if any(p[0] == FAIL for p in periods) else PASS
            rows.append((value, None, value, ""))
            continue
        suggestion = suggest_year_final((p[1] for p in periods), policy)
        if suggestion is None:
            rows.append((NOT_CERTIFIED, None, None, "Не аттестован ни в одном периоде."))
        else:
            rows.append((str(suggestion), suggestion, str(suggestion), ""))
    return rows

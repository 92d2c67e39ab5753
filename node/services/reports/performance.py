"""Performance and quality for a period [R 8.2], from final marks, per class, subject,
teacher and the whole school.

Who is counted (N): a student with at least one final mark of the period other than «осв»
(exempt), who did not leave before the period's end (``left_on`` on or before ``end``).
Exempt marks are ignored entirely: an exempt student is in no count of that subject.

For each counted student, within the row's scope (a class, a subject, the school):

* **failing** — any «2», «н/а» or «незач»;
* **succeeding** (успеваемость) — not failing: only 3, 4, 5 and «зач»;
* **quality** (качество) — succeeding, at least one graded (5-point) mark, and every graded
  mark is 4 or 5. «зач» does not spoil quality and does not make it.
  Its share is over the students with at least one graded mark (``graded``), so a pass/fail
  subject has no quality (None) rather than 0 %;
* all 5s, 4s and 5s (not all 5), exactly one 3 (the rest 4 and 5, succeeding).

СОУ (степень обученности) counts *marks*, not students: over the final marks of graded
subjects (pass/fail subjects never count, whatever their mark),
``(100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·nн/а) / N`` with N the number of those marks.
The average mark is over 2–5 of graded subjects (н/а excluded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from node.errors import NotFound
from node.i18n import _
from node.models import AcademicYear, Period, db
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.reports.table import Table, percent

SOU_WEIGHTS = {"5": 100, "4": 64, "3": 36, "2": 16, "н/а": 7}

#: One row per (class, subject, student): counts of each final mark, for the period.
PER_STUDENT_SQL = """
SELECT a.school_class_id, a.subject_id, a.teacher_id, f.student_id, sub.pass_fail,
       SUM(f.value = '5'), SUM(f.value = '4'), SUM(f.value = '3'), SUM(f.value = '2'),
       SUM(f.value = 'н/а'), SUM(f.value = 'зач'), SUM(f.value = 'незач')
FROM final_mark f
JOIN teaching_assignment a ON a.id = f.assignment_id
JOIN subject sub ON sub.id = a.subject_id
JOIN student s ON s.id = f.student_id
WHERE f.period_id = ? AND f.value != 'осв' AND (s.left_on IS NULL OR s.left_on > ?)
GROUP BY a.school_class_id, a.subject_id, a.teacher_id, f.student_id
"""

_SCOPES_SQL = """
SELECT 'class', c.id, c.grade, c.letter FROM school_class c WHERE c.year_id = ?
UNION ALL SELECT 'subject', s.id, 0, s.name FROM subject s
UNION ALL SELECT 'teacher', u.id, 0,
  u.last_name || COALESCE(' ' || substr(NULLIF(u.first_name, ''), 1, 1) || '.', '')
  || COALESCE(' ' || substr(NULLIF(u.middle_name, ''), 1, 1) || '.', '')
FROM user u WHERE u.id IN (SELECT teacher_id FROM teaching_assignment)
"""


@dataclass
class _Counts:
    """Per-student mark counts within one scope."""

    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    nna_graded: int = 0
    nna_pf: int = 0
    passed: int = 0
    failed: int = 0

    def add(
        self, pass_fail: bool, n5: int, n4: int, n3: int, n2: int, nna: int, z: int, nz: int
    ) -> None:
        if pass_fail:  # a digit there (not expected) only passes or fails
            self.nna_pf += nna
            self.passed += z + n5 + n4 + n3
            self.failed += nz + n2
            return
        self.n5 += n5
        self.n4 += n4
        self.n3 += n3
        self.n2 += n2
        self.nna_graded += nna
        self.passed += z
        self.failed += nz


@dataclass(frozen=True)
class PerformanceRow:
    """One line: ``scope`` is "class", "subject", "teacher" or "school"; shares in percent
    or None."""

    scope: str
    name: str
    students: int
    graded: int
    succeeding: int
    quality: int
    all_fives: int
    fours_and_fives: int
    one_three: int
    failing: int
    marks: int
    average: float | None
    sou: float | None

    @property
    def success_share(self) -> float | None:
        return percent(self.succeeding, self.students)

    @property
    def quality_share(self) -> float | None:
        return percent(self.quality, self.graded)


@dataclass(frozen=True)
class PerformanceReport:
    period: Period
    rows: list[PerformanceRow] = field(default_factory=list)


def find_period(name: str, year: AcademicYear | None = None) -> Period:
    """The period called ``name`` ("2 четверть", "Год"; case-insensitive) or keyed "q2",
    "h1", "year" in ``year`` (the active year by default)."""
    year = year or AcademicYear.active()
    key = name.strip().lower()
    if year is not None:
        schemes = {"q": "quarters", "h": "halves"}
        for period in Period.select().where(Period.year == year).order_by(Period.start):
            code = "year" if period.is_year else f"{period.scheme[0]}{period.number}"
            if key in (period.name.lower(), code) or (
                key[:1] in schemes
                and key[1:].isdigit()
                and schemes[key[:1]] == period.scheme
                and int(key[1:]) == period.number
            ):
                return period
    raise NotFound(
        _(
            "There is no period «{name}»: give its name as in the school year (e.g. «2 четверть», "
            "«Год») or q1–q4, h1–h2, year."
        ).format(name=name)
    )


def _summarise(scope: str, name: str, students: list[_Counts]) -> PerformanceRow:
    graded = succeeding = quality = all_fives = fours_fives = one_three = failing = 0
    n: defaultdict[str, int] = defaultdict(int)
    for c in students:
        fails = c.n2 + c.nna_graded + c.nna_pf + c.failed > 0
        has_graded = c.n5 + c.n4 + c.n3 + c.n2 + c.nna_graded > 0
        graded += has_graded
        if fails:
            failing += 1
        else:
            succeeding += 1
            if has_graded and c.n3 == 0:
                quality += 1
                if c.n4 == 0:
                    all_fives += 1
                else:
                    fours_fives += 1
            elif c.n3 == 1:
                one_three += 1
        for key, value in (("5", c.n5), ("4", c.n4), ("3", c.n3), ("2", c.n2)):
            n[key] += value
        n["н/а"] += c.nna_graded
    marks = sum(n.values())
    points = 5 * n["5"] + 4 * n["4"] + 3 * n["3"] + 2 * n["2"]
    numeric = marks - n["н/а"]
    return PerformanceRow(
        scope=scope,
        name=name,
        students=len(students),
        graded=graded,
        succeeding=succeeding,
        quality=quality,
        all_fives=all_fives,
        fours_and_fives=fours_fives,
        one_three=one_three,
        failing=failing,
        marks=marks,
        average=round(points / numeric, 2) if numeric else None,
        sou=round(sum(SOU_WEIGHTS[k] * v for k, v in n.items()) / marks, 1) if marks else None,
    )


def performance_report(actor: Actor, period_id: str) -> PerformanceReport:
    """Every class, subject and teacher with final marks in the period, then the school."""
    period = Period.get_or_none(Period.id == period_id)
    if period is None:
        raise NotFound(_("That period no longer exists; choose another one."))
    ensure_allowed(actor, Action.REPORTS_VIEW)
    by_class: dict[str, dict[str, _Counts]] = defaultdict(lambda: defaultdict(_Counts))
    by_subject: dict[str, dict[str, _Counts]] = defaultdict(lambda: defaultdict(_Counts))
    by_teacher: dict[str, dict[str, _Counts]] = defaultdict(lambda: defaultdict(_Counts))
    school: dict[str, _Counts] = defaultdict(_Counts)
    cursor = db.execute_sql(PER_STUDENT_SQL, (period.id, period.end.isoformat()))
    for class_id, subject_id, teacher_id, student_id, pass_fail, *counts in cursor:
        for target in (
            by_class[class_id][student_id],
            by_subject[subject_id][student_id],
            by_teacher[teacher_id][student_id],
        ):
            target.add(bool(pass_fail), *counts)
        school[student_id].add(bool(pass_fail), *counts)
    names: dict[tuple[str, str], tuple[int, str]] = {}
    for kind, row_id, grade, text in db.execute_sql(_SCOPES_SQL, (period.year_id,)):
        names[kind, row_id] = (grade, f"{grade}{text}" if kind == "class" else text)
    rows = [
        _summarise("class", names.get(("class", cid), (0, "?"))[1], list(students.values()))
        for cid, students in sorted(
            by_class.items(), key=lambda item: names.get(("class", item[0]), (0, "?"))
        )
    ]
    for scope, groups in (("subject", by_subject), ("teacher", by_teacher)):
        rows += sorted(
            (
                _summarise(scope, names.get((scope, key), (0, "?"))[1], list(students.values()))
                for key, students in groups.items()
            ),
            key=lambda row: row.name,
        )
    rows.append(_summarise("school", _("Whole school"), list(school.values())))
    return PerformanceReport(period=period, rows=rows)


def performance_table(report: PerformanceReport) -> Table:
    scope_names = {
        "class": _("Class"),
        "subject": _("Subject"),
        "teacher": _("Teacher"),
        "school": _("School"),
    }
    return Table(
        title=_("Performance and quality"),
        subtitle=_("{period}, {start} – {end}").format(
            period=report.period.name,
            start=report.period.start.strftime("%d.%m.%Y"),
            end=report.period.end.strftime("%d.%m.%Y"),
        ),
        columns=(
            _("Scope"),
            _("Name"),
            _("Students"),
            _("Succeeding, %"),
            _("Quality, %"),
            _("Learning degree, %"),
            _("Average mark"),
            _("All 5s"),
            _("4s and 5s"),
            _("One 3"),
            _("Failing"),
        ),
        rows=tuple(
            (
                scope_names[r.scope],
                r.name,
                r.students,
                r.success_share,
                r.quality_share,
                r.sou,
                r.average,
                r.all_fives,
                r.fours_and_fives,
                r.one_three,
                r.failing,
            )
            for r in report.rows
        ),
    )


def previous_period(period: Period) -> Period | None:
    """The period to compare with: the one before in the same scheme (2nd quarter → 1st),
    else that scheme's last period of the school year before (the year → last year)."""
    earlier = (
        Period.select()
        .where(
            Period.year == period.year_id,
            Period.scheme == period.scheme,
            Period.start < period.start,
        )
        .order_by(Period.start.desc())
        .first()
    )
    if earlier is not None:
        return earlier
    return (
        Period.select()
        .join(AcademicYear)
        .where(AcademicYear.start < period.year.start, Period.scheme == period.scheme)
        .order_by(Period.start.desc())
        .first()
    )


@dataclass(frozen=True)
class Comparison:
    """A period's report beside the previous period's, matched line by line."""

    current: PerformanceReport
    previous: PerformanceReport | None

    def before(self, row: PerformanceRow) -> PerformanceRow | None:
        """The same class, subject, teacher or the school in the previous period."""
        if self.previous is None:
            return None
        return next(
            (r for r in self.previous.rows if (r.scope, r.name) == (row.scope, row.name)), None
        )


def performance_comparison(actor: Actor, period_id: str) -> Comparison:
    """``performance_report`` for the period and for ``previous_period`` (if there is one)."""
    current = performance_report(actor, period_id)
    earlier = previous_period(current.period)
    previous = performance_report(actor, earlier.id) if earlier is not None else None
    return Comparison(current=current, previous=previous)


def school_trend(actor: Actor, period_id: str) -> list[tuple[Period, PerformanceRow]]:
    """The whole school's line for each period of the period's scheme in its year, up to and
    including it — the points of a trend chart."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    period = Period.get_or_none(Period.id == period_id)
    if period is None:
        raise NotFound(_("That period no longer exists; choose another one."))
    periods = (
        Period.select()
        .where(
            Period.year == period.year_id,
            Period.scheme == period.scheme,
            Period.start <= period.start,
        )
        .order_by(Period.start)
    )
    return [(p, performance_report(actor, p.id).rows[-1]) for p in periods]


_SCHEME_ORDER = {"quarters": 0, "halves": 1, "year": 2}


def year_periods(actor: Actor) -> list[Period]:
    """The active year's periods to choose a report's time from: quarters, halves, the year."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    year = AcademicYear.active()
    if year is None:
        return []
    periods = Period.select().where(Period.year == year)
    return sorted(periods, key=lambda p: (_SCHEME_ORDER.get(p.scheme, 3), p.start))

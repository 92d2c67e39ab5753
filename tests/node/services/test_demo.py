from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

import pytest

from node.errors import Conflict, ValidationError
from node.models import Meta, User
from node.models.database import open_database
from node.services.access.passwords import verify_password
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.policy import Policy
from node.services.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo
from node.services.demo.curriculum import curriculum
from node.services.demo.names import feminine, latin, login_stem
from node.services.demo.schoolyear import school_year, start_year
from node.services.gradebook.grading import round_by_threshold
from node.services.reports.activity_report import activity_report
from node.services.reports.control import control_report

TODAY = dt.date(2026, 11, 25)
DEADLINE = dt.timedelta(days=Policy().final_mark_grace_days)


def _rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _count(path: Path, table: str) -> int:
    return _rows(path, f'SELECT COUNT(*) FROM "{table}"')[0][0]


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row, but the database's sync epoch: each database gets its own, at random."""
    tables = [r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    dump = {t: _rows(path, f'SELECT * FROM "{t}" ORDER BY rowid') for t in sorted(tables)}
    dump.pop("sync_clock", None)
    dump["meta"] = [r for r in dump.get("meta", []) if r[0] != "epoch"]
    return dump


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """One S build shared by the read-only checks (a build takes a fraction of a second)."""
    path = tmp_path_factory.mktemp("demo-s") / "ediary.db"
    summary = build_demo(path, size="S", seed=1, today=TODAY, node_id="node-1")
    return path, summary


# --- the S school ---------------------------------------------------------------------------


def test_small_school_counts_are_plausible(small):
    path, summary = small
    assert summary.built_now and summary.size == "S" and summary.seed == 1
    assert summary.today == TODAY and summary.year == "2026/2027"
    assert (summary.students, summary.classes) == (25, 1)
    assert 10 <= summary.teachers <= 20
    assert 1000 < summary.lessons < 2000  # a whole year of one class, subgroups included
    assert summary.marks > 2000 and summary.absences > 100 and summary.final_marks > 0
    for table, value in [
        ("student", summary.students),
        ("school_class", summary.classes),
        ("lesson", summary.lessons),
        ("mark", summary.marks),
        ("attendance", summary.absences),
        ("final_mark", summary.final_marks),
    ]:
        assert _count(path, table) == value
    assert _rows(path, "PRAGMA journal_mode")[0][0] == "wal"
    assert _rows(path, "PRAGMA integrity_check")[0][0] == "ok"
    assert _rows(path, "PRAGMA foreign_key_check") == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["ediary.db"]


def test_marks_are_on_the_scale_and_only_on_past_lessons(small):
    path, _ = small
    for value, points, date in _rows(
        path, "SELECT m.value, m.points, l.date FROM mark m JOIN lesson l ON l.id = m.lesson_id"
    ):
        assert date <= TODAY.isoformat()
        if points is None:
            assert value in ("зач", "незач")
        else:
            assert 1 <= points <= 5 and value == str(points)
    assert _rows(path, "SELECT COUNT(*) FROM mark WHERE position NOT IN (0, 1)")[0][0] == 0
    two_marks = _rows(path, "SELECT COUNT(*) FROM mark WHERE position = 1")[0][0]
    assert two_marks > 0  # some cells read "5/4"
    values = Counter(v for (v,) in _rows(path, "SELECT value FROM mark WHERE points IS NOT NULL"))
    assert values["4"] > values["2"] and values["5"] > values["2"]


def test_marks_and_absences_have_plausible_rates(small):
    path, _ = small
    student_lessons = _rows(
        path,
        "SELECT SUM(CASE WHEN a.subgroup_id IS NULL THEN "
        "(SELECT COUNT(*) FROM student s WHERE s.school_class_id = a.school_class_id) "
        "ELSE (SELECT COUNT(*) FROM subgroup_member m WHERE m.subgroup_id = a.subgroup_id) END) "
        "FROM lesson l JOIN teaching_assignment a ON a.id = l.assignment_id "
        "WHERE l.date <= ? AND l.status = 'scheduled'",
        (TODAY.isoformat(),),
    )[0][0]
    marks = _count(path, "mark")
    absences = _count(path, "attendance")
    assert 0.45 < marks / student_lessons < 1.0
    assert 0.025 < absences / student_lessons < 0.09
    codes = {c for (c,) in _rows(path, "SELECT DISTINCT code FROM attendance")}
    assert codes == {"absent", "sick", "excused", "late"}
    late_with_mark = _rows(
        path,
        "SELECT COUNT(*) FROM attendance a JOIN mark m "
        "ON m.lesson_id = a.lesson_id AND m.student_id = a.student_id WHERE a.code != 'late'",
    )[0][0]
    assert late_with_mark == 0  # only a late student can be marked in that lesson


def test_lessons_fall_on_school_days_inside_the_year(small):
    path, _ = small
    year = school_year(2026)
    lessons = _rows(path, "SELECT date, number, status, topic FROM lesson")
    holidays = _rows(path, 'SELECT start, "end" FROM holiday')
    for date_text, number, status, topic in lessons:
        day = dt.date.fromisoformat(date_text)
        assert year.start <= day <= year.end
        assert day.isoweekday() <= 6  # grade 7 learns six days a week
        assert not any(s <= date_text <= e for s, e in holidays), date_text
        assert 1 <= number <= 8
        if day > TODAY or status == "cancelled":
            assert topic == ""
        else:
            assert topic
    last = max(dt.date.fromisoformat(d) for d, *_ in lessons)
    assert last > dt.date(2027, 5, 20)  # lessons for the whole year, not just until today


def test_topics_come_from_the_plan_and_most_lessons_have_homework(small):
    path, _ = small
    linked = _rows(
        path,
        "SELECT l.topic, p.topic, l.assignment_id = p.assignment_id FROM lesson_plan_item x "
        "JOIN lesson l ON l.id = x.lesson_id JOIN plan_item p ON p.id = x.plan_item_id",
    )
    assert linked and all(lt == pt and same for lt, pt, same in linked)
    past = _rows(
        path,
        "SELECT l.homework, s.name FROM lesson l JOIN teaching_assignment a "
        "ON a.id = l.assignment_id JOIN subject s ON s.id = a.subject_id "
        "WHERE l.date <= ? AND l.status = 'scheduled'",
        (TODAY.isoformat(),),
    )
    with_homework = [hw for hw, subject in past if subject in ("Алгебра", "Русский язык") and hw]
    core = [hw for hw, subject in past if subject in ("Алгебра", "Русский язык")]
    assert len(with_homework) > 0.7 * len(core)
    kinds = {
        k
        for (k,) in _rows(
            path, "SELECT w.kind FROM lesson l JOIN work_type w ON w.id = l.work_type_id"
        )
    }
    assert {"test", "written", "lab"} <= kinds
    weights = dict(_rows(path, "SELECT name, weight FROM work_type"))
    assert weights["Контрольная работа"] > weights["Ответ на уроке"]


def test_timetable_has_no_clashes(small):
    path, _ = small
    _assert_no_clashes(path)


def _assert_no_clashes(path: Path) -> None:
    slots = _rows(
        path,
        "SELECT a.school_class_id, a.subject_id, a.teacher_id, s.weekday, s.number "
        "FROM timetable_slot s JOIN teaching_assignment a ON a.id = s.assignment_id",
    )
    by_class: dict[tuple, set] = defaultdict(set)
    by_teacher: Counter = Counter()
    for class_id, subject_id, teacher_id, weekday, number in slots:
        by_class[(class_id, weekday, number)].add(subject_id)  # subgroups share a subject
        by_teacher[(teacher_id, weekday, number)] += 1
    assert all(len(subjects) == 1 for subjects in by_class.values())
    assert max(by_teacher.values()) == 1
    lessons = _rows(
        path,
        "SELECT a.teacher_id, l.date, l.number FROM lesson l "
        "JOIN teaching_assignment a ON a.id = l.assignment_id",
    )
    assert max(Counter(lessons).values()) == 1
    # a class's day starts at the first bell and has no gaps
    per_day: dict[tuple, set] = defaultdict(set)
    for class_id, _subject, _teacher, weekday, number in slots:
        per_day[(class_id, weekday)].add(number)
    assert all(numbers == set(range(1, len(numbers) + 1)) for numbers in per_day.values())


def test_english_and_informatics_are_taught_to_two_subgroups(small):
    path, _ = small
    groups = _rows(
        path,
        "SELECT s.name, g.id, a.teacher_id FROM subgroup g JOIN subject s ON s.id = g.subject_id "
        "JOIN teaching_assignment a ON a.subgroup_id = g.id ORDER BY s.name, g.name",
    )
    by_subject: dict[str, list] = defaultdict(list)
    for subject, group_id, teacher_id in groups:
        by_subject[subject].append((group_id, teacher_id))
    assert {"Английский язык", "Информатика"} <= set(by_subject)
    for pairs in by_subject.values():
        assert len(pairs) == 2 and pairs[0][1] != pairs[1][1]
        members = [
            {
                m
                for (m,) in _rows(
                    path, "SELECT student_id FROM subgroup_member WHERE subgroup_id = ?", (g,)
                )
            }
            for g, _ in pairs
        ]
        assert members[0] and members[1] and not members[0] & members[1]
        assert len(members[0] | members[1]) == 25


def test_periods_and_holidays_follow_the_russian_year(small):
    path, _ = small
    periods = _rows(path, 'SELECT scheme, number, start, "end" FROM period ORDER BY scheme, number')
    schemes = Counter(p[0] for p in periods)
    assert schemes == {"quarters": 4, "halves": 2, "year": 1}
    names = {n for (n,) in _rows(path, "SELECT name FROM holiday")}
    assert {"Осенние каникулы", "Зимние каникулы", "Весенние каникулы"} <= names
    assert "День защитника Отечества" in names or "Международный женский день" in names
    assert _rows(path, "SELECT period_scheme FROM school_class") == [("quarters",)]
    assert _count(path, "bell") >= 7


def test_final_marks_only_for_closed_periods_and_as_suggested(small):
    path, _ = small
    policy = Policy()
    finals = _rows(
        path,
        'SELECT f.student_id, f.assignment_id, p.start, p."end", f.value, f.points, '
        "f.suggested, f.justification, f.set_at, s.pass_fail FROM final_mark f "
        "JOIN period p ON p.id = f.period_id JOIN teaching_assignment a "
        "ON a.id = f.assignment_id JOIN subject s ON s.id = a.subject_id",
    )
    assert finals
    marks: dict[tuple, list] = defaultdict(list)
    for student, assignment, date, points, weight in _rows(
        path,
        "SELECT m.student_id, l.assignment_id, l.date, m.points, w.weight FROM mark m "
        "JOIN lesson l ON l.id = m.lesson_id JOIN work_type w ON w.id = m.work_type_id "
        "WHERE m.points IS NOT NULL",
    ):
        marks[(student, assignment)].append((date, points, weight))
    for student, assignment, start, end, value, points, suggested, why, set_at, pf in finals:
        deadline = dt.date.fromisoformat(end) + DEADLINE
        assert deadline < TODAY
        assert end < set_at[:10] <= deadline.isoformat()
        if pf:
            assert value in ("зач", "незач") and points is None
            continue
        period_marks = [(p, w) for d, p, w in marks[(student, assignment)] if start <= d <= end]
        if not period_marks:
            assert value == "н/а" and why
            continue
        average = sum(Fraction(str(w)) * p for p, w in period_marks) / sum(
            Fraction(str(w)) for _p, w in period_marks
        )
        assert suggested == str(round_by_threshold(average, policy.rounding_threshold))
        assert value == str(points)
        if value != suggested:
            assert len(why) >= policy.justification_min_length


def test_final_marks_for_the_whole_year_when_today_is_in_summer(tmp_path):
    summer = dt.date(2027, 7, 10)
    assert start_year(summer) == 2026
    summary = build_demo(tmp_path / "ediary.db", size="S", seed=3, today=summer, node_id="n")
    assert summary.year == "2026/2027"
    schemes = {
        s
        for (s,) in _rows(
            tmp_path / "ediary.db",
            "SELECT DISTINCT p.scheme FROM final_mark f JOIN period p ON p.id = f.period_id",
        )
    }
    assert schemes == {"quarters", "year"}
    per_student = _rows(
        tmp_path / "ediary.db",
        "SELECT COUNT(*) FROM final_mark f JOIN period p ON p.id = f.period_id "
        "WHERE p.scheme = 'year' GROUP BY f.student_id",
    )
    assert len(per_student) == 25


def test_sign_in_accounts_exist_and_share_the_demo_password(small):
    path, summary = small
    assert summary.password == DEMO_PASSWORD
    assert summary.logins == DEMO_LOGINS
    roles = {
        login: (roles, password_hash)
        for login, roles, password_hash in _rows(
            path, "SELECT login, roles, password_hash FROM user"
        )
    }
    for role, login in summary.logins.items():
        user_roles, password_hash = roles[login]
        assert verify_password(DEMO_PASSWORD, password_hash)
        assert not verify_password("wrong", password_hash)
        expected = {"teacher": "teacher class_teacher", "sysadmin": "sysadmin"}.get(role, role)
        assert user_roles == expected
    assert len({h for _r, h in roles.values()}) == 1  # one hash, computed once
    # the demo parent is a parent of the demo student, in the demo teacher's class
    accounts = {a.role: a for a in summary.accounts}
    assert accounts["student"].detail == accounts["teacher"].detail == "7А"
    student_name = " ".join(accounts["student"].name.split()[:2])
    assert student_name in accounts["parent"].detail
    # every student and guardian can sign in
    assert _rows(path, "SELECT COUNT(*) FROM student WHERE user_id IS NULL")[0][0] == 0
    assert _rows(path, "SELECT COUNT(*) FROM guardian WHERE user_id IS NULL")[0][0] == 0
    links = Counter(s for (s,) in _rows(path, "SELECT student_id FROM student_guardian"))
    assert len(links) == 25 and set(links.values()) <= {1, 2}


def test_people_have_russian_names_in_the_right_forms(small):
    path, _ = small
    for last, middle, gender in _rows(path, "SELECT last_name, middle_name, gender FROM student"):
        if gender == "f":
            assert middle.endswith(("вна", "чна")), middle
            assert not last.endswith(("ов", "ев", "ин", "ский")), last
        else:
            assert middle.endswith(("вич", "ич")), middle
            assert not last.endswith(("ова", "ева", "ская")), last


@pytest.mark.parametrize(
    "male, female",
    [
        ("Иванов", "Иванова"),
        ("Соловьёв", "Соловьёва"),
        ("Ильин", "Ильина"),
        ("Успенский", "Успенская"),
        ("Троицкий", "Троицкая"),
        ("Толстой", "Толстая"),
        ("Белый", "Белая"),
        ("Рыжий", "Рыжая"),
        ("Синий", "Синяя"),
        ("Черных", "Черных"),
        ("Шевченко", "Шевченко"),
        ("Мельник", "Мельник"),
        ("Ким", "Ким"),
    ],
)
def test_feminine_surnames(male, female):
    assert feminine(male) == female


def test_logins_are_latin():
    assert latin("Щербакова") == "shcherbakova"
    assert login_stem("Смирнова", "Елена", "Викторовна") == "smirnova.ev"


def test_curriculum_differs_by_stage():
    grade1 = {line.subject for line in curriculum(1, 25)}
    grade4 = {line.subject: line for line in curriculum(4, 25)}
    grade7 = {line.subject: line for line in curriculum(7, 25)}
    assert "Английский язык" not in grade1 and "ОРКСЭ" in grade4
    assert grade4["Математика"].specialty == "primary"
    assert grade4["Английский язык"].split and not grade4["Математика"].split
    assert {"Алгебра", "Геометрия", "Физика"} <= set(grade7) and "Математика" not in grade7
    assert "Химия" in {line.subject for line in curriculum(10, 25)}
    assert not any(line.split for line in curriculum(7, 12))  # too small to split


def test_history_records_one_import_per_table(small):
    path, _ = small
    history = _rows(
        path,
        "SELECT entity, action, changes, actor_login, node_id FROM history WHERE action = 'import'",
    )
    entities = [h[0] for h in history]
    assert len(entities) == len(set(entities))
    assert {"mark", "lesson", "student", "user", "final_mark"} <= set(entities)
    assert "history" not in entities and "activity_log" not in entities
    for entity, action, changes, actor, node in history:
        assert (action, actor, node) == ("import", "system", "node-1")
        assert json.loads(changes) == {"rows": [0, _count(path, entity)]}
    meta = dict(_rows(path, "SELECT key, value FROM meta"))
    assert meta["node_id"] == "node-1"
    assert json.loads(meta["demo"]) == {"size": "S", "seed": 1, "today": "2026-11-25"}


def test_teachers_entries_are_recorded_on_the_days_they_were_made(small, tmp_path):
    """The journal control and the activity report of a fresh demo see a school at work."""
    path, _ = small
    held = _rows(
        path,
        "SELECT l.id, l.date, l.topic, l.homework, a.teacher_id FROM lesson l "
        "JOIN teaching_assignment a ON a.id = l.assignment_id "
        "WHERE l.date <= ? AND l.status != 'cancelled'",
        (TODAY.isoformat(),),
    )
    entries = {
        lesson: (at, actor, json.loads(changes))
        for lesson, at, actor, changes in _rows(
            path,
            "SELECT entity_id, at, actor_id, changes FROM history "
            "WHERE entity = 'lesson' AND action = 'update'",
        )
    }
    assert len(entries) == len(held)
    for lesson, day, topic, homework, teacher in held:
        at, actor, changes = entries[lesson]
        assert at[:10] == day and actor == teacher  # the day of the lesson, by its teacher
        assert changes["topic"] == ["", topic]
        assert changes.get("homework", ["", ""]) == ["", homework]
    logged = Counter(k for (k,) in _rows(path, "SELECT kind FROM activity_log"))
    assert logged["topic"] == len(held) and logged["homework"] == sum(1 for h in held if h[3])
    marked = _rows(path, "SELECT COUNT(DISTINCT lesson_id) FROM mark")[0][0]
    assert logged["mark"] == marked and logged["attendance"] > 0
    assert _rows(
        path,
        "SELECT COUNT(*) FROM activity_log g JOIN user u ON u.id = g.user_id "
        "WHERE g.login != u.login OR g.role NOT IN ('teacher', 'class_teacher')",
    ) == [(0,)]
    database = open_database(shutil.copyfile(path, tmp_path / "ediary.db"))
    try:
        deputy = Actor.from_user(User.get(User.login == DEMO_LOGINS["deputy"]))
        with clock.frozen_time(TODAY):
            control = control_report(deputy, dt.date(2026, 11, 2), TODAY)
            users = activity_report(deputy, 2026, 11).users
    finally:
        database.close()
    assert control.active_teachers == control.teachers > 0
    assert all(row.share("in_time") == 100.0 for row in control.rows if row.lessons)
    teachers = [u for u in users if u.role in ("teacher", "class_teacher")]
    assert len(teachers) == control.teachers and all(u.entries > 0 for u in teachers)


# --- determinism, reruns, refusals, crashes ----------------------------------------------------


def test_same_seed_and_day_give_identical_databases(tmp_path, small):
    path, _ = small
    again = tmp_path / "again" / "ediary.db"
    build_demo(again, size="S", seed=1, today=TODAY, node_id="node-1")
    assert _dump(again) == _dump(path)


def test_another_seed_gives_another_school(tmp_path, small):
    path, _ = small
    other = tmp_path / "ediary.db"
    build_demo(other, size="S", seed=2, today=TODAY, node_id="node-1")
    mine, theirs = _dump(path), _dump(other)
    assert mine["student"] != theirs["student"]
    assert not {r[0] for r in mine["mark"]} & {r[0] for r in theirs["mark"]}


def test_second_run_keeps_the_school_and_reports_it(tmp_path):
    path = tmp_path / "ediary.db"
    first = build_demo(path, size="S", seed=1, today=TODAY, node_id="n")
    before = path.read_bytes()
    second = build_demo(path, size="s", seed=1, today=TODAY + dt.timedelta(days=3), node_id="n")
    assert not second.built_now
    assert second.today == TODAY  # the day the school was built for
    assert (second.marks, second.lessons, second.logins) == (
        first.marks,
        first.lessons,
        first.logins,
    )
    assert path.read_bytes() == before
    with pytest.raises(Conflict, match="size S, seed 1"):
        build_demo(path, size="M", seed=1, today=TODAY, node_id="n")
    with pytest.raises(Conflict):
        build_demo(path, size="S", seed=7, today=TODAY, node_id="n")
    assert path.read_bytes() == before


def test_refuses_to_overwrite_a_real_school(tmp_path):
    path = tmp_path / "ediary.db"
    database = open_database(path, create=True)
    Meta.set_value("node_id", "real")
    database.close()
    before = path.read_bytes()
    with pytest.raises(Conflict, match="not a demo"):
        build_demo(path, size="S", seed=1, today=TODAY, node_id="n")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ediary.db"]


def test_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "ediary.db"
    path.write_bytes(b"my thesis, do not delete" * 100)
    with pytest.raises(Conflict, match="not an ediary database"):
        build_demo(path, size="S", seed=1, today=TODAY, node_id="n")
    assert path.read_bytes() == b"my thesis, do not delete" * 100


def test_unknown_size_is_rejected_and_nothing_is_written(tmp_path):
    with pytest.raises(ValidationError, match="use S, M or L"):
        build_demo(tmp_path / "ediary.db", size="XL", node_id="n", today=TODAY)
    assert list(tmp_path.iterdir()) == []


class _Crash(Exception):
    pass


def test_a_crash_midway_leaves_no_database_and_no_temp_file(tmp_path):
    path = tmp_path / "school" / "ediary.db"
    seen: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))
        if stage == "Lessons, marks and attendance" and done == total // 2:
            raise _Crash

    with pytest.raises(_Crash):
        build_demo(path, size="S", seed=1, today=TODAY, node_id="n", progress=progress)
    assert seen[-1][1] == seen[-1][2] // 2
    assert list(path.parent.iterdir()) == []
    # and the next run builds the school from scratch
    summary = build_demo(path, size="S", seed=1, today=TODAY, node_id="n")
    assert summary.built_now and summary.students == 25


def test_a_stale_temp_file_is_removed(tmp_path):
    path = tmp_path / "ediary.db"
    stale = tmp_path / "ediary.db.building"
    stale.write_bytes(b"half a school")
    (tmp_path / "ediary.db-wal").write_bytes(b"a WAL of a deleted database")
    build_demo(path, size="S", seed=1, today=TODAY, node_id="n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ediary.db"]
    assert _rows(path, "PRAGMA integrity_check")[0][0] == "ok"


def test_progress_reports_every_stage(tmp_path):
    seen: list[tuple[str, int, int]] = []
    build_demo(
        tmp_path / "ediary.db",
        size="S",
        today=TODAY,
        node_id="n",
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    stages = list(dict.fromkeys(s for s, _d, _t in seen))
    assert stages[0] == "Preparing the school" and stages[-1] == "Saving"
    assert "Lessons, marks and attendance" in stages and "Final marks" in stages
    assert all(0 <= done <= total for _s, done, total in seen)


def test_building_keeps_the_callers_database_bound(database, tmp_path):
    build_demo(tmp_path / "demo" / "ediary.db", size="S", today=TODAY, node_id="n")
    assert Meta.get_value("node_id") == "test-node"  # still the fixture's database


# --- a bigger school ---------------------------------------------------------------------------


@pytest.mark.slow
def test_medium_school(tmp_path):
    path = tmp_path / "ediary.db"
    today = dt.date(2027, 1, 12)
    summary = build_demo(path, size="M", seed=5, today=today, node_id="n")
    assert summary.classes == 22 and summary.students == 600
    assert 30 <= summary.teachers <= 60
    _assert_no_clashes(path)
    grades = dict(
        _rows(
            path,
            "SELECT c.grade, COUNT(m.id) FROM school_class c JOIN teaching_assignment a "
            "ON a.school_class_id = c.id JOIN lesson l ON l.assignment_id = a.id "
            "LEFT JOIN mark m ON m.lesson_id = l.id GROUP BY c.grade",
        )
    )
    assert grades[1] == 0 and all(grades[g] > 0 for g in range(2, 12))  # grade 1: no marks
    pass_fail = {
        v
        for (v,) in _rows(
            path,
            "SELECT m.value FROM mark m JOIN lesson l ON l.id = m.lesson_id "
            "JOIN teaching_assignment a ON a.id = l.assignment_id "
            "JOIN subject s ON s.id = a.subject_id WHERE s.name = 'ОРКСЭ'",
        )
    }
    assert pass_fail and pass_fail <= {"зач", "незач"}
    schemes = dict(_rows(path, "SELECT grade, period_scheme FROM school_class"))
    assert schemes[9] == "quarters" and schemes[10] == "halves"
    closed = _rows(
        path,
        "SELECT DISTINCT c.grade >= 10, p.scheme, p.number FROM final_mark f "
        "JOIN period p ON p.id = f.period_id JOIN student s ON s.id = f.student_id "
        "JOIN school_class c ON c.id = s.school_class_id",
    )
    assert sorted(closed) == [(0, "quarters", 1), (0, "quarters", 2), (1, "halves", 1)]
    siblings = _rows(
        path,
        "SELECT COUNT(*) FROM (SELECT guardian_id FROM student_guardian "
        "GROUP BY 1 HAVING COUNT(*) > 1)",
    )[0][0]
    assert siblings > 0  # some parents see two children

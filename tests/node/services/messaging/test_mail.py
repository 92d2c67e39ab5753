"""Internal mail: who may write to whom, groups, read state, bad input, progress summaries."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import (
    ActivityLog,
    Attendance,
    FinalMark,
    Guardian,
    History,
    MailParticipant,
    MailThread,
    StudentGuardian,
    User,
)
from node.services.base import clock
from node.services.messaging import mail
from node.services.messaging.mail import (
    CLASS_PARENTS,
    STUDENT_PARENTS,
    SYSADMINS,
    USER,
    Recipient,
)
from tests.factories import SmallSchool, make_mark, make_user
from tests.helpers import nothing_written

LATER = dt.datetime(2026, 11, 25, 14, 0)
EVEN_LATER = dt.datetime(2026, 11, 25, 16, 0)
EVENING = dt.datetime(2026, 11, 25, 18, 0)


def _to(user: User) -> Recipient:
    return Recipient(USER, user.id)


def _parent_of(school: SmallSchool, student, login: str, status: str = "active") -> User:
    user = make_user(login, "parent", "Родитель", login, "")
    user.status = status
    user.save()
    guardian = Guardian.create(last_name="Родитель", first_name=login, user=user)
    StudentGuardian.create(student=student, guardian=guardian)
    return user


def _labels(choices) -> list[str]:
    return [c.label for c in choices]


# --- who may write to whom -----------------------------------------------------------------


def test_a_parent_may_write_to_the_childs_teachers_administration_and_sysadmins(school):
    choices = mail.allowed_recipients(school.actor(school.parent))
    assert _labels(choices) == [
        "Иванова Мария Александровна — class teacher of 7А; Математика",
        "Петров Олег Викторович — Английский язык",
        "Соколов Денис Андреевич — Физическая культура",
        "Козлов Игорь Павлович — deputy director",
        "Орлова Анна Сергеевна — director",
        "System administrators",
    ]
    assert choices[-1].recipient == Recipient(SYSADMINS, "")
    assert choices[0].recipient == _to(school.teacher)


def test_a_parent_with_two_children_sees_both_childrens_teachers_or_one_childs(school):
    second = school.other_students[1]  # 8Б: Петров is class teacher and teaches maths there
    guardian = Guardian.get(Guardian.user == school.parent)
    StudentGuardian.create(student=second, guardian=guardian)
    parent = school.actor(school.parent)
    both = _labels(mail.allowed_recipients(parent))
    assert (
        "Петров Олег Викторович — class teacher of 8Б; Математика (8Б); Английский язык (7А)"
        in both
    )
    only_8b = _labels(mail.allowed_recipients(parent, student_id=second.id))
    assert only_8b[0] == "Петров Олег Викторович — class teacher of 8Б; Математика"
    assert not any(label.startswith("Иванова") for label in only_8b)
    # and may write to Петров about either child, but not to another family
    mail.send_message(parent, [_to(school.other_teacher)], "Вопрос", "Текст")
    with pytest.raises(Forbidden), nothing_written():
        mail.send_message(parent, [_to(school.other_parent)], "Вопрос", "Текст")


def test_a_parent_cannot_ask_for_another_familys_child(school):
    with pytest.raises(NotFound):
        mail.allowed_recipients(school.actor(school.parent), student_id=school.other_students[0].id)


@pytest.mark.parametrize(
    "recipient",
    [
        lambda s: _to(s.other_parent),  # another family
        lambda s: _to(s.student_user),  # a student, even their own child's account
        lambda s: Recipient(CLASS_PARENTS, s.class_7a.id),  # a group of families
        lambda s: Recipient(STUDENT_PARENTS, s.students[1].id),
    ],
)
def test_a_parent_never_reaches_another_family(school, recipient):
    with pytest.raises(Forbidden), nothing_written():
        mail.send_message(school.actor(school.parent), [recipient(school)], "Тема", "Текст")


def test_a_parent_of_another_class_cannot_write_to_a_teacher_who_does_not_teach_there(school):
    # Иванова teaches and leads 7А only; the other parent's child is in 8Б
    with pytest.raises(Forbidden), nothing_written():
        mail.send_message(school.actor(school.other_parent), [_to(school.teacher)], "Т", "Т")
    labels = _labels(mail.allowed_recipients(school.actor(school.other_parent)))
    assert not any(label.startswith("Иванова") for label in labels)


def test_a_teacher_may_write_to_own_classes_parents_colleagues_and_administration(school):
    _parent_of(school, school.students[1], "p_alexeeva")
    choices = mail.allowed_recipients(school.actor(school.teacher))
    labels = _labels(choices)
    assert labels[:3] == [
        "All parents of 7А",
        "Parents of Алексеева Д., 7А",
        "Parents of Смирнов А., 7А",
    ]
    assert "All parents of 8Б" not in labels
    assert "Петров Олег Викторович — class teacher of 8Б; Английский язык; Математика" in labels
    assert "Орлова Анна Сергеевна — director" in labels
    assert labels[-1] == "System administrators"
    # a teacher may not write to parents of a class they neither teach nor lead
    with pytest.raises(Forbidden), nothing_written():
        mail.send_message(school.actor(school.teacher), [_to(school.other_parent)], "Т", "Т")
    with pytest.raises(Forbidden), nothing_written():
        mail.send_message(
            school.actor(school.teacher), [Recipient(CLASS_PARENTS, school.class_8b.id)], "Т", "Т"
        )


def test_the_administration_may_write_to_anyone(school):
    director = school.actor(school.director)
    labels = _labels(mail.allowed_recipients(director))
    assert "All parents of 7А" in labels and "All parents of 8Б" in labels
    view = mail.send_message(director, [_to(school.other_parent)], "Собрание", "Приходите.")
    assert view.participants == "Кузнецов А. О."


def test_a_student_writes_to_own_teachers_only(school):
    student = school.actor(school.student_user)
    mail.send_message(student, [_to(school.pe_teacher)], "Зачёт", "Когда пересдать?")
    with pytest.raises(Forbidden):
        mail.send_message(student, [_to(school.parent)], "Т", "Т")


# --- sending, group expansion, read state ----------------------------------------------------


def test_a_message_to_all_parents_of_a_class_reaches_each_parent_once(school):
    shared = _parent_of(school, school.students[1], "p_shared")
    StudentGuardian.create(
        student=school.students[2], guardian=Guardian.get(Guardian.user == shared)
    )
    _parent_of(school, school.students[3], "p_disabled", status="disabled")
    left = _parent_of(school, school.students[4], "p_left")
    school.students[4].left_on = dt.date(2026, 11, 1)
    school.students[4].save()
    teacher = school.actor(school.teacher)
    view = mail.send_message(
        teacher, [Recipient(CLASS_PARENTS, school.class_7a.id)], "Собрание", "В пятницу в 18:00."
    )
    assert view.participants == "All parents of 7А"
    assert view.kind == "message"
    thread = MailThread.get_by_id(view.thread_id)
    members = {
        p.user_id: p.direct
        for p in MailParticipant.select().where(MailParticipant.thread == thread)
    }
    assert members == {school.teacher.id: True, school.parent.id: False, shared.id: False}
    assert left.id not in members
    parent_view = mail.open_thread(school.actor(school.parent), view.thread_id)
    assert parent_view.participants == "All parents of 7А, Иванова М. А."
    assert [(m.author_name, m.author_role, m.body) for m in parent_view.messages] == [
        ("Иванова Мария Александровна", "class teacher", "В пятницу в 18:00.")
    ]


def test_a_group_with_no_accounts_is_refused(school):
    with (
        pytest.raises(ValidationError, match="Nobody in «Parents of Белов К., 7А»"),
        nothing_written(),
    ):
        mail.send_message(
            school.actor(school.teacher),
            [Recipient(STUDENT_PARENTS, school.students[2].id)],
            "Т",
            "Т",
        )


def test_read_state_follows_opening_and_replies(school):
    parent = school.actor(school.parent)
    teacher = school.actor(school.teacher)
    sent = mail.send_message(parent, [_to(school.teacher)], "Домашнее задание", "Что задано?")
    assert mail.unread_count(parent) == 0
    assert mail.unread_count(teacher) == 1
    [summary] = mail.inbox(teacher)
    assert (summary.unread, summary.count, summary.last_author_name) == (
        True,
        1,
        "Смирнова Е. В.",
    )
    assert summary.participants == "Смирнова Е. В."
    assert summary.last_at == dt.datetime(2026, 11, 25, 15, 0)  # 12:00 UTC in Moscow
    with clock.frozen_time(LATER):
        mail.open_thread(teacher, sent.thread_id)
    assert mail.unread_count(teacher) == 0
    with clock.frozen_time(EVEN_LATER):
        answer = mail.reply(teacher, sent.thread_id, "  Задача 5.  ")
    assert answer.body == "Задача 5." and answer.mine and answer.author_role == "class teacher"
    assert mail.unread_count(teacher) == 0
    assert mail.unread_count(parent) == 1
    [summary] = mail.inbox(parent)
    assert (summary.unread, summary.count, summary.last_author_name) == (
        True,
        2,
        "Иванова М. А.",
    )
    with clock.frozen_time(EVENING):
        view = mail.open_thread(parent, sent.thread_id)
    assert [m.body for m in view.messages] == ["Что задано?", "Задача 5."]
    assert [m.mine for m in view.messages] == [True, False]
    assert mail.unread_count(parent) == 0


def test_inbox_is_newest_first_and_pages(school):
    parent = school.actor(school.parent)
    first = mail.send_message(parent, [_to(school.teacher)], "Первое", "1")
    with clock.frozen_time(LATER):
        second = mail.send_message(parent, [_to(school.pe_teacher)], "Второе", "2")
    with clock.frozen_time(EVEN_LATER):
        mail.reply(school.actor(school.teacher), first.thread_id, "ответ")
    assert [t.subject for t in mail.inbox(parent)] == ["Первое", "Второе"]
    assert [t.thread_id for t in mail.inbox(parent, limit=1, offset=1)] == [second.thread_id]
    for bad in ({"limit": 0}, {"limit": 1000}, {"offset": -1}):
        with pytest.raises(ValidationError):
            mail.inbox(parent, **bad)


def test_sending_and_replying_are_logged_and_recorded(school):
    parent = school.actor(school.parent)
    view = mail.send_message(parent, [_to(school.teacher)], "Тема", "Текст")
    mail.reply(school.actor(school.teacher), view.thread_id, "Ответ")
    logged = [(a.login, a.kind) for a in ActivityLog.select().order_by(ActivityLog.at)]
    assert logged == [("parent1", "message"), ("ivanova", "message")]
    entities = [h.entity for h in History.select().order_by(History.at, History.id)]
    assert entities == ["mail_thread", "mail_message", "mail_message"]
    created = History.get(History.entity == "mail_thread").change_map()
    assert sorted(created["participants"][1]) == sorted([school.parent.id, school.teacher.id])


def test_someone_outside_a_thread_cannot_open_it_nor_reply(school):
    view = mail.send_message(school.actor(school.parent), [_to(school.teacher)], "Тема", "Текст")
    outsider = school.actor(school.other_parent)
    for call in (
        lambda: mail.open_thread(outsider, view.thread_id),
        lambda: mail.reply(outsider, view.thread_id, "Я тоже"),
        lambda: mail.open_thread(outsider, "0" * 32),
    ):
        with pytest.raises(NotFound, match="no such conversation"), nothing_written():
            call()
    # not even the director reads other people's mail
    with pytest.raises(NotFound):
        mail.open_thread(school.actor(school.director), view.thread_id)
    assert mail.inbox(outsider) == []


def test_asking_for_help_reaches_the_system_administrators(school):
    parent = school.actor(school.parent)
    view = mail.ask_for_help(parent, "Не могу войти", "Код не подходит.")
    assert view.kind == "help"
    assert view.participants == "System administrators"
    [summary] = mail.inbox(school.actor(school.sysadmin))
    assert summary.unread and summary.participants == "System administrators, Смирнова Е. В."
    with clock.frozen_time(LATER):
        mail.reply(school.actor(school.sysadmin), view.thread_id, "Выдам новый код.")
    assert mail.unread_count(parent) == 1


def test_asking_for_help_with_no_sysadmin_is_refused(school):
    school.sysadmin.status = "disabled"
    school.sysadmin.save()
    with pytest.raises(ValidationError, match="System administrators"), nothing_written():
        mail.ask_for_help(school.actor(school.parent), "Помогите", "Текст")


@pytest.mark.parametrize(
    ("recipients", "subject", "body", "message"),
    [
        (lambda s: [], "Тема", "Текст", "at least one recipient"),
        (lambda s: [_to(s.teacher)], "   ", "Текст", "Write a subject"),
        (lambda s: [_to(s.teacher)], "Тема", " \n ", "message is empty"),
        (lambda s: [_to(s.teacher)], "Т" * 201, "Текст", "201 characters long; shorten it to 200"),
        (lambda s: [_to(s.teacher)], "Тема", "я" * 10_001, "shorten it to 10000"),
        (lambda s: [Recipient("everyone", "")], "Тема", "Текст", "not a kind of recipient"),
        (lambda s: [_to(s.parent)], "Тема", "Текст", "cannot write to yourself"),
    ],
)
def test_bad_input_writes_nothing(school, recipients, subject, body, message):
    with pytest.raises(ValidationError, match=message), nothing_written():
        mail.send_message(school.actor(school.parent), recipients(school), subject, body)


def test_unknown_and_disabled_recipients_are_refused(school):
    parent = school.actor(school.parent)
    with pytest.raises(NotFound), nothing_written():
        mail.send_message(parent, [Recipient(USER, "0" * 32)], "Тема", "Текст")
    school.teacher.status = "disabled"
    school.teacher.save()
    with pytest.raises(ValidationError, match="disabled"), nothing_written():
        mail.send_message(parent, [_to(school.teacher)], "Тема", "Текст")
    assert not any(
        label.startswith("Иванова") for label in _labels(mail.allowed_recipients(parent))
    )


def test_a_bad_reply_writes_nothing(school):
    view = mail.send_message(school.actor(school.parent), [_to(school.teacher)], "Тема", "Текст")
    with pytest.raises(ValidationError), nothing_written():
        mail.reply(school.actor(school.teacher), view.thread_id, "   ")
    with pytest.raises(ValidationError), nothing_written():
        mail.reply(school.actor(school.teacher), view.thread_id, "x" * 10_001)


# --- progress summaries ---------------------------------------------------------------------


def _marks_for_smirnov(school: SmallSchool) -> None:
    lessons, student = school.maths_lessons, school.students[0]
    make_mark(lessons[0], student, "5", school.oral)
    make_mark(lessons[2], student, "3", school.test_work)
    make_mark(lessons[4], student, "4", school.oral)
    make_mark(lessons[4], school.students[1], "2", school.oral)  # another family's mark
    Attendance.create(lesson=lessons[1], student=student, code="sick", updated_at=LATER)
    Attendance.create(lesson=lessons[3], student=student, code="absent", updated_at=LATER)
    FinalMark.create(
        student=student,
        assignment=school.maths,
        period=school.quarters[1],
        value="4",
        points=4,
        set_at=LATER,
    )


def test_progress_summaries_give_each_family_their_own_childs_numbers(school):
    _marks_for_smirnov(school)
    _parent_of(school, school.students[1], "p_alexeeva")
    sent = mail.send_progress_summaries(
        school.actor(school.teacher), school.class_7a.id, school.quarters[1].id
    )
    assert sent == 2
    [summary] = mail.inbox(school.actor(school.parent))
    assert summary.kind == "summary" and summary.unread
    assert summary.subject == "Progress for 2 четверть: Смирнов А."
    view = mail.open_thread(school.actor(school.parent), summary.thread_id)
    assert view.participants == "Parents of Смирнов А., 7А, Иванова М. А."
    # by hand: (5·1 + 3·2 + 4·1) / (1 + 2 + 1) = 15/4 = 3.75; 6 maths lessons held so far
    assert view.messages[0].body == (
        "Смирнов А., class 7А: 2 четверть (05.11.2026 – 27.12.2026)\n"
        "\n"
        "Математика: 5 3 4; average 3.75; final mark 4\n"
        "\n"
        "Absences: 2 of 6 lessons (unexcused 1, illness 1)."
    )
    other = school.actor(User.get(User.login == "p_alexeeva"))
    [theirs] = mail.inbox(other)
    body = mail.open_thread(other, theirs.thread_id).messages[0].body
    assert "Алексеева Д., class 7А" in body and "Математика: 2; average 2.00" in body
    assert "Смирнов" not in body + theirs.subject + theirs.participants
    assert ActivityLog.select().where(ActivityLog.kind == "message").count() == 2


def test_children_with_the_same_parents_get_one_summary(school):
    guardian = Guardian.get(Guardian.user == school.parent)
    StudentGuardian.create(student=school.students[1], guardian=guardian)
    sent = mail.send_progress_summaries(
        school.actor(school.teacher), school.class_7a.id, school.quarters[1].id
    )
    assert sent == 1
    [summary] = mail.inbox(school.actor(school.parent))
    assert summary.subject == "Progress for 2 четверть: Алексеева Д., Смирнов А."
    body = mail.open_thread(school.actor(school.parent), summary.thread_id).messages[0].body
    assert "Смирнов А., class 7А" in body and "Алексеева Д., class 7А" in body


def test_only_the_class_teacher_or_administration_send_summaries(school):
    args = (school.class_7a.id, school.quarters[1].id)
    for user in (school.other_teacher, school.parent, school.sysadmin):
        with pytest.raises(Forbidden), nothing_written():
            mail.send_progress_summaries(school.actor(user), *args)
    assert mail.send_progress_summaries(school.actor(school.deputy), *args) == 1


def test_summaries_refuse_a_period_of_another_scheme_or_a_class_without_parent_accounts(school):
    with pytest.raises(ValidationError, match="not one of the periods"), nothing_written():
        mail.send_progress_summaries(
            school.actor(school.teacher), school.class_7a.id, school.halves[0].id
        )
    school.parent.status = "disabled"
    school.parent.save()
    with pytest.raises(ValidationError, match="No parent in class 7А"), nothing_written():
        mail.send_progress_summaries(
            school.actor(school.teacher), school.class_7a.id, school.quarters[1].id
        )
    with pytest.raises(NotFound), nothing_written():
        mail.send_progress_summaries(school.actor(school.teacher), "0" * 32, school.quarters[1].id)


def test_summary_classes_are_the_ones_the_actor_leads(school):
    [led] = mail.summary_classes(school.actor(school.teacher))
    assert (led.class_id, led.label) == (school.class_7a.id, "7А")
    assert [name for _id, name in led.periods] == [q.name for q in school.quarters]
    assert led.current == school.quarters[1].id
    assert [c.label for c in mail.summary_classes(school.actor(school.director))] == ["7А", "8Б"]
    assert mail.summary_classes(school.actor(school.parent)) == []
    assert mail.summary_classes(school.actor(school.pe_teacher)) == []


def test_a_recipient_round_trips_through_its_key(school):
    group = Recipient(CLASS_PARENTS, school.class_7a.id)
    assert Recipient.from_key(group.key) == group
    assert Recipient.from_key("sysadmins:") == Recipient(SYSADMINS, "")
    with pytest.raises(ValidationError, match="not a kind of recipient"), nothing_written():
        mail.send_message(school.actor(school.parent), [Recipient.from_key("nonsense")], "Т", "Т")

"""Internal mail [R 3.3, 3.6, 4.4, 7.1]: threads, replies, read state, progress summaries.

Used by the TUI and the parent web page alike. Who may write to whom is decided by the
permission module (``may_write_to``, ``Action.MAIL_*``); a thread the actor does not take
part in answers exactly like a missing one, so nobody can probe other families' ids.
Bodies are plain text: escaping is the renderer's job. Every send and reply is logged to
the activity log (kind "message") in the same transaction. Times in the views are the
school's local time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import peewee as pw

from node.errors import Forbidden, NotFound, ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    MailMessage,
    MailParticipant,
    MailThread,
    Period,
    SchoolClass,
    Student,
    User,
    db,
)
from node.services.base import clock, history
from node.services.base.activity import log_activity
from node.services.base.actor import Actor
from node.services.base.lookup import get_class, get_period, required_text
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.base.school_time import local_time, school_zone
from node.services.gradebook.diary import attendance_summary, marks_by_subject
from node.services.messaging.mail_recipients import (
    CLASS_PARENTS,
    STUDENT_PARENTS,
    SYSADMINS,
    USER,
    Addressees,
    Recipient,
    RecipientChoice,
    allowed_recipients,
    group_labels,
    groups_from_json,
    groups_to_json,
    parents_by_student,
    resolve,
    role_label,
)
from node.services.messaging.mail_summary import summary_text

__all__ = [
    "CLASS_PARENTS",
    "MAX_BODY",
    "MAX_SUBJECT",
    "STUDENT_PARENTS",
    "SYSADMINS",
    "USER",
    "MessageView",
    "Recipient",
    "RecipientChoice",
    "SummaryClass",
    "ThreadSummary",
    "ThreadView",
    "allowed_recipients",
    "ask_for_help",
    "inbox",
    "open_thread",
    "reply",
    "send_message",
    "send_progress_summaries",
    "summary_classes",
    "unread_count",
]

MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_PAGE = 200


@dataclass(frozen=True)
class MessageView:
    id: str
    thread_id: str
    author_id: str
    author_name: str
    author_role: str  # "class teacher", "parent"… in the reader's language
    at: dt.datetime  # school-local time
    body: str
    mine: bool


@dataclass(frozen=True)
class ThreadView:
    thread_id: str
    subject: str
    kind: str  # "message", "summary" or "help"
    participants: str  # everyone but the reader: "Иванова М. А., All parents of 7А"
    messages: tuple[MessageView, ...]


@dataclass(frozen=True)
class ThreadSummary:
    thread_id: str
    subject: str
    kind: str
    participants: str
    last_at: dt.datetime  # school-local time
    last_author_name: str
    unread: bool
    count: int


@dataclass(frozen=True)
class SummaryClass:
    """A class the actor may send progress summaries to, with its periods (id, name)."""

    class_id: str
    label: str
    periods: tuple[tuple[str, str], ...]
    current: str | None  # the period under way (or the last one started)


# --- small helpers ------------------------------------------------------------------------


def _within(text: str, limit: int, too_long: str) -> str:
    """``text`` if it fits in ``limit`` characters; ``too_long`` names its length and limit."""
    if len(text) > limit:
        raise ValidationError(too_long.format(length=len(text), limit=limit))
    return text


def _subject(value: str | None) -> str:
    subject = required_text(" ".join((value or "").split()), _("Write a subject for the message."))
    return _within(
        subject,
        MAX_SUBJECT,
        _("The subject is {length} characters long; shorten it to {limit}."),
    )


def _body(value: str | None) -> str:
    body = required_text(value, _("The message is empty; write some text first."), lines=True)
    return _within(
        body, MAX_BODY, _("The message is {length} characters long; shorten it to {limit}.")
    )


def _thread_of(actor: Actor, thread_id: str) -> MailThread:
    """The thread, if ``actor`` takes part in it; one answer for 'missing' and 'not yours'."""
    thread = MailThread.get_or_none(MailThread.id == thread_id) if thread_id else None
    try:
        if thread is None:
            raise NotFound("")
        ensure_allowed(actor, Action.MAIL_READ, thread)
    except (NotFound, Forbidden) as exc:
        raise NotFound(
            _("There is no such conversation in your mail; reload the list and try again.")
        ) from exc
    return thread


def _add_message(actor: Actor, thread: MailThread, body: str, moment: dt.datetime) -> MailMessage:
    """Store a message, make the thread newest, and mark it read for its author."""
    message = MailMessage.create(thread=thread, author=actor.user_id, body=body, sent_at=moment)
    history.record_create(actor, message)
    thread.last_message_at = moment
    thread.last_author = actor.user_id
    thread.save(only=[MailThread.last_message_at, MailThread.last_author])
    MailParticipant.update(last_read_at=moment).where(
        MailParticipant.thread == thread.id, MailParticipant.user == actor.user_id
    ).execute()
    log_activity(actor, "message", detail=f"thread {thread.id}")
    return message


def _create_thread(
    actor: Actor, subject: str, body: str, addressees: Addressees, kind: str
) -> MailThread:
    """Inside the caller's transaction: the thread, its participants, the first message."""
    moment = clock.now()
    thread = MailThread.create(
        subject=subject,
        kind=kind,
        created_by=actor.user_id,
        created_at=moment,
        groups=groups_to_json(addressees.groups),
        last_message_at=moment,
        last_author=actor.user_id,
    )
    people = [(actor.user_id, True)]
    people += [(u.id, True) for u in addressees.direct]
    people += [(u.id, False) for u in addressees.via_groups]
    for user_id, direct in people:
        MailParticipant.create(thread=thread, user=user_id, direct=direct)
    changes = {k: [None, v] for k, v in history.snapshot(thread).items()}
    changes["participants"] = [None, [user_id for user_id, _direct in people]]
    history.record(actor, "mail_thread", thread.id, "create", changes)
    _add_message(actor, thread, body, moment)
    return thread


def _participants_label(
    thread: MailThread,
    names: list[tuple[str, str]],
    reader: str,
    labels: dict[Recipient, str] | None = None,
) -> str:
    """Groups by their label, people named directly by name; never the reader."""
    groups = groups_from_json(thread.groups)
    labels = labels if labels is not None else group_labels(groups)
    parts = [labels.get(g, "") for g in groups]
    parts += [name for user_id, name in names if user_id != reader]
    return ", ".join(parts)


def _direct_names(thread_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not thread_ids:
        return names
    query = (
        MailParticipant.select(MailParticipant.thread, User)
        .join(User)
        .where(MailParticipant.thread.in_(thread_ids), MailParticipant.direct == True)  # noqa: E712
        .order_by(User.last_name, User.first_name)
    )
    for row in query:
        names[row.thread_id].append((row.user.id, row.user.display_name))
    return names


def _thread_view(actor: Actor, thread: MailThread) -> ThreadView:
    zone = school_zone()
    messages = []
    for message in (
        MailMessage.select(MailMessage, User)
        .join(User)
        .where(MailMessage.thread == thread.id)
        .order_by(MailMessage.sent_at, MailMessage.id)
    ):
        messages.append(
            MessageView(
                id=message.id,
                thread_id=thread.id,
                author_id=message.author.id,
                author_name=message.author.full_name,
                author_role=role_label(message.author.roles),
                at=local_time(message.sent_at, zone),
                body=message.body,
                mine=message.author.id == actor.user_id,
            )
        )
    label = _participants_label(thread, _direct_names([thread.id])[thread.id], actor.user_id or "")
    return ThreadView(
        thread_id=thread.id,
        subject=thread.subject,
        kind=thread.kind,
        participants=label,
        messages=tuple(messages),
    )


# --- the public service -------------------------------------------------------------------


def _start(
    actor: Actor, recipients: Sequence[Recipient], subject: str, body: str, kind: str
) -> ThreadView:
    ensure_allowed(actor, Action.MAIL_USE)
    addressees = resolve(actor, recipients)
    subject, body = _subject(subject), _body(body)
    with db.atomic():
        thread = _create_thread(actor, subject, body, addressees, kind)
    return _thread_view(actor, thread)


def send_message(
    actor: Actor, recipients: Sequence[Recipient], subject: str, body: str
) -> ThreadView:
    """Start a thread with people and groups; groups are expanded to their users now."""
    return _start(actor, recipients, subject, body, "message")


def ask_for_help(actor: Actor, subject: str, body: str) -> ThreadView:
    """Any user writes to the system administrators [R 7.1]."""
    return _start(actor, [Recipient(SYSADMINS, "")], subject, body, "help")


def reply(actor: Actor, thread_id: str, body: str) -> MessageView:
    """Answer in a thread the actor takes part in; everyone in it sees the reply."""
    ensure_allowed(actor, Action.MAIL_USE)
    thread = _thread_of(actor, thread_id)
    body = _body(body)
    with db.atomic():
        message = _add_message(actor, thread, body, clock.now())
    user = User.get_by_id(actor.user_id)
    return MessageView(
        id=message.id,
        thread_id=thread.id,
        author_id=user.id,
        author_name=user.full_name,
        author_role=role_label(user.roles),
        at=local_time(message.sent_at, school_zone()),
        body=message.body,
        mine=True,
    )


def open_thread(actor: Actor, thread_id: str) -> ThreadView:
    """The whole conversation, oldest first; marks it read for the actor."""
    ensure_allowed(actor, Action.MAIL_USE)
    thread = _thread_of(actor, thread_id)
    with db.atomic():
        MailParticipant.update(last_read_at=clock.now()).where(
            MailParticipant.thread == thread.id, MailParticipant.user == actor.user_id
        ).execute()
    return _thread_view(actor, thread)


def _unread() -> pw.Expression:
    return MailParticipant.last_read_at.is_null() | (
        MailThread.last_message_at > MailParticipant.last_read_at
    )


def inbox(actor: Actor, *, limit: int = 50, offset: int = 0) -> list[ThreadSummary]:
    """The actor's threads, newest activity first, with their unread state."""
    ensure_allowed(actor, Action.MAIL_USE)
    if not (1 <= limit <= MAX_PAGE) or offset < 0:
        raise ValidationError(
            _("Ask for 1 to {limit} conversations from position 0 or later.").format(limit=MAX_PAGE)
        )
    author = User.alias()
    rows = list(
        MailThread.select(MailThread, _unread().alias("unread"), author)
        .join(MailParticipant, on=MailParticipant.thread == MailThread.id)
        .switch(MailThread)
        .join(author, pw.JOIN.LEFT_OUTER, on=MailThread.last_author == author.id)
        .where(MailParticipant.user == actor.user_id)
        .order_by(MailThread.last_message_at.desc(), MailThread.id.desc())
        .limit(limit)
        .offset(offset)
    )
    ids = [row.id for row in rows]
    counts = dict(
        MailMessage.select(MailMessage.thread, pw.fn.COUNT(MailMessage.id))
        .where(MailMessage.thread.in_(ids))
        .group_by(MailMessage.thread)
        .tuples()
    )
    names = _direct_names(ids)
    zone = school_zone()
    labels = group_labels(g for row in rows for g in groups_from_json(row.groups))
    return [
        ThreadSummary(
            thread_id=row.id,
            subject=row.subject,
            kind=row.kind,
            participants=_participants_label(row, names[row.id], actor.user_id or "", labels),
            last_at=local_time(row.last_message_at, zone),
            last_author_name=row.last_author.display_name if row.last_author_id else "",
            unread=bool(row.unread),
            count=counts.get(row.id, 0),
        )
        for row in rows
    ]


def unread_count(actor: Actor) -> int:
    """How many of the actor's threads have messages they have not opened."""
    ensure_allowed(actor, Action.MAIL_USE)
    return db.execute_sql(_UNREAD_SQL, (actor.user_id,)).fetchone()[0]


#: ``unread_count`` as SQL (the same rule as ``_unread``): every signed-in page shows it in
#: the menu, and the ORM spent more time building the query than SQLite answering it.
_UNREAD_SQL = """
SELECT count(*) FROM mail_participant p JOIN mail_thread t ON t.id = p.thread_id
WHERE p.user_id = ? AND (p.last_read_at IS NULL OR t.last_message_at > p.last_read_at)
"""


def send_progress_summaries(actor: Actor, class_id: str, period_id: str) -> int:
    """Send each family of the class their own child's marks, averages, final marks and
    absences for the period, one thread per family [R 4.4]; returns how many were sent.

    Children who share the same parents get one thread. Families without a parent
    account are skipped (they have nowhere to read it).
    """
    school_class = get_class(class_id)
    period = get_period(period_id)
    ensure_allowed(actor, Action.MAIL_SUMMARIES, school_class)
    if period.year_id != school_class.year_id or period.scheme != school_class.period_scheme:
        raise ValidationError(
            _(
                "«{period}» is not one of the periods of class {class_label}; choose one of its "
                "quarters or halves."
            ).format(period=period.name, class_label=school_class.label)
        )
    day = min(max(clock.today(), period.start), period.end)
    students = list(Student.active_in(school_class, day))
    parents = parents_by_student([s.id for s in students])
    families: dict[tuple[str, ...], list[Student]] = defaultdict(list)
    users: dict[str, User] = {}
    for student in students:
        found = [u for u in parents.get(student.id, []) if u.id != actor.user_id]
        if found:
            families[tuple(sorted(u.id for u in found))].append(student)
            users.update({u.id: u for u in found})
    if not families:
        raise ValidationError(
            _(
                "No parent in class {class_label} has an account yet; give the parents their "
                "access codes first."
            ).format(class_label=school_class.label)
        )
    letters = []
    for family, children in families.items():
        texts = [
            summary_text(
                marks_by_subject(actor, child.id, period.id),
                attendance_summary(actor, child.id, period.id),
            )
            for child in children
        ]
        subject = _("Progress for {period}: {names}").format(
            period=period.name, names=", ".join(c.display_name for c in children)
        )
        addressees = Addressees(
            direct=(),
            via_groups=tuple(users[uid] for uid in family),
            groups=tuple(Recipient(STUDENT_PARENTS, c.id) for c in children),
        )
        letters.append((subject[:MAX_SUBJECT], "\n\n".join(texts), addressees))
    with db.atomic():
        for subject, body, addressees in letters:
            _create_thread(actor, subject, body, addressees, "summary")
    return len(letters)


def summary_classes(actor: Actor) -> list[SummaryClass]:
    """The classes of the open years whose parents ``actor`` may send summaries to."""
    ensure_allowed(actor, Action.MAIL_USE)
    classes = (
        SchoolClass.select(SchoolClass)
        .join(AcademicYear)
        .where(AcademicYear.status != "closed")
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    out = []
    for school_class in classes:
        if not allowed(actor, Action.MAIL_SUMMARIES, school_class):
            continue
        periods = list(Period.of_scheme(school_class.year_id, school_class.period_scheme))
        started = [p for p in periods if p.start <= clock.today()]
        current = started[-1] if started else (periods[0] if periods else None)
        out.append(
            SummaryClass(
                class_id=school_class.id,
                label=school_class.label,
                periods=tuple((p.id, p.name) for p in periods),
                current=current.id if current else None,
            )
        )
    return out

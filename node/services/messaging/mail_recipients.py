"""Who a message goes to: recipients as people or groups, their labels, and their expansion.

A group ("all parents of 7Б", "the parents of Смирнов А.", "the system administrators") is
expanded to user accounts when a message is sent; disabled accounts are left out of groups
but refused when named one by one. Every recipient passes the permission module
(``Action.MAIL_SEND``), so the list offered to a user and the check at send time agree.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee as pw

from node.errors import NotFound, ValidationError
from node.i18n import N_, _, gettext
from node.models import (
    AcademicYear,
    Guardian,
    SchoolClass,
    Student,
    StudentGuardian,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
)
from node.models.accounts import main_role
from node.models.people import STAFF_ROLES, short_name
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.lookup import get_class, get_student, get_user
from node.services.base.permissions import (
    ADMINISTRATION,
    Action,
    ensure_allowed,
    mail_class_ids,
    may_write_to,
    writes_to_colleagues,
)

USER = "user"
CLASS_PARENTS = "class_parents"  # id: a class id
STUDENT_PARENTS = "student_parents"  # id: a student id
SYSADMINS = "sysadmins"  # id: ""
KINDS = (USER, CLASS_PARENTS, STUDENT_PARENTS, SYSADMINS)

#: How a message's author is introduced, by their main role.
ROLE_LABELS = {
    "sysadmin": N_("system administrator"),
    "director": N_("director"),
    "deputy": N_("deputy director"),
    "class_teacher": N_("class teacher"),
    "teacher": N_("teacher"),
    "parent": N_("parent"),
    "student": N_("student"),
}


@dataclass(frozen=True)
class Recipient:
    kind: str
    id: str

    @property
    def key(self) -> str:
        """'class_parents:<id>' — one form field value (a web form, a picker)."""
        return f"{self.kind}:{self.id}"

    @classmethod
    def from_key(cls, key: str) -> Recipient:
        """The recipient a ``key`` names; an unknown kind is refused when it is sent."""
        kind, _sep, ident = (key or "").partition(":")
        return cls(kind=kind, id=ident)


@dataclass(frozen=True)
class RecipientChoice:
    recipient: Recipient
    label: str


@dataclass(frozen=True)
class Addressees:
    """Recipients resolved to users: ``direct`` named one by one, ``via_groups`` reached
    through ``groups``; neither holds the sender."""

    direct: tuple[User, ...]
    via_groups: tuple[User, ...]
    groups: tuple[Recipient, ...]


def role_label(roles: str) -> str:
    role = main_role(roles)
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else ""


def _holds_role(role: str) -> pw.Expression:
    """``User.roles`` (space-separated) holds ``role``."""
    return pw.fn.instr(pw.Value(" ").concat(User.roles).concat(" "), f" {role} ") > 0


def _not_disabled() -> pw.Expression:
    return User.status != "disabled"


def _parents_of(students: pw.ModelSelect | Sequence[str]) -> pw.ModelSelect:
    """Parents' accounts (not disabled) of the given students."""
    return (
        User.select(User)
        .distinct()
        .join(Guardian, on=Guardian.user == User.id)
        .join(StudentGuardian, on=StudentGuardian.guardian == Guardian.id)
        .where(StudentGuardian.student.in_(students), _not_disabled())
        .order_by(User.last_name, User.first_name, User.id)
    )


def parents_by_student(student_ids: Sequence[str]) -> dict[str, list[User]]:
    """Student id → their parents' accounts (not disabled), in one query."""
    out: dict[str, list[User]] = defaultdict(list)
    if not student_ids:
        return out
    query = (
        User.select(User, StudentGuardian.student.alias("student_id"))
        .join(Guardian, on=Guardian.user == User.id)
        .join(StudentGuardian, on=StudentGuardian.guardian == Guardian.id)
        .where(StudentGuardian.student.in_(list(student_ids)), _not_disabled())
        .order_by(User.last_name, User.first_name, User.id)
        .objects()
    )
    for user in query:
        out[user.student_id].append(user)
    return out


def _current_students(class_id: str) -> pw.ModelSelect:
    return Student.active_in(class_id, clock.today()).select(Student.id)


def sysadmins() -> list[User]:
    return list(User.select().where(_holds_role("sysadmin"), _not_disabled()).order_by(User.login))


def group_labels(groups: Iterable[Recipient]) -> dict[Recipient, str]:
    """Each group in the reader's language ('All parents of 7Б'), in two queries at most."""
    wanted = set(groups)
    student_ids = [g.id for g in wanted if g.kind == STUDENT_PARENTS]
    students = (
        {
            row[0]: row[1:]
            for row in Student.select(
                Student.id,
                Student.last_name,
                Student.first_name,
                Student.middle_name,
                Student.school_class,
            )
            .where(Student.id.in_(student_ids))
            .tuples()
        }
        if student_ids
        else {}
    )
    class_ids = {g.id for g in wanted if g.kind == CLASS_PARENTS}
    class_ids |= {row[3] for row in students.values()}
    classes = (
        dict(
            SchoolClass.select(SchoolClass.id, SchoolClass.grade.concat(SchoolClass.letter))
            .where(SchoolClass.id.in_(list(class_ids)))
            .tuples()
        )
        if class_ids
        else {}
    )
    labels = {}
    for group in wanted:
        if group.kind == CLASS_PARENTS:
            text = _("All parents of {class_label}").format(class_label=classes.get(group.id, "?"))
        elif group.kind == STUDENT_PARENTS and group.id in students:
            last, first, middle, class_id = students[group.id]
            text = _("Parents of {name}, {class_label}").format(
                name=short_name(last, first, middle), class_label=classes.get(class_id, "?")
            )
        elif group.kind == STUDENT_PARENTS:
            text = _("Parents of a former student")
        elif group.kind == SYSADMINS:
            text = _("System administrators")
        else:
            text = ""
        labels[group] = text
    return labels


def group_label(kind: str, group_id: str) -> str:
    """One group's label (see ``group_labels``)."""
    group = Recipient(kind, group_id)
    return group_labels([group])[group]


def groups_to_json(groups: Iterable[Recipient]) -> str:
    return json.dumps([{"kind": g.kind, "id": g.id} for g in groups], ensure_ascii=False)


def groups_from_json(text: str) -> list[Recipient]:
    return [Recipient(kind=item["kind"], id=item["id"]) for item in json.loads(text or "[]")]


# --- resolving what a sender asked for ----------------------------------------------------


def _named_user(actor: Actor, user_id: str) -> User:
    user = get_user(user_id)
    ensure_allowed(actor, Action.MAIL_SEND, user)
    if user.status == "disabled":
        raise ValidationError(
            _(
                "The account of {name} is disabled, so they cannot receive messages; "
                "remove them from the recipients."
            ).format(name=user.full_name)
        )
    return user


def _group_users(actor: Actor, recipient: Recipient) -> list[User]:
    if recipient.kind == CLASS_PARENTS:
        school_class = get_class(recipient.id)
        ensure_allowed(actor, Action.MAIL_SEND, school_class)
        users = list(_parents_of(_current_students(school_class.id)))
    elif recipient.kind == STUDENT_PARENTS:
        student = get_student(recipient.id)
        ensure_allowed(actor, Action.MAIL_SEND, student)
        users = list(_parents_of([student.id]))
    else:  # SYSADMINS: anyone may ask them for help [R 7.1]
        ensure_allowed(actor, Action.MAIL_USE)
        users = sysadmins()
    if not [u for u in users if u.id != actor.user_id]:
        raise ValidationError(
            _("Nobody in «{group}» has an account yet, so nobody would get the message.").format(
                group=group_label(recipient.kind, recipient.id)
            )
        )
    return users


def resolve(actor: Actor, recipients: Sequence[Recipient]) -> Addressees:
    """Check and expand ``recipients``; raises before anything is written."""
    ensure_allowed(actor, Action.MAIL_USE)
    wanted = list(dict.fromkeys(recipients))
    if not wanted:
        raise ValidationError(_("Choose at least one recipient."))
    direct: dict[str, User] = {}
    via: dict[str, User] = {}
    groups: list[Recipient] = []
    for recipient in wanted:
        if recipient.kind not in KINDS:
            raise ValidationError(
                _("«{kind}» is not a kind of recipient; choose one from the list.").format(
                    kind=recipient.kind
                )
            )
        if recipient.kind == USER:
            if recipient.id == actor.user_id:
                raise ValidationError(_("You cannot write to yourself; choose someone else."))
            user = _named_user(actor, recipient.id)
            direct[user.id] = user
        else:
            groups.append(recipient)
            for user in _group_users(actor, recipient):
                via[user.id] = user
    via = {uid: u for uid, u in via.items() if uid not in direct and uid != actor.user_id}
    return Addressees(tuple(direct.values()), tuple(via.values()), tuple(groups))


# --- what a user may choose from ----------------------------------------------------------


def _family_students(actor: Actor, student_id: str | None) -> list[Student]:
    """The students the actor signs in for (themself or children), or the one asked for."""
    if actor.user_id is None:
        return []
    own = Student.select().where(Student.user == actor.user_id)
    linked = (
        Student.select().join(StudentGuardian).join(Guardian).where(Guardian.user == actor.user_id)
    )
    found = {s.id: s for s in list(own) + list(linked)}
    if student_id is None:
        return sorted(found.values(), key=lambda s: (s.last_name, s.first_name))
    return [found[student_id]] if student_id in found else []


def _teaching_of(students: list[Student]) -> dict[str, list[str]]:
    """Teacher id → what they are to these students: 'class teacher of 7А', 'Математика'."""
    parts: dict[str, list[str]] = defaultdict(list)
    for student in students:
        school_class = SchoolClass.get_by_id(student.school_class_id)
        if school_class.class_teacher_id:
            parts[school_class.class_teacher_id].append(
                _("class teacher of {class_label}").format(class_label=school_class.label)
            )
        groups = SubgroupMember.select(SubgroupMember.subgroup).where(
            SubgroupMember.student == student.id
        )
        for assignment in (
            TeachingAssignment.select(TeachingAssignment.teacher, Subject.name)
            .join(Subject)
            .where(
                TeachingAssignment.school_class == student.school_class_id,
                TeachingAssignment.subgroup.is_null() | TeachingAssignment.subgroup.in_(groups),
            )
            .order_by(Subject.name)
        ):
            name = assignment.subject.name
            parts[assignment.teacher_id].append(
                f"{name} ({school_class.label})" if len(students) > 1 else name
            )
    return parts


def _staff_parts() -> dict[str, list[str]]:
    """Every teacher's classes led and subjects taught, for the colleagues list."""
    parts: dict[str, list[str]] = defaultdict(list)
    for school_class in SchoolClass.select().where(SchoolClass.class_teacher.is_null(False)):
        parts[school_class.class_teacher_id].append(
            _("class teacher of {class_label}").format(class_label=school_class.label)
        )
    for teacher_id, subject in (
        TeachingAssignment.select(TeachingAssignment.teacher, Subject.name)
        .join(Subject)
        .distinct()
        .order_by(Subject.name)
        .tuples()
    ):
        parts[teacher_id].append(subject)
    return parts


def _user_choice(user: User, parts: list[str]) -> RecipientChoice:
    what = "; ".join(dict.fromkeys(parts)) or role_label(user.roles)
    return RecipientChoice(Recipient(USER, user.id), f"{user.full_name} — {what}")


def _is_administration(user: User) -> bool:
    return bool(user.role_set & set(ADMINISTRATION))


def _group_choices(actor: Actor, student_id: str | None) -> list[RecipientChoice]:
    """All parents of each class the actor may address, then the parents of each student."""
    class_ids = mail_class_ids(actor)
    if not class_ids:
        return []
    classes = list(
        SchoolClass.select(SchoolClass)
        .join(AcademicYear)
        .where(SchoolClass.id.in_(list(class_ids)), AcademicYear.status != "closed")
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    labels = {c.id: c.label for c in classes}
    students = Student.select().where(
        Student.school_class.in_(list(labels)),
        Student.id.in_(StudentGuardian.select(StudentGuardian.student)),
        Student.left_on.is_null() | (Student.left_on >= clock.today()),
    )
    if student_id is not None:
        students = students.where(Student.id == student_id)
    choices = []
    if student_id is None:
        choices = [
            RecipientChoice(
                Recipient(CLASS_PARENTS, c.id),
                _("All parents of {class_label}").format(class_label=c.label),
            )
            for c in classes
        ]
    by_class: dict[str, list[Student]] = defaultdict(list)
    for student in students.order_by(Student.last_name, Student.first_name):
        by_class[student.school_class_id].append(student)
    for school_class in classes:
        for student in by_class.get(school_class.id, []):
            choices.append(
                RecipientChoice(
                    Recipient(STUDENT_PARENTS, student.id),
                    _("Parents of {name}, {class_label}").format(
                        name=student.display_name, class_label=school_class.label
                    ),
                )
            )
    return choices


def allowed_recipients(actor: Actor, *, student_id: str | None = None) -> list[RecipientChoice]:
    """Who ``actor`` may write to, labelled for a picker (see ``permissions.may_write_to``).

    For a parent or student: their child's (or own) class teacher and subject teachers,
    then the administration and the system administrators; ``student_id`` narrows this to
    one child. For staff: the parents of the classes they teach or lead (as a group and per
    student; ``student_id`` narrows to that student's parents), colleagues, the
    administration and the system administrators. The administration may address every
    class.
    """
    ensure_allowed(actor, Action.MAIL_USE)
    if student_id is not None:
        family = _family_students(actor, student_id)
        known = bool(family) or any(
            c.recipient.id == student_id for c in _group_choices(actor, student_id)
        )
        if not known:
            raise NotFound(_("There is no such student among the ones you may write about."))
    else:
        family = _family_students(actor, None)
    choices = _group_choices(actor, student_id)
    teaching = _teaching_of(family)
    staff = list(
        User.select()
        .where(
            pw.reduce(lambda a, b: a | b, [_holds_role(role) for role in STAFF_ROLES]),
            _not_disabled(),
            User.id != (actor.user_id or ""),
        )
        .order_by(User.last_name, User.first_name)
    )
    colleagues = writes_to_colleagues(actor)
    parts = _staff_parts() if colleagues else teaching
    teachers: list[RecipientChoice] = []
    administration: list[RecipientChoice] = []
    for user in staff:
        if user.role_set == {"sysadmin"}:
            continue  # reached through the "system administrators" group
        if not colleagues and user.id not in teaching and not _is_administration(user):
            continue
        if not may_write_to(actor, user):
            continue
        choice = _user_choice(user, parts.get(user.id, []))
        (administration if _is_administration(user) else teachers).append(choice)
    choices += teachers + administration
    if sysadmins():
        choices.append(RecipientChoice(Recipient(SYSADMINS, ""), _("System administrators")))
    return choices

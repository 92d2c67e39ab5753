"""Staff accounts (the columns of ``ediary users import``) and classes with their class
teachers and period schemes, written through ``access.staff`` and ``classes``; matched by
login and class label. A name, roles, class teacher or scheme the file changes is updated
through the same services as the screens, which refuse what they always refuse."""

from __future__ import annotations

from node.errors import Conflict, ValidationError
from node.i18n import _, gettext
from node.models import Period, SchoolClass, User
from node.models.people import STAFF_ROLES
from node.services.access.codes import issue_code
from node.services.access.logins import clean_login, parse_roles, split_name
from node.services.access.staff import change_staff, create_staff_user
from node.services.setup.context import Run, class_key
from node.services.setup.rows import Row
from node.services.setup.sheets import SCHEME_WORDS
from node.services.students import classes


def import_staff(run: Run) -> None:
    """New accounts are created pending and get an access code, as ``users import`` does."""
    run.users.update({user.login: user for user in User.select()})
    for row in run.rows.of("staff"):
        login = run.attempt(row, "login", clean_login, row.text("login"))
        names = run.attempt(row, "name", split_name, row.text("name"))
        roles = run.attempt(row, "roles", parse_roles, row["roles"] or ())
        if row.broken or login is None or names is None or roles is None:
            continue
        user = run.users.get(login)
        if user is None:
            user = run.attempt(
                row, "login", create_staff_user, run.actor, login, row.text("name"), roles
            )
            if user is None:
                continue
            run.report.codes.append(issue_code(run.actor, user.id))
            run.users[login] = user
            run.report.count("staff", "created")
            continue
        if not user.role_set & set(STAFF_ROLES):
            run.rows.problem(
                row,
                "login",
                _(
                    "the login «{login}» belongs to a parent's or student's account; give the "
                    "staff member another login."
                ).format(login=login),
            )
            continue
        if (user.last_name, user.first_name, user.middle_name) == names and (
            user.role_set & set(STAFF_ROLES) == roles
        ):
            run.report.count("staff", "unchanged")
            continue
        changed = run.attempt(
            row,
            "roles",
            change_staff,
            run.actor,
            user.id,
            row.text("name"),
            roles,
        )
        if changed is not None:
            run.report.count("staff", "updated")


def import_classes(run: Run) -> None:
    assert run.year is not None
    run.classes.update(
        {(c.grade, c.letter): c for c in SchoolClass.select().where(SchoolClass.year == run.year)}
    )
    schemes = {p.scheme for p in Period.select(Period.scheme).where(Period.year == run.year)}
    for row in run.rows.of("classes"):
        try:
            label = class_key(row.text("class"))
        except ValidationError as exc:
            run.rows.check(row, "class", exc)
            continue
        teacher = run.user(row, "class_teacher") if row["class_teacher"] else None
        scheme = row["scheme"] or "quarters"
        if scheme not in schemes:
            run.rows.problem(
                row,
                "scheme",
                _(
                    "the year {year} has no {scheme} yet; add them to the Periods sheet or "
                    "choose the other scheme."
                ).format(year=run.year.name, scheme=gettext(SCHEME_WORDS[scheme])),
            )
        if row.broken:
            continue
        existing = run.classes.get(label)
        if existing is None:
            created = run.attempt(
                row,
                {ValidationError: "class_teacher", Conflict: "class"},
                classes.create_class,
                run.actor,
                run.year.id,
                label[0],
                label[1],
                class_teacher_id=teacher.id if teacher else None,
                period_scheme=scheme,
            )
            if created is not None:
                run.classes[label] = created
                run.report.count("classes", "created")
            continue
        _update_class(run, row, existing, teacher)


def _update_class(run: Run, row: Row, existing: SchoolClass, teacher: User | None) -> None:
    """A new class teacher or period scheme from the file (an empty cell keeps ediary's)."""
    wanted = (
        teacher.id if teacher else existing.class_teacher_id,
        row["scheme"] or existing.period_scheme,
    )
    if wanted == (existing.class_teacher_id, existing.period_scheme):
        run.report.count("classes", "unchanged")
        return
    changed = run.attempt(
        row,
        {Conflict: "scheme", ValidationError: "class_teacher"},
        classes.change_class,
        run.actor,
        existing.id,
        class_teacher_id=wanted[0],
        period_scheme=wanted[1],
    )
    if changed is not None:
        run.report.count("classes", "updated")

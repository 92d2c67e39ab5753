"""Staff accounts (the columns of ``ediary users import``) and classes with their class
teachers, written through ``accounts`` and ``classes``; matched by login and class label."""

from __future__ import annotations

from node.errors import Conflict, ValidationError
from node.i18n import _, gettext
from node.models import Period, SchoolClass, User
from node.models.people import STAFF_ROLES
from node.services.access.codes import issue_code
from node.services.access.logins import clean_login, parse_roles, split_name
from node.services.access.staff import create_staff_user
from node.services.setup.context import Run, class_key
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
        same = (user.last_name, user.first_name, user.middle_name) == names and (
            user.role_set == roles
        )
        run.report.count("staff", "unchanged" if same else "left")
        if not same:
            run.note(
                _(
                    "The account {login} keeps its name and roles ({name}; {roles}); the "
                    "import does not change an account that exists."
                ).format(
                    login=login,
                    name=user.full_name,
                    roles=", ".join(sorted(r.replace("_", "-") for r in user.role_set)),
                )
            )


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
        outcome = "unchanged"
        if teacher is not None and existing.class_teacher_id != teacher.id:
            changed = run.attempt(
                row, "class_teacher", classes.set_class_teacher, run.actor, existing.id, teacher.id
            )
            outcome = "updated" if changed is not None else outcome
        if row["scheme"] and existing.period_scheme != scheme:
            outcome = "left"
            run.note(
                _("The class {label} keeps following {scheme}.").format(
                    label=existing.label,
                    scheme=gettext(
                        SCHEME_WORDS.get(existing.period_scheme, existing.period_scheme)
                    ),
                )
            )
        run.report.count("classes", outcome)

"""Access codes for everyone a set-up brought in, as printable slips [R 3.2].

A class's students and parents get theirs through ``class_codes.issue_class_codes``, which
holds the class teacher's right (``CODES_ISSUE``; the node itself, as the command line
acts, passes it too); staff accounts through ``issue_code``, the system
administrator's right. Either batch is all or nothing: the slips are written (by the
``write_slips`` the caller gives, ``node.render.slips.slips_writer``) inside the
transaction, so a file that cannot be written issues no codes.
"""

from __future__ import annotations

import re

from node.errors import NotFound, ValidationError
from node.i18n import _
from node.models import SchoolClass, User, db
from node.models.people import STAFF_ROLES
from node.services.access.codes import IssuedCode, issue_code
from node.services.access.slips import SlipsWriter
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.setup.export import find_year
from node.services.students import class_codes

_LABEL = re.compile(r"^\s*(\d{1,2})\s*[-–]?\s*(\w{1,3})\s*$")
#: Latin letters typed for the Cyrillic ones they look like («5A» for «5А»).
_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


def find_class(label: str, *, year_name: str | None = None) -> SchoolClass:
    """The class «5А» of the year (the active one by default); «5 а» and «5A» find it too."""
    year = find_year(year_name)
    match = _LABEL.match(label or "")
    if match is None:
        raise ValidationError(
            _("«{label}» is not a class: write its grade and letter, e.g. 5А.").format(label=label)
        )
    grade, letter = int(match.group(1)), match.group(2).upper()
    for candidate in dict.fromkeys((letter, letter.translate(_LOOKALIKES))):
        found = SchoolClass.get_or_none(
            SchoolClass.year == year, SchoolClass.grade == grade, SchoolClass.letter == candidate
        )
        if found is not None:
            return found
    known = SchoolClass.select().where(SchoolClass.year == year)
    labels = ", ".join(c.label for c in sorted(known, key=lambda c: (c.grade, c.letter)))
    raise NotFound(
        _("There is no class {label} in {year}; the classes are: {labels}.").format(
            label=label.strip(), year=year.name, labels=labels or "—"
        )
    )


def class_slips(
    actor: Actor,
    label: str,
    write_slips: SlipsWriter,
    *,
    year_name: str | None = None,
    with_students: bool = True,
    with_parents: bool = True,
) -> list[IssuedCode]:
    """Codes for the class's students and parents who have no account in use yet."""
    school_class = find_class(label, year_name=year_name)
    ensure_allowed(actor, Action.CLASS_VIEW, school_class)  # issue_class_codes checks more
    return class_codes.issue_class_codes(
        actor,
        school_class.id,
        with_students=with_students,
        with_parents=with_parents,
        write_slips=write_slips,
    )


def staff_slips(actor: Actor, write_slips: SlipsWriter) -> list[IssuedCode]:
    """Codes for every staff account nobody has signed in to yet (an unused code is replaced)."""
    ensure_allowed(actor, Action.USERS_MANAGE)
    waiting = [
        user
        for user in User.select()
        .where(User.status == "pending")
        .order_by(User.last_name, User.first_name, User.login)
        if user.role_set & set(STAFF_ROLES)
    ]
    if not waiting:
        raise ValidationError(_("Every staff account is already in use; nobody needs a new code."))
    with db.atomic():
        issued = [issue_code(actor, user.id) for user in waiting]
        write_slips(issued)
    return issued

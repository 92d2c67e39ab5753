"""The school's policies (mark scale, rounding, final-mark rules, deadlines) and mark values.

Defaults follow common Russian practice; a school overrides any of them in ``School.policy``
(JSON). Mark values are canonical strings: digits on the scale, plus ``н/а`` (not certified),
``осв`` (exempt), ``зач``/``незач`` (pass/fail subjects).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any

from node.errors import ValidationError
from node.i18n import _
from node.models import School

NOT_CERTIFIED = "н/а"
EXEMPT = "осв"
PASS = "зач"
FAIL = "незач"
PASS_FAIL_VALUES = (PASS, FAIL)
FINAL_ONLY_VALUES = (NOT_CERTIFIED, EXEMPT)

_ALIASES = {
    "н/а": NOT_CERTIFIED,
    "на": NOT_CERTIFIED,
    "n/a": NOT_CERTIFIED,
    "осв": EXEMPT,
    "ex": EXEMPT,
    "зач": PASS,
    "pass": PASS,
    "незач": FAIL,
    "fail": FAIL,
}

DEFAULT_WRITTEN_WORK_SUBJECTS = (
    "Русский язык",
    "Литература",
    "Математика",
    "Алгебра",
    "Геометрия",
    "Физика",
    "Химия",
)


@dataclass(frozen=True)
class Policy:
    """What the school decided; every field can be overridden in ``School.policy``."""

    mark_min: int = 1
    mark_max: int = 5
    #: fractional part of the weighted average at or above which the suggestion rounds up
    rounding_threshold: Fraction = Fraction(6, 10)
    #: (hours per week at least, marks per period at least), checked from the top
    min_marks_by_hours: tuple[tuple[float, int], ...] = ((3, 7), (2, 5), (0, 3))
    written_work_subjects: tuple[str, ...] = DEFAULT_WRITTEN_WORK_SUBJECTS
    #: final marks may be set until the period's end plus this many days [R 5.4]
    final_mark_grace_days: int = 4
    #: a deputy's unlock lasts this many days unless they say otherwise
    unlock_days: int = 3
    #: a written justification must be at least this long to count
    justification_min_length: int = 10
    #: grades taught without marks (безотметочное обучение, grade 1 by law): no final marks
    #: and no "too few marks" reminders are expected there
    unmarked_grades: tuple[int, ...] = (1,)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def min_marks(self, hours_per_week: float) -> int:
        for hours, count in self.min_marks_by_hours:
            if hours_per_week >= hours:
                return count
        return self.min_marks_by_hours[-1][1]

    def marks_expected(self, grade: int) -> bool:
        """Whether a class of ``grade`` is marked at all (and so owes final marks)."""
        return grade not in self.unmarked_grades

    def to_json(self) -> dict[str, Any]:
        return {
            "mark_min": self.mark_min,
            "mark_max": self.mark_max,
            "rounding_threshold": str(self.rounding_threshold),
            "min_marks_by_hours": [list(p) for p in self.min_marks_by_hours],
            "written_work_subjects": list(self.written_work_subjects),
            "final_mark_grace_days": self.final_mark_grace_days,
            "unlock_days": self.unlock_days,
            "justification_min_length": self.justification_min_length,
            "unmarked_grades": list(self.unmarked_grades),
        }


def policy_from_json(values: dict[str, Any]) -> Policy:
    """Build a policy from stored JSON, rejecting unknown keys and nonsense values."""
    known = {f.name for f in fields(Policy)} - {"extra"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            _("Unknown policy setting(s): {keys}.").format(keys=", ".join(unknown))
        )
    policy = Policy()
    changes: dict[str, Any] = {}
    try:
        if "mark_min" in values:
            changes["mark_min"] = int(values["mark_min"])
        if "mark_max" in values:
            changes["mark_max"] = int(values["mark_max"])
        if "rounding_threshold" in values:
            changes["rounding_threshold"] = Fraction(str(values["rounding_threshold"]))
        if "min_marks_by_hours" in values:
            pairs = [(float(h), int(c)) for h, c in values["min_marks_by_hours"]]
            changes["min_marks_by_hours"] = tuple(sorted(pairs, reverse=True))
        if "written_work_subjects" in values:
            changes["written_work_subjects"] = tuple(
                str(s) for s in values["written_work_subjects"]
            )
        if "unmarked_grades" in values:
            changes["unmarked_grades"] = tuple(int(g) for g in values["unmarked_grades"])
        for key in ("final_mark_grace_days", "unlock_days", "justification_min_length"):
            if key in values:
                changes[key] = int(values[key])
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("A policy setting has a wrong value: {error}").format(error=exc)
        ) from exc
    policy = replace(policy, **changes)
    if not (0 <= policy.mark_min < policy.mark_max <= 100):
        raise ValidationError(_("The mark scale must go from a lower to a higher whole number."))
    if not (0 < policy.rounding_threshold <= 1):
        raise ValidationError(_("The rounding threshold must be above 0 and at most 1."))
    if not policy.min_marks_by_hours or policy.final_mark_grace_days < 0:
        raise ValidationError(_("The final-mark rules are incomplete."))
    return policy


def load_policy() -> Policy:
    """The policy of the school in the bound database (defaults if none is set)."""
    school = School.current()
    return policy_from_json(school.policy_values()) if school else Policy()


def parse_mark(text: str, *, pass_fail: bool, policy: Policy) -> tuple[str, int | None]:
    """A lesson mark as typed → (canonical value, points). Raises ``ValidationError``."""
    value = text.strip().lower()
    value = _ALIASES.get(value, value)
    if pass_fail:
        if value in PASS_FAIL_VALUES:
            return value, None
        raise ValidationError(
            _("This subject is marked pass/fail: enter «зач» or «незач», not «{value}».").format(
                value=text.strip()
            )
        )
    if value.isdigit():
        points = int(value)
        if policy.mark_min <= points <= policy.mark_max:
            return str(points), points
    raise ValidationError(
        _("«{value}» is not a mark: use a whole number from {low} to {high}.").format(
            value=text.strip(), low=policy.mark_min, high=policy.mark_max
        )
    )


def parse_final_mark(text: str, *, pass_fail: bool, policy: Policy) -> tuple[str, int | None]:
    """A final mark as typed: like a lesson mark, or also ``н/а`` / ``осв``."""
    value = _ALIASES.get(text.strip().lower(), text.strip().lower())
    if value in FINAL_ONLY_VALUES:
        return value, None
    return parse_mark(text, pass_fail=pass_fail, policy=policy)

"""The school's policy and how typed marks become values."""

from __future__ import annotations

from fractions import Fraction

import pytest

from node.errors import ValidationError
from node.i18n import use_language
from node.services.base.policy import Policy, parse_final_mark, parse_mark, policy_from_json

POLICY = Policy()


@pytest.mark.parametrize(
    ("typed", "expected"), [("5", ("5", 5)), (" 4 ", ("4", 4)), ("1", ("1", 1))]
)
def test_marks_on_the_scale(typed, expected):
    assert parse_mark(typed, pass_fail=False, policy=POLICY) == expected


@pytest.mark.parametrize("typed", ["0", "6", "55", "-3", "4.5", "five", "", "зач"])
def test_marks_off_the_scale_are_refused(typed):
    with pytest.raises(ValidationError, match="not a mark"):
        parse_mark(typed, pass_fail=False, policy=POLICY)


def test_pass_fail_subjects_take_only_pass_or_fail():
    assert parse_mark("ЗАЧ", pass_fail=True, policy=POLICY) == ("зач", None)
    assert parse_mark("незач", pass_fail=True, policy=POLICY) == ("незач", None)
    with pytest.raises(ValidationError, match="pass/fail"):
        parse_mark("5", pass_fail=True, policy=POLICY)


def test_final_marks_also_take_not_certified_and_exempt():
    assert parse_final_mark("н/а", pass_fail=False, policy=POLICY) == ("н/а", None)
    assert parse_final_mark("осв", pass_fail=True, policy=POLICY) == ("осв", None)
    with pytest.raises(ValidationError):
        parse_mark("н/а", pass_fail=False, policy=POLICY)


def test_a_ten_point_scale():
    ten = policy_from_json({"mark_min": 1, "mark_max": 10})
    assert parse_mark("10", pass_fail=False, policy=ten) == ("10", 10)


def test_policy_overrides_and_defaults():
    policy = policy_from_json({"rounding_threshold": "0.5", "min_marks_by_hours": [[1, 3], [4, 8]]})
    assert policy.rounding_threshold == Fraction(1, 2)
    assert policy.min_marks(5) == 8 and policy.min_marks(1) == 3 and policy.min_marks(0.5) == 3
    assert policy.final_mark_grace_days == 4
    assert Policy().min_marks(2) == 5 and Policy().min_marks(3) == 7 and Policy().min_marks(1) == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"colour": 1}, "Unknown policy setting"),
        ({"mark_min": 5, "mark_max": 1}, "mark scale"),
        ({"rounding_threshold": "2"}, "rounding threshold"),
        ({"mark_max": "many"}, "wrong value"),
    ],
)
def test_bad_policies_are_refused(values, message):
    with pytest.raises(ValidationError, match=message):
        policy_from_json(values)


def test_messages_are_russian_when_the_user_speaks_russian():
    with use_language("ru"), pytest.raises(ValidationError) as error:
        parse_mark("7", pass_fail=False, policy=POLICY)
    assert "не отметка" in str(error.value)


def test_grade_one_is_taught_without_marks_unless_the_school_says_otherwise():
    assert not Policy().marks_expected(1) and Policy().marks_expected(2)
    policy = policy_from_json({"unmarked_grades": [1, 2]})
    assert policy.unmarked_grades == (1, 2) and not policy.marks_expected(2)
    assert policy_from_json(policy.to_json()) == policy
    with pytest.raises(ValidationError):
        policy_from_json({"unmarked_grades": ["first"]})

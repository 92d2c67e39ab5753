"""Weighted averages and suggested final marks, checked by hand and by property."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.services.base.policy import Policy
from node.services.gradebook.grading import (
    display_average,
    round_by_threshold,
    suggest_final,
    suggest_year_final,
    weighted_average,
)

POLICY = Policy()


def test_weighted_average_by_hand():
    # 5 (weight 1) and 4 (weight 2): (5 + 8) / 3 = 13/3
    assert weighted_average([(5, 1), (4, 2)]) == Fraction(13, 3)


def test_weighted_average_skips_pass_fail_marks():
    assert weighted_average([(None, 1), (3, 1), (5, 1)]) == Fraction(4)


def test_weighted_average_of_nothing_is_none():
    assert weighted_average([]) is None
    assert weighted_average([(None, 1), (None, 2)]) is None


def test_fractional_weights_are_exact():
    # 1.5 as a float is exact, 0.1 is not; the average must still be exact
    assert weighted_average([(4, 0.1), (4, 0.2)]) == Fraction(4)
    assert weighted_average([(3, 1.5), (5, 0.5)]) == Fraction(7, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(36, 10), 4),
        (Fraction(359, 100), 3),
        (Fraction(13, 3), 4),  # 4.33… stays 4
        (Fraction(46, 10), 5),
        (Fraction(4), 4),
        (Fraction(459999, 100000), 4),  # just under the threshold
    ],
)
def test_round_by_threshold_at_six_tenths(value, expected):
    assert round_by_threshold(value, Fraction(6, 10)) == expected


def test_round_by_other_threshold():
    assert round_by_threshold(Fraction(35, 10), Fraction(1, 2)) == 4
    assert round_by_threshold(Fraction(349, 100), Fraction(1, 2)) == 3


def test_suggest_final_by_hand():
    assert suggest_final([(5, 1), (4, 2)], POLICY) == 4
    # 3 and 4 with weights 2 and 3: 18/5 = 3.6 → 4 at the default threshold
    assert suggest_final([(3, 2), (4, 3)], POLICY) == 4
    # 3 and 4 with weights 41 and 59: 359/100 = 3.59 → 3
    assert suggest_final([(3, 41), (4, 59)], POLICY) == 3
    # the work-type weights of the small school (1, 2, 1.5)
    assert suggest_final([(5, 1.0), (3, 2.0), (4, 1.5)], POLICY) == 4  # 17/4.5 = 3.78


def test_suggest_final_only_pass_fail_is_none():
    assert suggest_final([(None, 1), (None, 2)], POLICY) is None
    assert suggest_final([], POLICY) is None


def test_suggest_final_clamps_to_the_scale():
    narrow = Policy(mark_min=2, mark_max=4)
    assert suggest_final([(5, 1), (5, 1)], narrow) == 4
    assert suggest_final([(1, 1)], narrow) == 2
    # marks outside the scale (e.g. kept from before the school narrowed it) are clamped too
    assert suggest_final([(7, 1)], POLICY) == 5


def test_suggest_year_final_is_the_plain_average():
    # quarters 4, 5, 4, 5: 4.5 → 4 at .6; н/а and осв (None) are skipped
    assert suggest_year_final([4, 5, 4, 5], POLICY) == 4
    assert suggest_year_final([4, 5, 5, None], POLICY) == 5  # 4.67 → 5
    assert suggest_year_final([None, None], POLICY) is None


def test_display_average():
    assert display_average(Fraction(13, 3)) == "4.33"
    assert display_average(None) == ""


marks_strategy = st.lists(
    st.tuples(
        st.integers(min_value=POLICY.mark_min, max_value=POLICY.mark_max),
        st.sampled_from([0.5, 1, 1.0, 1.5, 2, 2.5, 3, Fraction(1, 3)]),
    ),
    min_size=1,
    max_size=40,
)


@given(marks_strategy)
def test_suggestion_lies_between_the_marks_and_on_the_scale(marks):
    suggestion = suggest_final(marks, POLICY)
    points = [p for p, _w in marks]
    assert suggestion is not None
    assert min(points) <= suggestion <= max(points)
    assert POLICY.mark_min <= suggestion <= POLICY.mark_max


@given(marks_strategy, st.lists(st.sampled_from([1, 2]), max_size=5))
def test_pass_fail_marks_do_not_move_the_suggestion(marks, pass_fail_weights):
    with_pass_fail = marks + [(None, w) for w in pass_fail_weights]
    assert suggest_final(with_pass_fail, POLICY) == suggest_final(marks, POLICY)


@given(
    st.integers(min_value=POLICY.mark_min, max_value=POLICY.mark_max),
    st.lists(st.sampled_from([0.1, 0.5, 1, 1.5, 2, 3]), min_size=1, max_size=30),
)
def test_average_of_equal_marks_is_that_mark(mark, weights):
    marks = [(mark, w) for w in weights]
    assert weighted_average(marks) == mark
    assert suggest_final(marks, POLICY) == mark

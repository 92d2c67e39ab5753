"""The acting user behind every service call."""

from __future__ import annotations

import pytest

from node.errors import Forbidden
from node.services.base.actor import Actor


def test_an_actor_carries_the_users_roles(school):
    actor = Actor.from_user(school.teacher)
    assert actor.roles == frozenset({"teacher", "class_teacher"})
    assert actor.user_id == school.teacher.id and not actor.system


def test_a_disabled_account_cannot_act(school):
    school.teacher.status = "disabled"
    school.teacher.save()
    with pytest.raises(Forbidden, match="disabled"):
        Actor.from_user(school.teacher)

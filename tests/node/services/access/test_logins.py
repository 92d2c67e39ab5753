"""Logins: an account is found by its login however it is typed."""

from __future__ import annotations

import pytest

from node.errors import NotFound
from node.services.access.logins import find_user


def test_accounts_module_exposes_a_find_by_login(school):
    assert find_user(" IVANOVA ").id == school.teacher.id
    with pytest.raises(NotFound, match="«ghost»"):
        find_user("ghost")

"""Access codes after a set-up: a class's students and parents, and the staff [R 3.2]."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import User
from node.render.slips import slips_writer
from node.services.base.actor import Actor
from node.services.setup.codes import class_slips, find_class, staff_slips


def test_a_class_is_found_by_its_label_however_typed(school):
    for label in ("7А", "7 а", " 7а ", "7A", "7-А"):
        assert find_class(label).id == school.class_7a.id
    with pytest.raises(NotFound, match="no class 9В in 2026/2027; the classes are: 7А, 8Б"):
        find_class("9В")
    with pytest.raises(ValidationError, match="is not a class"):
        find_class("седьмой")


def test_the_class_teacher_prints_slips_for_students_and_parents(school, tmp_path: Path):
    out = tmp_path / "slips.html"
    issued = class_slips(school.actor(school.teacher), "7А", slips_writer(out))
    names = [code.name for code in issued]
    # student1 and parent1 already have accounts in use; the four others and no parent do
    assert "Смирнов Артём" not in names and "Смирнова Елена Викторовна" not in names
    assert len(names) == 4
    page = out.read_text(encoding="utf-8")
    assert all(code.code in page for code in issued)
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_only_parents_and_the_node_acting_for_the_sysadmin(school, tmp_path: Path):
    out = tmp_path / "slips.html"
    User.update(status="pending").where(User.id == school.other_parent.id).execute()
    issued = class_slips(Actor.for_system(), "8Б", slips_writer(out), with_students=False)
    assert [code.name for code in issued] == ["Кузнецов Андрей Олегович"]


def test_another_teacher_may_not_and_nothing_is_written(school, tmp_path: Path):
    out = tmp_path / "slips.html"
    with pytest.raises(Forbidden):
        class_slips(school.actor(school.pe_teacher), "7А", slips_writer(out))
    assert not out.exists()


def test_staff_slips_for_every_account_not_yet_in_use(school, tmp_path: Path):
    pending = ("petrov", "sokolov")
    User.update(status="pending").where(User.login.in_(pending)).execute()
    out = tmp_path / "staff.html"
    issued = staff_slips(school.actor(school.sysadmin), slips_writer(out))
    assert sorted(code.login for code in issued) == sorted(pending)
    with pytest.raises(Forbidden):
        staff_slips(school.actor(school.director), slips_writer(tmp_path / "other.html"))
    User.update(status="active").where(User.login.in_(pending)).execute()
    with pytest.raises(ValidationError, match="nobody needs a new code"):
        staff_slips(school.actor(school.sysadmin), slips_writer(tmp_path / "none.html"))
    with pytest.raises(ValidationError, match="does not exist"):
        slips_writer(tmp_path / "no" / "such.html")

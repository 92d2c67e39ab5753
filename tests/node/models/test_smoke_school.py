from __future__ import annotations

from node.models import Lesson, Student


def test_small_school_builds(school):
    assert Student.select().count() == 8
    assert Lesson.select().count() == 6
    assert [s.id for s in school.english_g1.students()] == [
        s.id
        for s in Student.in_class(school.class_7a).where(
            Student.id.in_([x.id for x in school.students[:3]])
        )
    ]

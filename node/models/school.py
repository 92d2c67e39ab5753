"""The school, its policies, academic years, periods, holidays and bells."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee as pw

from node.models.base import Reach, SyncModel

PERIOD_SCHEMES = ("quarters", "halves", "year")
#: A rolled-over year is a "draft" until the director confirms it; a closed year is archived.
YEAR_STATUSES = ("draft", "active", "closed")


class School(SyncModel):
    """The one school this node serves; ``policy`` holds JSON overrides of the defaults."""

    reach = Reach.SCHOOL

    name = pw.TextField()
    timezone = pw.TextField(default="Europe/Moscow")
    locale = pw.TextField(default="ru")
    policy = pw.TextField(default="{}")

    def policy_values(self) -> dict[str, Any]:
        return json.loads(self.policy or "{}")

    @classmethod
    def current(cls) -> School | None:
        return cls.select().order_by(cls.id).first()


class AcademicYear(SyncModel):
    reach = Reach.SCHOOL

    name = pw.TextField(unique=True)
    start = pw.DateField()
    end = pw.DateField()
    status = pw.TextField(default="active")

    @classmethod
    def active(cls) -> AcademicYear | None:
        return cls.select().where(cls.status == "active").order_by(cls.start.desc()).first()

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Period(SyncModel):
    """A reporting period: a quarter, a half-year or the whole year, within one scheme."""

    reach = Reach.SCHOOL

    year = pw.ForeignKeyField(AcademicYear, backref="periods", on_delete="CASCADE", index=False)
    scheme = pw.TextField()
    number = pw.IntegerField()
    name = pw.TextField()
    start = pw.DateField()
    end = pw.DateField()

    class Meta:
        indexes = ((("year", "scheme", "number"), True),)

    @property
    def is_year(self) -> bool:
        return self.scheme == "year"

    @classmethod
    def of_scheme(cls, year: AcademicYear, scheme: str) -> pw.ModelSelect:
        return cls.select().where(cls.year == year, cls.scheme == scheme).order_by(cls.number)

    @classmethod
    def containing(cls, year: AcademicYear, scheme: str, day: dt.date) -> Period | None:
        return cls.of_scheme(year, scheme).where(cls.start <= day, cls.end >= day).first()


class Holiday(SyncModel):
    """Days without lessons (school holidays and public holidays), inclusive."""

    reach = Reach.SCHOOL

    year = pw.ForeignKeyField(AcademicYear, backref="holidays", on_delete="CASCADE")
    name = pw.TextField()
    start = pw.DateField()
    end = pw.DateField()

    @classmethod
    def on(cls, day: dt.date) -> Holiday | None:
        return cls.select().where(cls.start <= day, cls.end >= day).first()


class Bell(SyncModel):
    """The bell schedule: when lesson number ``number`` starts and ends."""

    reach = Reach.SCHOOL

    number = pw.IntegerField(unique=True)
    starts = pw.TextField()
    ends = pw.TextField()

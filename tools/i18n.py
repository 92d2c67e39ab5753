"""Keep the gettext catalogs in step with the code.

    python tools/i18n.py          extract strings, update ru/en catalogs, compile .mo files
    python tools/i18n.py --check  exit 1 if a catalog is stale or a Russian translation is missing

Strings are found in calls of ``_``, ``gettext``, ``ngettext``, ``pgettext``, ``N_`` and ``NP_``
(Python files) across node/, tui/, sync/ and backup/, and in ``{% trans %}``-free Jinja
templates through the same ``_()`` calls.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "node" / "locale"
DOMAIN = "ediary"
PACKAGES = ("node", "tui", "sync", "backup")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "NP_": ((1, "c"), 2),
}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extract() -> Catalog:
    template = Catalog(project="ediary", domain=DOMAIN)
    for package in PACKAGES:
        directory = ROOT / package
        if not directory.exists():
            continue
        method_map = [m for m in METHOD_MAP if m[1] == "python" or _has_jinja()]
        for filename, lineno, message, comments, context in extract_from_dir(
            directory, method_map=method_map, keywords=KEYWORDS
        ):
            template.add(
                message,
                None,
                [(f"{package}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def _has_jinja() -> bool:
    try:
        import jinja2.ext  # noqa: F401
    except ImportError:
        return False
    return True


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(language: str, template: Catalog) -> Catalog:
    path = _po_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.fuzzy = False
    catalog.project = "ediary"
    catalog.copyright_holder = "the ediary developers"
    catalog.msgid_bugs_address = "the project's issue tracker"
    catalog.last_translator = "the ediary developers"
    catalog.language_team = {"ru": "Russian", "en": "English"}[language]
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        omit_header=False,
        sort_output=True,
        ignore_obsolete=True,
        include_lineno=False,
    )
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def missing_translations(catalog: Catalog) -> list[str]:
    return [
        str(m.id)
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    template = extract()
    problems: list[str] = []
    for language in ("ru", "en"):
        catalog = _load(language, template)
        catalog.revision_date = catalog.creation_date  # keep files stable between runs
        po, mo = _po_bytes(catalog), _mo_bytes(catalog)
        po_path = _po_path(language)
        mo_path = po_path.with_suffix(".mo")
        if language == "ru":
            problems += [f"ru: no translation for {m!r}" for m in missing_translations(catalog)]
        if args.check:
            if not po_path.exists() or _strip_dates(po_path.read_bytes()) != _strip_dates(po):
                problems.append(f"{po_path.relative_to(ROOT)} is not up to date with the code")
            if not mo_path.exists() or mo_path.read_bytes() != mo:
                problems.append(f"{mo_path.relative_to(ROOT)} is not compiled from its .po")
        else:
            po_path.parent.mkdir(parents=True, exist_ok=True)
            po_path.write_bytes(po)
            mo_path.write_bytes(mo)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and args.check:
        print(
            "run: python tools/i18n.py, then translate what is missing in the .po files",
            file=sys.stderr,
        )
    return 1 if problems and args.check else 0


def _strip_dates(data: bytes) -> bytes:
    return b"\n".join(
        line
        for line in data.splitlines()
        if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))
    )


if __name__ == "__main__":
    sys.exit(main())

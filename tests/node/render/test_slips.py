"""Printable access-code slips: one page per batch, one slip per person, everything escaped."""

from __future__ import annotations

import datetime as dt
import re

from aiohttp import web

from node.i18n import use_language
from node.models import Meta
from node.render.slips import render_slips, write_slips
from node.services.access.codes import IssuedCode
from node.services.access.slips import ACTIVATION_PATH, WEB_ADDRESS_KEY
from node.web.routes import setup_routes

EXPIRES = dt.datetime(2026, 12, 9, 12, 0)


def code(login: str, name: str) -> IssuedCode:
    return IssuedCode("id-" + login, login, name, "ACDE-FGHJ-KMNP", EXPIRES)


def test_one_slip_per_person_with_what_they_need(school):
    page = render_slips(
        [code("ivanova", "Иванова Мария"), code("petrov", "Петров Олег")],
        school_name="Школа № 1",
        address="http://school1.local:8080/",
    )
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    assert page.count('<section class="slip">') == 2
    for text in ("Иванова Мария", "ivanova", "ACDE-FGHJ-KMNP", "09.12.2026", "school1.local"):
        assert text in page
    assert "size: A4" in page and "page-break-inside: avoid" in page and "dashed" in page


def test_everything_is_escaped(school):
    page = render_slips(
        [code("x", '<script>alert("пароль")</script>')],
        school_name="Школа <b>1</b> & Co",
        address='http://a/"><img src=x onerror=1>',
    )
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&amp; Co" in page


def test_slips_speak_the_language(school):
    with use_language("ru"):
        page = render_slips([code("x", "Икс Игрек")], school_name="Ш", address="http://a/")
    assert 'lang="ru"' in page
    assert re.search(r"<dt>[^<]+</dt><dd>x</dd>", page)


def test_slips_point_only_to_the_web_pages_activation_address(school, tmp_path):
    """Parents and students have no shell; staff choose there the password they use in the
    terminal program too: every slip names the web page's activation form, nothing else."""
    Meta.set_value(WEB_ADDRESS_KEY, "http://school1.local:8080/")
    for language in ("ru", "en"):
        path = tmp_path / f"slips-{language}.html"
        with use_language(language):
            write_slips(path, [code("ivanova", "Иванова Мария")])
        page = path.read_text(encoding="utf-8")
        assert "http://school1.local:8080/activate" in page
        assert "ediary activate" not in page
    app = web.Application()
    setup_routes(app, tmp_path)
    served = {route.resource.canonical for route in app.router.routes() if route.method == "GET"}
    assert ACTIVATION_PATH in served

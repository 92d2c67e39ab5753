"""The year archive's journals print like a paper journal: so many dates per grid, the names
repeated on each, every date on the page. Checked in headless Chromium at 1200 px (Debian's
chromium and chromium-driver, as tests/web/test_browser.py) on the S demo's archive [issue 18].

Screenshots are kept in the test's folder; set EDIARY_SCREENSHOTS=<folder> to keep a copy."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from node.config import load_config
from node.i18n import use_language
from node.render.archive import COLUMNS_PER_PAGE
from node.services.demo import build_demo
from tests.backup.test_archive import write_archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1200, 1400

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or not Path(CHROMEDRIVER).is_file(),
    reason="needs Debian's chromium and chromium-driver",
)

#: Every date header and cell of every marks grid, and how far right the page reaches.
MEASURE = """
const right = el => el.getBoundingClientRect().right;
const grids = [...document.querySelectorAll('table.grid')];
return {
  width: document.documentElement.clientWidth,
  right: Math.max(0, ...grids.map(right)),
  dates: grids.map(g => g.querySelectorAll('thead th:not(.final)').length - 2),
  names: grids.map(g => g.querySelectorAll('tbody td.name').length),
  lessons: document.querySelectorAll('table.wide tbody tr').length,
  cancelled: document.querySelectorAll('table.wide tbody .muted').length,
  finals: document.querySelectorAll('table.grid thead th.final').length,
};
"""


@pytest.fixture(scope="module")
def journals(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The journal pages of the S demo's year archive (a whole year of one class)."""
    root = tmp_path_factory.mktemp("archive")
    data_dir = root / "demo"
    build_demo(
        data_dir / "ediary.db", size="S", seed=1, today=dt.date(2027, 6, 5), node_id="demo-node"
    )
    with use_language("ru"):
        written = write_archive(load_config(data_dir), root)
    with tarfile.open(written.path) as tar:
        tar.extractall(root / "unpacked", filter="data")
    pages = sorted((root / "unpacked").glob("*/data/classes/*/*.html"))
    return [page for page in pages if page.name != "summary.html"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for switch in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium'}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(switch)
    service = Service(executable_path=CHROMEDRIVER, log_output=os.devnull)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def test_every_date_of_every_journal_is_on_a_1200_px_page(journals, browser, tmp_path):
    assert len(journals) > 10
    for page in journals:
        browser.get(page.as_uri())
        found = browser.execute_script(MEASURE)
        name = f"{page.parent.name}-{page.stem}"
        assert found["right"] <= found["width"], (name, found["right"], found["width"])
        assert all(0 <= dates <= COLUMNS_PER_PAGE for dates in found["dates"]), name
        # every lesson held has its date column, each grid repeats every name
        assert sum(found["dates"]) == found["lessons"] - found["cancelled"], name
        assert len(set(found["names"])) == 1, name
        assert found["finals"] >= 1, name
    browser.get(journals[-1].as_uri())
    browser.save_screenshot(str(tmp_path / "journal-1200px.png"))
    if os.environ.get("EDIARY_SCREENSHOTS"):
        shutil.copy(tmp_path / "journal-1200px.png", os.environ["EDIARY_SCREENSHOTS"])

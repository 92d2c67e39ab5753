"""A parent's first evening, through a real browser: headless Chromium at phone size (360 px),
driven by Selenium through Debian's chromedriver: activation, sign-in, the week, a message from
the class teacher and the reply, each typed key by key and sent with a click.

Selenium is synchronous and the web server runs on the test's event loop, so every browser step
runs in a worker thread (``asyncio.to_thread``) while the loop keeps serving the page.

Screenshots are kept in the test's folder; set EDIARY_SCREENSHOTS=<folder> to keep a copy."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from node.models import Guardian, StudentGuardian
from node.services.access.codes import issue_guardian_code
from node.services.base.actor import Actor
from node.services.messaging import mail
from node.web.app import create_app
from tests.web.conftest import WEEK

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Debian's chromium-driver, always the same version as its chromium; Selenium is given its
# path so that Selenium Manager never runs (it would try to download one: no internet here).
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
NEW_PASSWORD = "sunny meadow 42"
PHONE_WIDTH, PHONE_HEIGHT = 360, 740
#: How long a page may take to load before the test fails (seconds); not a speed goal.
PAGE_TIMEOUT = 30

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or not Path(CHROMEDRIVER).is_file(),
    reason="needs Debian's chromium and chromium-driver",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium as a 360 px phone, with a fresh profile and no calls home.

    Without the --disable-* switches Chromium keeps trying to reach Google's services, and on
    this closed network those attempts are refused and slow every page down."""
    options = Options()
    options.binary_location = str(CHROMIUM)
    for switch in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium'}",
        f"--window-size={PHONE_WIDTH},{PHONE_HEIGHT}",
    ):
        options.add_argument(switch)
    options.add_experimental_option(
        "mobileEmulation",
        {"deviceMetrics": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "pixelRatio": 1}},
    )
    service = Service(executable_path=CHROMEDRIVER, log_output=os.devnull)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def _left(old_page: WebElement) -> bool:
    """Whether the browser has left the page ``old_page`` belongs to. Chrome says so with a
    stale reference, or, caught in the middle of the navigation, with «Node with given id does
    not belong to the document» (selenium's staleness_of lets that one through as an error)."""
    try:
        old_page.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc.msg):
            return True
        raise
    return False


class Phone:
    """The browser as a parent uses it: open a page, type into a form, tap its button, look.

    Each method runs the blocking Selenium calls in a worker thread."""

    def __init__(self, driver: WebDriver, base: str, shots: Path) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots

    async def open(self, path: str) -> None:
        await asyncio.to_thread(self.driver.get, self.base + path)  # returns once loaded

    async def type_and_send(self, form: str, **fields: str) -> None:
        """Type into the named fields of the form matching ``form`` and tap its button."""
        await asyncio.to_thread(self._type_and_send, form, fields)

    def _type_and_send(self, form: str, fields: dict[str, str]) -> None:
        found = self.driver.find_element(By.CSS_SELECTOR, form)
        for name, value in fields.items():
            field = found.find_element(By.NAME, name)
            field.clear()  # the sign-in form arrives with the login filled in
            field.send_keys(value)
            assert field.get_property("value") == value, name
        old_page = self.driver.find_element(By.TAG_NAME, "html")
        found.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait = WebDriverWait(self.driver, PAGE_TIMEOUT)
        wait.until(lambda _driver: _left(old_page))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    async def look(self, name: str) -> str:
        """A screenshot of the whole page, and the page; nothing may be wider than the phone."""
        return await asyncio.to_thread(self._look, name)

    def _look(self, name: str) -> str:
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, (name, width)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": PHONE_WIDTH,
                    "height": min(int(height), 4000),
                    "scale": 1,
                },
            },
        )
        picture = base64.b64decode(shot["data"])
        (self.shots / f"{name}.png").write_bytes(picture)
        if os.environ.get("EDIARY_SCREENSHOTS"):  # to look at them: a folder to keep them in
            Path(os.environ["EDIARY_SCREENSHOTS"], f"{name}.png").write_bytes(picture)
        return self.driver.page_source


async def test_activate_sign_in_read_the_week_and_reply_on_a_phone(
    aiohttp_server, web_school, tmp_path, browser
):
    server = await aiohttp_server(create_app(tmp_path / "ediary.db"), host="127.0.0.1")
    teacher = Actor.from_user(web_school.teacher)
    child = web_school.students[0]
    issued = issue_guardian_code(teacher, child.id, _second_guardian(web_school))
    phone = Phone(browser, f"http://127.0.0.1:{server.port}", tmp_path)

    await phone.open("/lang/ru?next=/activate")
    page = await phone.look("1-activate")
    assert "Активация" in page
    await phone.type_and_send(
        "form[action='/activate']",
        login=issued.login,
        code=issued.code,
        password=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    page = await phone.look("2-activated")
    assert 'action="/signin"' in page  # active: the sign-in form, with a notice

    await phone.type_and_send("form[action='/signin']", login=issued.login, password=NEW_PASSWORD)
    await phone.open(f"/s/{child.id}/week?start={WEEK}")
    page = await phone.look("3-week")
    assert "Математика" in page and "№ 12" in page
    assert "&lt;script&gt;" in page  # the stored payload is text, not a script

    sent = mail.send_message(
        teacher,
        [mail.Recipient(mail.STUDENT_PARENTS, child.id)],
        "Родительское собрание",
        "Собрание в четверг в 18:00, кабинет 12.",
    )
    await phone.open("/messages")
    page = await phone.look("4-inbox")
    assert "Родительское собрание" in page and 'class="badge"' in page
    await phone.open(f"/messages/{sent.thread_id}")
    await phone.type_and_send("form[action$='/reply']", body="Спасибо, придём. <b>Анна</b>")
    page = await phone.look("5-replied")
    assert "Спасибо, придём. &lt;b&gt;Анна&lt;/b&gt;" in page
    await phone.open("/messages/new")
    await phone.look("6-write")

    replies = mail.open_thread(teacher, sent.thread_id).messages
    assert [m.body for m in replies][-1] == "Спасибо, придём. <b>Анна</b>"


def _second_guardian(school) -> str:
    guardian = Guardian.create(last_name="Смирнова", first_name="Анна")
    StudentGuardian.create(student=school.students[0], guardian=guardian, relation="mother")
    return guardian.id

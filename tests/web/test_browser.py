"""A parent's first evening, through a real browser: headless Chromium at phone size (360 px),
driven over its DevTools protocol with aiohttp's own websocket client (no extra dependency):
activation, sign-in, the week, a message from the class teacher and the reply.

Screenshots are kept in the test's folder; set EDIARY_SCREENSHOTS=<folder> to keep a copy."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from node.models import Guardian, StudentGuardian
from node.services import accounts, mail
from node.services.actor import Actor
from node.web.app import create_app
from tests.web.conftest import WEEK

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEW_PASSWORD = "sunny meadow 42"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")


class DevTools:
    """The few DevTools calls the test needs, over one flattened page session."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.session: str | None = None

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        await self.ws.send_str(json.dumps(message))
        return await self.wait(lambda m: m.get("id") == number)

    async def wait(self, match: Any) -> dict[str, Any]:
        async with asyncio.timeout(30):
            while True:
                reply = json.loads((await self.ws.receive()).data)
                if match(reply):
                    if "error" in reply:
                        raise AssertionError(reply["error"])
                    return reply


async def _devtools_url(profile: Path) -> str:
    port_file = profile / "DevToolsActivePort"
    async with asyncio.timeout(30):
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            await asyncio.sleep(0.1)
    port, path = port_file.read_text().splitlines()[:2]
    return f"ws://127.0.0.1:{port}{path}"


class Phone:
    """A 360 px wide page in headless Chromium: open, fill, submit, look, take a picture."""

    def __init__(self, tools: DevTools, base: str, shots: Path) -> None:
        self.tools = tools
        self.base = base
        self.shots = shots

    async def value(self, expression: str) -> Any:
        reply = await self.tools.call("Runtime.evaluate", expression=expression)
        return reply["result"]["result"].get("value")

    async def _loaded(self, action: Any) -> None:
        await action()
        await self.tools.wait(lambda m: m.get("method") == "Page.loadEventFired")

    async def open(self, path: str) -> None:
        await self._loaded(lambda: self.tools.call("Page.navigate", url=self.base + path))

    async def submit(self, form: str, **fields: str) -> None:
        """Type into the named fields of the form matching ``form`` and send it."""
        typing = "".join(
            f"f.elements[{json.dumps(name)}].value = {json.dumps(value)};"
            for name, value in fields.items()
        )
        script = f"(() => {{ const f = document.querySelector({json.dumps(form)}); "
        script += f"{typing} f.submit(); }})()"
        await self._loaded(lambda: self.value(script))

    async def html(self) -> str:
        return str(await self.value("document.documentElement.outerHTML"))

    async def look(self, name: str) -> str:
        """A screenshot of the whole page, and the page; nothing may be wider than the phone."""
        width = await self.value("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)
        height = await self.value("document.documentElement.scrollHeight")
        shot = await self.tools.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 360, "height": min(int(height), 4000), "scale": 1},
        )
        picture = base64.b64decode(shot["result"]["data"])
        (self.shots / f"{name}.png").write_bytes(picture)
        if os.environ.get("EDIARY_SCREENSHOTS"):  # to look at them: a folder to keep them in
            Path(os.environ["EDIARY_SCREENSHOTS"], f"{name}.png").write_bytes(picture)
        return await self.html()


async def _chromium(profile: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_activate_sign_in_read_the_week_and_reply_on_a_phone(
    aiohttp_server, web_school, tmp_path
):
    server = await aiohttp_server(create_app(tmp_path / "ediary.db"), host="127.0.0.1")
    teacher = Actor.from_user(web_school.teacher)
    child = web_school.students[0]
    issued = accounts.issue_guardian_code(teacher, child.id, _second_guardian(web_school))
    profile = tmp_path / "chromium"
    browser = await _chromium(profile)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(await _devtools_url(profile), max_msg_size=0) as ws:
                tools = DevTools(ws)
                target = await tools.call("Target.createTarget", url="about:blank")
                attached = await tools.call(
                    "Target.attachToTarget", targetId=target["result"]["targetId"], flatten=True
                )
                tools.session = attached["result"]["sessionId"]
                await tools.call("Page.enable")
                await tools.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=360,
                    height=740,
                    deviceScaleFactor=1,
                    mobile=True,
                )
                phone = Phone(tools, f"http://127.0.0.1:{server.port}", tmp_path)

                await phone.open("/lang/ru?next=/activate")
                page = await phone.look("1-activate")
                assert "Активация" in page
                await phone.submit(
                    "form[action='/activate']",
                    login=issued.login,
                    code=issued.code,
                    password=NEW_PASSWORD,
                    password2=NEW_PASSWORD,
                )
                page = await phone.look("2-activated")
                assert 'action="/signin"' in page  # active: the sign-in form, with a notice

                await phone.submit(
                    "form[action='/signin']", login=issued.login, password=NEW_PASSWORD
                )
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
                await phone.submit("form[action$='/reply']", body="Спасибо, придём. <b>Анна</b>")
                page = await phone.look("5-replied")
                assert "Спасибо, придём. &lt;b&gt;Анна&lt;/b&gt;" in page
                await phone.open("/messages/new")
                await phone.look("6-write")
    finally:
        browser.terminate()
        await browser.wait()
    replies = mail.open_thread(teacher, sent.thread_id).messages
    assert [m.body for m in replies][-1] == "Спасибо, придём. <b>Анна</b>"


def _second_guardian(school) -> str:
    guardian = Guardian.create(last_name="Смирнова", first_name="Анна")
    StudentGuardian.create(student=school.students[0], guardian=guardian, relation="mother")
    return guardian.id

"""One look through a real browser: headless Chromium at phone size, driven over its
DevTools protocol with aiohttp's own websocket client (no extra dependency)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from node.services import auth
from node.web.app import create_app
from tests.web.conftest import PASSWORD, WEEK

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

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


async def test_week_page_at_phone_size(aiohttp_server, web_school, tmp_path):
    server = await aiohttp_server(create_app(tmp_path / "ediary.db"), host="127.0.0.1")
    token = auth.sign_in("parent1", PASSWORD, client="test").token
    profile = tmp_path / "chromium"
    browser = await asyncio.create_subprocess_exec(
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{server.port}/s/{web_school.students[0].id}/week?start={WEEK}"
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
                    height=800,
                    deviceScaleFactor=1,
                    mobile=True,
                )
                await tools.call(
                    "Network.setCookie",
                    name="ediary_session",
                    value=token,
                    url=f"http://127.0.0.1:{server.port}/",
                    httpOnly=True,
                )
                await tools.call("Page.navigate", url=url)
                await tools.wait(lambda m: m.get("method") == "Page.loadEventFired")
                html = await tools.call(
                    "Runtime.evaluate", expression="document.documentElement.outerHTML"
                )
                width = await tools.call(
                    "Runtime.evaluate", expression="document.documentElement.scrollWidth"
                )
                shot = await tools.call("Page.captureScreenshot", format="png")
    finally:
        browser.terminate()
        await browser.wait()
    (tmp_path / "week.png").write_bytes(base64.b64decode(shot["result"]["data"]))
    page = html["result"]["result"]["value"]
    assert "Математика" in page
    assert "&lt;script&gt;" in page  # the stored payload is text, not a script
    assert width["result"]["result"]["value"] <= 360  # nothing wider than the phone

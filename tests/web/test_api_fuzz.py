"""The JSON API under generated requests: its OpenAPI document (node/web/openapi.json) drives
schemathesis, which makes valid and invalid requests for every operation; they go to the real
app, served by the real runner on 127.0.0.1, signed in as a parent. No answer may be a 5xx,
and every answer must be one the document describes (status, content type, body schema).

Deterministic (``derandomize``: the same requests on every run, no example database) and
bounded (``EXAMPLES`` per operation and generation mode), so it runs in CI in seconds.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from node.services.access import auth
from node.web.api import OPENAPI
from node.web.app import create_app, make_runner
from tests.web.conftest import PASSWORD

#: Generated requests per operation and mode: enough to walk every parameter's edges.
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@pytest.fixture
def live_api(web_school, tmp_path) -> Iterator[tuple[str, str]]:
    """The app on a loopback port, in its own thread and event loop (with this test's pinned
    clock), and a parent's session token."""
    ready: dict[str, object] = {}
    started = threading.Event()
    loop = asyncio.new_event_loop()

    async def start() -> web.AppRunner:
        runner = make_runner(create_app(tmp_path / "ediary.db"), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner

    def serve() -> None:
        asyncio.set_event_loop(loop)
        ready["runner"] = loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(serve,), daemon=True)
    thread.start()
    assert started.wait(timeout=60), "the app did not start"
    runner = ready["runner"]
    assert isinstance(runner, web.AppRunner)
    port = runner.addresses[0][1]
    token = auth.sign_in("parent1", PASSWORD, client="web").token
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=60)
        loop.close()


def test_generated_requests_get_no_5xx_and_documented_answers(live_api):
    base_url, token = live_api
    schema = schemathesis.openapi.from_path(OPENAPI)
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        takes_input = bool(list(operation.iter_parameters())) or bool(operation.body)
        for mode in MODES if takes_input else MODES[:1]:  # nothing to get wrong otherwise

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                response = case.call(base_url=base_url, session=session, headers=headers)
                assert response.status_code < 500, (case.method, case.path, response.text)
                case.validate_response(response, checks=CHECKS)

            check()

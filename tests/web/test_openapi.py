"""The OpenAPI file describes exactly the routes under /api/v1/ (and is served there)."""

from __future__ import annotations

import json
import re

from node.web.api import OPENAPI
from node.web.app import create_app

METHODS = {"get", "post", "put", "patch", "delete"}


def _spec() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


def test_every_api_route_is_documented_and_nothing_else(tmp_path):
    app = create_app(tmp_path / "unused.db")
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/")
        and route.method != "HEAD"
    }
    spec = _spec()
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }
    assert served == documented
    assert spec["openapi"].startswith("3.")


def test_every_reference_resolves_and_path_parameters_are_declared():
    spec = _spec()
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node = spec
        for part in ref.split("/"):
            node = node[part]  # a KeyError names the broken reference
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            assert "responses" in operation and operation.get("summary"), (method, path)


async def test_the_file_is_served(aiohttp_client, school, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "ediary.db"))
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    assert (await response.json())["info"]["title"]

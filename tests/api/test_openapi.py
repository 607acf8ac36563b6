"""The OpenAPI document the service serves describes every route it has, and only those."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from bot.api import TicketsApi
from bot.store.db import Sessions
from tests.api.helpers import Api


async def test_every_route_is_documented_with_its_methods(api: Api, store: Sessions) -> None:
    status, document, _ = await api.call("GET", "/api/v1/openapi.json", None)  # no token needed
    assert status == 200 and document["openapi"] == "3.1.0"
    served = {
        (route.path, route.method.lower())
        for route in TicketsApi(
            store, domain="guichet.example", now=lambda: datetime.now(UTC)
        ).routes()
    }
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert documented == served
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path
        for method, operation in item.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            assert "401" in operation["responses"], (path, method)


async def test_every_reference_resolves(api: Api) -> None:
    _, document, _ = await api.call("GET", "/api/v1/openapi.json", None)
    refs = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(document))
    assert refs
    for ref in refs:
        node: Any = document
        for part in ref.split("/"):
            node = node[part]
        assert isinstance(node, dict), ref

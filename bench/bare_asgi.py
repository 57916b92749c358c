"""The ceiling: a bare ASGI app replaying, byte for byte, responses recorded from our server.

BENCH_RESPONSES names a JSON file: a list of {"target", "if_none_match", "status", "headers",
"body_b64"}. A request is answered by the entry with its path and query and its If-None-Match
header (or none); anything else is a plain 404.
"""

import base64
import json
import os
from typing import Any

Key = tuple[str, str]


def _load(path: str) -> dict[Key, tuple[dict[str, Any], bytes]]:
    with open(path, encoding="utf-8") as fh:
        entries = json.load(fh)
    table: dict[Key, tuple[dict[str, Any], bytes]] = {}
    for e in entries:
        start = {
            "type": "http.response.start",
            "status": e["status"],
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in e["headers"]],
        }
        table[(e["target"], e["if_none_match"] or "")] = (start, base64.b64decode(e["body_b64"]))
    return table


RESPONSES = _load(os.environ["BENCH_RESPONSES"])
NOT_FOUND = (
    {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]},
    b"",
)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Look the request up and send the recorded bytes."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    target = scope["path"]
    if scope["query_string"]:
        target += "?" + scope["query_string"].decode("latin-1")
    inm = ""
    for k, v in scope["headers"]:
        if k == b"if-none-match":
            inm = v.decode("latin-1")
            break
    start, body = RESPONSES.get((target, inm), NOT_FOUND)
    await send(start)
    await send({"type": "http.response.body", "body": body})

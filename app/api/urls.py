"""Absolute URLs of this API as its clients reach it: scheme, host and path prefix included.

Behind a reverse proxy the scheme comes from `X-Forwarded-Proto` (trusted by uvicorn from the
addresses in `FORWARDED_ALLOW_IPS`), the host from `Host` (the proxy passes it on; the edge has
checked its syntax, app/api/host.py), and the path prefix from the ASGI `root_path`: `ROOT_PATH`
when set, else uvicorn's `--root-path`, put into every request's scope before any layer runs
(`under_prefix`). Every absolute URL the API writes, in headers and in bodies, is built here, so
all of them agree (RFC 3986 §4.3).
"""

from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.types import Scope

PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # RFC 3986 pchar and "/": kept as they are


def under_prefix(scope: Scope, prefix: str) -> Scope:
    """The scope as every layer and the routes read it: `root_path` is `prefix` (the `ROOT_PATH`
    setting) when set, else the server's, without a trailing slash; `path` and `raw_path`
    begin with it, as uvicorn writes them (a server or proxy that leaves it out gets it added,
    never twice: `/facts/v1/metrics` stays, `/v1/metrics` becomes `/facts/v1/metrics`)."""
    root = (prefix or scope.get("root_path", "")).rstrip("/")
    if not root:
        return scope if not scope.get("root_path") else {**scope, "root_path": ""}
    path: str = scope["path"]
    if path == root or path.startswith(root + "/"):
        return scope if scope.get("root_path") == root else {**scope, "root_path": root}
    raw = scope.get("raw_path")
    encoded = quote(root, safe=PATH_SAFE).encode("ascii")
    return {
        **scope,
        "root_path": root,
        "path": root + path,
        "raw_path": None if raw is None else encoded + raw,
    }


def route_path(scope: Scope) -> str:
    """The request's path below the prefix, what the routes match (`/facts/readyz` →
    `/readyz`)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :]
    return path


def base_url(scope: Scope) -> str:
    """`scheme://host[:port]/root_path` of the request, without a trailing slash."""
    scheme = scope.get("scheme", "http")
    host = Headers(scope=scope).get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        name = f"[{server[0]}]" if ":" in server[0] else server[0]  # IPv6: RFC 3986 §3.2.2
        default = 443 if scheme == "https" else 80
        host = name if server[1] in (None, default) else f"{name}:{server[1]}"
    return f"{scheme}://{host}{scope.get('root_path', '').rstrip('/')}"


def absolute(scope: Scope, path: str) -> str:
    """The absolute URL of a path of this API (`/v1/metrics/x` → `https://host/prefix/v1/...`)."""
    return base_url(scope) + path


def request_url(scope: Scope, query: str) -> str:
    """The absolute URL of this request's own path with another query (e.g. a Link target)."""
    path = quote(route_path(scope), safe=PATH_SAFE)
    return absolute(scope, path) + (f"?{query}" if query else "")

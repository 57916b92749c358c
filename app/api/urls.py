"""Absolute URLs of this API as its clients reach it: scheme, host and path prefix included.

Behind a reverse proxy the scheme comes from `X-Forwarded-Proto` (trusted by uvicorn from the
addresses in `FORWARDED_ALLOW_IPS`), the host from `Host` (the proxy passes it on), and the
path prefix from the ASGI `root_path` (`ROOT_PATH`, or uvicorn's `--root-path`). Every URL the
API writes, in headers and in bodies, is built here, so all of them agree (RFC 3986 §4.3).
"""

from starlette.datastructures import Headers
from starlette.types import Scope


def base_url(scope: Scope) -> str:
    """`scheme://host[:port]/root_path` of the request, without a trailing slash."""
    scheme = scope.get("scheme", "http")
    host = Headers(scope=scope).get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        default = 443 if scheme == "https" else 80
        host = server[0] if server[1] in (None, default) else f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{scope.get('root_path', '').rstrip('/')}"


def absolute(scope: Scope, path: str) -> str:
    """The absolute URL of a path of this API (`/v1/metrics/x` → `https://host/prefix/v1/...`)."""
    return base_url(scope) + path

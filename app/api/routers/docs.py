"""The docs pages, with Swagger UI 5 and ReDoc served from the installed package (no CDN)."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.exceptions import HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
TITLE = "Zhuzhou facts API"

# The pages load nothing from elsewhere: ReDoc's bundle would fetch its logo from cdn.redoc.ly,
# and the browser refuses that (and any other off-site load) under this policy. The inline
# script starts Swagger UI; inline styles and blob: workers are how ReDoc draws and searches.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)


SWAGGER_UI_PARAMETERS = {
    "defaultModelsExpandDepth": 0,
    "displayRequestDuration": True,
    "tryItOutEnabled": True,
    "validatorUrl": None,
}


def _page(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _urls(request: Request) -> tuple[str, str]:
    """The OpenAPI document's URL and the assets' folder, behind any path prefix."""
    root = request.scope.get("root_path", "")
    return f"{root}/openapi.json", f"{root}/docs-assets"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for /openapi.json."""
    spec, assets = _urls(request)
    html = get_swagger_ui_html(
        openapi_url=spec,
        title=f"{TITLE} – Swagger UI",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon.png",
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    return _page(html)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc for /openapi.json."""
    spec, assets = _urls(request)
    html = get_redoc_html(
        openapi_url=spec,
        title=f"{TITLE} – ReDoc",
        redoc_js_url=f"{assets}/redoc.standalone.js",
        redoc_favicon_url=f"{assets}/favicon.png",
        with_google_fonts=False,
    )
    return _page(html)


@router.get("/docs-assets/{name}")
def asset(name: str) -> FileResponse:
    """One of the bundled docs assets."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404, f"No docs asset named {name!r}.")
    return FileResponse(ASSETS_DIR / name, media_type=media_type)

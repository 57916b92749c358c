"""nginx in the bench: deploy/'s configuration in front of our server, and nginx serving the same
bytes from files; each one worker, started and pinned like the other servers."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import servers
from scenarios import Fetched, fetch

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO))  # tests/live.py renders deploy/'s template: one renderer, not two
from tests.live import NGINX, render_site  # noqa: E402

# Headers each nginx writes itself: not copied onto the files' responses.
OWN_HEADERS = {
    "date",
    "server",
    "connection",
    "keep-alive",
    "content-length",
    "content-type",  # the file's location sets it
    "transfer-encoding",
    "x-cache-status",  # the deploy configuration's own
    "accept-ranges",
    "last-modified",
}


def available() -> bool:
    """True when an nginx binary is there to start."""
    return Path(NGINX).exists()


def _main_conf(prefix: Path, site: Path) -> Path:
    """nginx.conf for one bench nginx: one worker (pinned like the other servers), no access log,
    temporary files in prefix, and the http{} settings of Debian's stock nginx.conf that touch
    serving (sendfile, tcp_nopush), the context deploy/'s site is written for."""
    # Root's workers would run as nobody, who may not enter the bench's directories.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"  {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n{temp}"
        f"  include {site};\n}}\n",
        encoding="utf-8",
    )
    return conf


def _server(name: str, prefix: Path, site: Path, server: servers.Server) -> servers.Server:
    conf = _main_conf(prefix, site)
    argv = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    check = subprocess.run([*argv, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"{name}: nginx -t failed:\n{check.stderr}")
    server.command = [*argv, "-g", "daemon off;"]
    return server


def _fresh(prefix: Path) -> Path:
    """An empty prefix: no cache or files of an earlier run."""
    if prefix.exists():
        shutil.rmtree(prefix)
    prefix.mkdir(parents=True)
    return prefix


def in_front(name: str, prefix: Path, upstream: int) -> servers.Server:
    """nginx with deploy/nginx/zhuzhou-facts.conf.template, filled, in front of 127.0.0.1:upstream
    (its cache in prefix, empty at start)."""
    server = servers.Server(name, "nginx", {}, _fresh(prefix), ready_path="/livez")
    site = render_site(prefix, server.port, upstream)
    return _server(name, prefix, site, server)


@dataclass
class FileResponse:
    """What the file server sends for one scenario: a recorded response's body and headers."""

    key: str
    recorded: Fetched
    revalidate: bool  # keep nginx's own ETag, so that If-None-Match gets its 304

    @property
    def path(self) -> str:
        return f"/{self.key}"


def _quoted(value: str) -> str:
    if "$" in value:  # nginx would read a variable; none of our headers holds one
        raise ValueError(f"cannot write a header value with $ for nginx: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _location(f: FileResponse, root: Path) -> str:
    body = root / f"{f.key}.body"
    body.write_bytes(f.recorded.body)
    lines = [
        f"    location = {f.path} {{",
        f"        types {{ }} default_type {_quoted(f.recorded.header('content-type') or '')};",
        f"        alias {body};",
        '        add_header Last-Modified "";',  # the API sends none
    ]
    if not f.revalidate:
        lines.append("        etag off;")  # the recorded ETag is sent instead
    for k, v in f.recorded.headers:
        if k.lower() in OWN_HEADERS or (f.revalidate and k.lower() == "etag"):
            continue
        lines.append(f"        add_header {k} {_quoted(v)};")
    return "\n".join([*lines, "    }"])


def from_files(name: str, prefix: Path, responses: list[FileResponse]) -> servers.Server:
    """nginx serving each recorded response's body from a file, with its Content-Type and the
    other headers it had, at /<scenario key>."""
    server = servers.Server(name, "nginx", {}, _fresh(prefix), ready_path="/")
    root = prefix / "root"
    root.mkdir()
    site = prefix / "files.conf"
    blocks = [_location(f, root) for f in responses]
    site.write_text(
        f"server {{\n    listen 127.0.0.1:{server.port};\n    server_tokens off;\n"
        "    max_ranges 0;\n" + "\n".join(blocks) + "\n}\n",
        encoding="utf-8",
    )
    return _server(name, prefix, site, server)


def record_hit(port: int, target: str) -> Fetched:
    """A response the cache in front served itself (X-Cache-Status HIT): request until it is."""
    for _ in range(10):
        f = fetch(port, target)
        if f.status == 200 and f.header("x-cache-status") == "HIT":
            return f
    raise RuntimeError(f"nginx on :{port} never answered {target} from its cache: {f.headers}")

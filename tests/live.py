"""Real servers for the tests: `zhuzhou-facts serve` started as the README starts it, plain
`uvicorn app.main:app` with chosen flags, nginx with the configuration in deploy/, and a static
site on another origin. Only processes started here are ever signalled."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.config import PROJECT_ROOT, Settings

SERVE = [str(Path(sys.executable).with_name("zhuzhou-facts")), "serve"]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "zhuzhou-facts.conf.template"


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any of the app's settings, plus the ones given."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in names and k != "WEB_CONCURRENCY"}
    return {**env, **settings}


@dataclass
class Live:
    """A server process on 127.0.0.1:port, its output in log."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then SIGKILL to its own process group if it does not end in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(5)


def wait_until_answering(live: Live, path: str, timeout: float = 30.0) -> None:
    """Poll path until the server answers it at all (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if live.proc.poll() is not None:
            raise RuntimeError(f"server exited with {live.proc.returncode}:\n{live.output()}")
        try:
            httpx.get(live.base + path, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    live.stop()
    raise RuntimeError(f"server did not answer {path} in {timeout}s:\n{live.output()}")


@contextmanager
def _running(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Live]:
    """A server process, yielded once /livez answers, stopped afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    live = Live(proc, port, log)
    try:
        wait_until_answering(live, "/livez")
        yield live
    finally:
        live.stop()


@contextmanager
def uvicorn_server(database_url: str, *args: str, **env: str) -> Iterator[str]:
    """`uvicorn app.main:app` on a free loopback port with extra flags and settings, on an
    existing database; yields its base URL."""
    port = free_port()
    settings = clean_env(**{"DATABASE_URL": database_url, "AUTO_SEED": "false", **env})
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", *args]
    with (
        tempfile.TemporaryDirectory(prefix="zhuzhou-uvicorn-") as folder,
        _running(command, settings, port, Path(folder) / "uvicorn.log") as live,
    ):
        yield live.base


@contextmanager
def serving(tmp: Path, **settings: str) -> Iterator[Live]:
    """`zhuzhou-facts serve` with the given settings (environment variables) on a free port."""
    port = free_port()
    env = clean_env(HOST="127.0.0.1", PORT=str(port), **settings)
    with _running(SERVE, env, port, tmp / f"serve-{port}.log") as live:
        yield live


def render_site(prefix: Path, listen: int, upstream: int) -> Path:
    """deploy/'s site file with its placeholders filled (the cache in prefix), written into
    prefix; the bench (bench/proxy.py) starts it too."""
    site = SITE_TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "ZF_LISTEN": f"127.0.0.1:{listen}",
        "ZF_UPSTREAM": f"127.0.0.1:{upstream}",
        "ZF_CACHE_DIR": str(prefix / "cache"),
    }.items():
        site = site.replace("${" + name + "}", value)
    path = prefix / "zhuzhou-facts.conf"
    path.write_text(site, encoding="utf-8")
    return path


def nginx_config(prefix: Path, listen: int, upstream: int) -> Path:
    """A main nginx.conf in prefix that includes deploy/'s site, its placeholders filled."""
    site = render_site(prefix, listen, upstream)
    # Root's workers would run as nobody, who cannot enter pytest's private temp directories;
    # anyone else needs every path nginx writes inside the prefix (Debian compiles in
    # /var/lib/nginx/* for the temporary files).
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"  {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = (
        f"{user}worker_processes 2;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} info;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n  access_log {prefix / 'access.log'};\n{temp}"
        f"  include {site};\n}}\n"
    )
    conf = prefix / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


@contextmanager
def proxying(tmp: Path, upstream: int) -> Iterator[Live]:
    """nginx on a free loopback port in front of 127.0.0.1:upstream, in a prefix under tmp."""
    prefix = tmp / f"nginx-{upstream}"
    prefix.mkdir()
    port = free_port()
    conf = nginx_config(prefix, port, upstream)
    command = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    log = prefix / "stderr.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    live = Live(proc, port, prefix / "error.log")
    try:
        wait_until_answering(live, "/livez")
        yield live
    finally:
        live.stop()


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """A folder served by `python -m http.server` on 127.0.0.1: another origin, for a page that
    embeds ours. Yields its base URL once it answers, and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1"]
    command += ["--directory", str(folder), str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"http.server did not answer on {base}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

"""`catalog update` against a real HTTP server on 127.0.0.1 (http.server): a good catalog installs;
a bad one (bad TOML, failed validation, truncated body, 50 MB body, slow server, unsafe tarball)
changes nothing."""

from __future__ import annotations

import io
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gpuadvisor.catalog import update as upd

GOOD = '[provider]\nid = "acme"\nname = "Acme Cloud"\n\n[[offering]]\nname = "ACME-H100"\ngpu = "h100-sxm"\n' \
       'price = { per_hour = 2.5, as_of = "2026-11-01", basis = "list", source = "acme.example/pricing" }\n'
CHEAPER = GOOD.replace("per_hour = 2.5", "per_hour = 2.0")


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        status, body, headers, delay = self.routes.get(self.path, (404, b"no", {}, 0))
        time.sleep(delay)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers and headers.get("X-No-Length") is None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.routes = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def serve(path, body, status=200, headers=None, delay=0.0):
        Handler.routes[path] = (status, body, headers or {}, delay)
        return base + path

    yield serve
    httpd.shutdown()


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    from gpuadvisor import catalog

    catalog._CACHE.clear()
    return tmp_path / "cfg" / "gpuadvisor" / "catalogs"


def tarball(members: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, spec in members.items():
            info = tarfile.TarInfo(name)
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(spec, bytes):
                info.size = len(spec)
                tar.addfile(info, io.BytesIO(spec))
            else:  # ("symlink", target)
                info.type, info.linkname = tarfile.SYMTYPE, spec[1]
                tar.addfile(info)
    return buf.getvalue()


def snapshot(d):
    return {p.name: p.read_bytes() for p in d.iterdir()} if d.exists() else {}


def test_good_catalog_installs_and_is_used(server, user_dir, run):
    url = server("/acme.toml", GOOD.encode())
    data = run.json("catalog", "update", url)
    assert data["files"] == ["acme.toml"] and "acme ACME-H100" in data["added"]
    assert (user_dir / "acme.toml").read_text() == GOOD
    assert [o["name"] for o in run.json("list", "--provider", "acme")] == ["ACME-H100"]


def test_tarball_installs_and_dry_run_shows_price_changes(server, user_dir, run):
    run("catalog", "update", server("/acme.toml", GOOD.encode()))
    url = server("/cat.tar.gz", tarball({"catalogs/acme.toml": CHEAPER.encode(), "catalogs/": b""}))
    data = run.json("catalog", "update", url, "--dry-run")
    assert data["dry_run"] and data["changed"] == ["acme ACME-H100: $2.5/h → $2/h"] and data["replaced"] == ["acme.toml"]
    assert (user_dir / "acme.toml").read_text() == GOOD  # dry run: nothing written
    run("catalog", "update", url)
    assert (user_dir / "acme.toml").read_text() == CHEAPER


@pytest.mark.parametrize("case", ["bad-toml", "invalid", "truncated", "50mb", "50mb-no-length", "slow", "http-404",
                                  "traversal", "symlink", "not-toml-member", "not-https"])
def test_a_bad_update_changes_nothing(server, user_dir, run, monkeypatch, case):
    run("catalog", "update", server("/acme.toml", GOOD.encode()))
    before = snapshot(user_dir)
    big = b"#" * (50 * 1024 * 1024)
    monkeypatch.setattr(upd, "TIMEOUT_S", 0.5)
    url, words = {
        "bad-toml": (server("/bad/acme.toml", b"[provider\nid = 1"), "invalid TOML"),
        "invalid": (server("/inv/acme.toml", GOOD.replace("h100-sxm", "h100-sxmm").encode()), "unknown GPU id 'h100-sxmm'"),
        "truncated": (server("/tr/acme.toml", GOOD.encode()[:40], headers={"Content-Length": str(len(GOOD))}), "nothing changed"),
        "50mb": (server("/big.toml", big), "cap"),
        "50mb-no-length": (server("/big2.toml", big, headers={"X-No-Length": "1", "Connection": "close"}), "cap"),
        "slow": (server("/slow.toml", GOOD.encode(), delay=2.0), "nothing changed"),
        "http-404": (server("/missing.toml", b"", status=404), "HTTP 404"),
        "traversal": (server("/t.tar.gz", tarball({"../acme.toml": GOOD.encode()})), "unsafe member"),
        "symlink": (server("/s.tar.gz", tarball({"acme.toml": ("symlink", "/etc/passwd")})), "nothing changed"),
        "not-toml-member": (server("/n.tar.gz", tarball({"run.sh": b"echo hi"})), "not a .toml file"),
        "not-https": ("http://example.org/acme.toml", "plain http is refused"),
    }[case]
    # the contract: exit 2 for bad input, 1 for a network failure (the request was fine)
    result = run("catalog", "update", url, code=1 if case in ("truncated", "slow") else 2)
    assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(user_dir) == before


def test_no_connection_is_a_network_failure_exit_1(user_dir, run):
    result = run("catalog", "update", "http://127.0.0.1:1/acme.toml", code=1)
    assert "cannot download" in result.stderr and "nothing changed" in result.stderr
    assert not list(user_dir.glob("*.toml"))


def test_default_url_comes_from_the_environment(server, user_dir, run, monkeypatch):
    monkeypatch.setenv("GPUADVISOR_CATALOG_URL", server("/acme.toml", GOOD.encode()))
    run("catalog", "update")
    assert (user_dir / "acme.toml").exists()
    monkeypatch.delenv("GPUADVISOR_CATALOG_URL")
    assert "GPUADVISOR_CATALOG_URL" in run("catalog", "update", code=2).stderr

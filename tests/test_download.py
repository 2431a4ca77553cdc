"""Audit 2026-12-04 N4, N5, N11: downloads follow only checked redirects, end by one deadline, and
print no server-controlled control characters. Real servers on loopback (raw sockets where the
server must misbehave below HTTP)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from gpuadvisor.catalog import download
from gpuadvisor.catalog import update as upd
from gpuadvisor.errors import NetworkError, UsageError


def raw_server(answer):
    """A loopback server that calls answer(conn) for each connection; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def loop():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=_serve, args=(conn, answer), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}", lambda: (stop.set(), sock.close())


def _serve(conn, answer):
    try:
        conn.recv(65536)
        answer(conn)
    except OSError:
        pass
    finally:
        conn.close()


@pytest.fixture
def serve():
    stops = []

    def start(answer):
        base, stop = raw_server(answer)
        stops.append(stop)
        return base

    yield start
    for stop in stops:
        stop()


def redirect_to(location: str):
    return lambda c: c.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())


@pytest.mark.parametrize("target,why", [("http://127.0.0.2:{port}/good.toml", "plain http is refused"),
                                        ("ftp://127.0.0.1:1/x.toml", "not an https:// URL"),
                                        ("file:///etc/passwd", "not an https:// URL")])
def test_n4_redirects_are_checked_like_the_url(serve, user_dir_run, target, why):
    base = serve(redirect_to(target.format(port=1)))
    r = user_dir_run("catalog", "update", base + "/a.toml", code=2)
    assert why in r.stderr and "redirected to" in r.stderr and r.stderr.count("\n") == 1


def test_n4_https_never_redirects_to_http():
    with pytest.raises(UsageError, match="from https to .*downgrade"):
        download.check_url("http://127.0.0.1/x.toml", came_from="https://example.org/a.toml")
    download.check_url("https://mirror.example.org/x.toml", came_from="https://example.org/a.toml")  # allowed


def test_n4_a_redirect_loop_is_one_line(serve, user_dir_run):
    holder = {}
    base = serve(lambda c: redirect_to(holder["base"] + "/loop.toml")(c))
    holder["base"] = base
    r = user_dir_run("catalog", "update", base + "/loop.toml", code=2)
    assert "redirect" in r.stderr and r.stderr.count("\n") == 1


def _drip(conn, length: bool):
    conn.sendall(b"HTTP/1.1 200 OK\r\n" + (b"Content-Length: 600\r\n" if length else b"") + b"\r\n")
    for _ in range(600):
        conn.sendall(b"#")
        time.sleep(0.1)


@pytest.mark.parametrize("length", [True, False])
def test_n5_one_deadline_for_the_whole_transfer(serve, monkeypatch, length):
    base = serve(lambda c: _drip(c, length))
    monkeypatch.setattr(upd, "TIMEOUT_S", 0.5)  # 0.5 s per read, 1.5 s in all; the drip never stalls a read
    start = time.monotonic()
    with pytest.raises(NetworkError, match="longer than 1.5 s"):
        upd.fetch(base + "/drip.toml")
    assert time.monotonic() - start < 5


def test_n5_slow_headers_count_too(serve):
    def slow_headers(conn):
        for ch in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 600:
            conn.sendall(bytes([ch]))
            time.sleep(0.05)

    base = serve(slow_headers)
    with pytest.raises(NetworkError, match="longer than 1 s"):
        download.fetch(base + "/x.toml", cap=1000, timeout=0.5, deadline=1)


ANSI = b"\x1b[2J\x1b]0;TITLE-OWNED\x07\x1b[31mFAKE: update succeeded"


@pytest.mark.parametrize("status_line", [b"HTTP/1.1 404 " + ANSI, b"HTTP/1.1 500 " + ANSI, b"HTTP/1.1 abc\r" + ANSI])
def test_n11_server_text_is_cleaned(serve, user_dir_run, status_line):
    base = serve(lambda c: c.sendall(status_line + b"\r\nContent-Length: 0\r\n\r\n"))
    r = user_dir_run("catalog", "update", base + "/ansi.toml", code=None)
    assert r.exit_code in (1, 2)
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\r" not in r.stderr
    assert r.stderr.count("\n") == 1


def test_clean_drops_controls_and_keeps_text():
    assert download.clean("a\x1b[31mb\nc\x9bd\u2028e") == "a[31mb cde"
    assert len(download.clean("x" * 1000)) == download.MAX_SHOWN


@pytest.fixture
def user_dir_run(tmp_path, monkeypatch, run):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    return run

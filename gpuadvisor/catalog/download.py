"""One bounded HTTPS download (audit 2026-12-04 N4, N5, N11), for `catalog update`,
`catalog import --from-url` and `catalog refresh`.

- Where: https only, except plain http to a loopback host (127.0.0.1, ::1, localhost) for local
  mirrors and tests. Every redirect is checked by the same rule, and an https URL never
  redirects to http (not even to loopback); at most MAX_REDIRECTS of them.
- How long: `timeout` seconds per socket read, and one wall-clock deadline for the whole
  transfer (connection, headers, body; a server that drips one byte a second included). The
  transfer runs in a worker thread; the caller waits for the deadline and then gives up.
- How much: at most `cap` bytes, checked against Content-Length and while reading.
- What is printed: server text (reason phrases, exception text) goes through `clean()`: control
  characters dropped, one line, clipped, so a server cannot move the cursor, recolour or retitle
  the terminal, or add lines to the one-line error.

urllib is imported only when a download runs.
"""

from __future__ import annotations

import threading

from gpuadvisor.errors import NetworkError, UsageError

LOOPBACK = ("127.0.0.1", "::1", "localhost")
MAX_REDIRECTS = 5
MAX_SHOWN = 160


def clean(text: object, limit: int = MAX_SHOWN) -> str:
    """Server-controlled text made safe to print on one line: C0/C1 controls and DEL dropped
    (newlines and tabs become spaces), runs of spaces collapsed, clipped to `limit` characters."""
    out = []
    for ch in str(text):
        o = ord(ch)
        if ch in "\t\n\r\v\f":
            out.append(" ")
        elif o < 0x20 or 0x7F <= o < 0xA0 or o in (0x2028, 0x2029):
            continue
        else:
            out.append(ch)
    shown = " ".join("".join(out).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check_url(url: str, came_from: str | None = None) -> None:
    """UsageError unless `url` may be fetched (and, for a redirect, followed from `came_from`)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    shown = clean(url)
    if came_from is not None and urlsplit(came_from).scheme == "https" and parts.scheme != "https":
        raise UsageError(f"{clean(came_from)}: redirected from https to {shown}; refused (a downgrade); nothing changed")
    via = f"{clean(came_from)}: redirected to {shown}: " if came_from is not None else f"{shown}: "
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return
    if parts.scheme == "http":
        raise UsageError(f"{via}plain http is refused (only https, or http to a loopback host such as 127.0.0.1)"
                         + ("; nothing changed" if came_from else ""))
    raise UsageError(f"{via}not an https:// URL" + ("; nothing changed" if came_from else ""))


def _opener():
    import urllib.request

    class CheckedRedirects(urllib.request.HTTPRedirectHandler):
        """Every hop is checked by check_url before it is followed (urllib alone follows http,
        https and ftp from anywhere to anywhere)."""

        max_redirections = MAX_REDIRECTS
        max_repeats = 2

        def http_error_302(self, req, fp, code, msg, headers):
            from urllib.parse import urljoin

            location = headers.get("location") or headers.get("uri")
            if location:  # checked before urllib's own scheme test, so the message says why
                check_url(urljoin(req.full_url, location), req.full_url)
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    # only the handlers a https download needs: no ftp:, file: or data: handlers at all
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(), CheckedRedirects(),
                    urllib.request.HTTPErrorProcessor(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.UnknownHandler()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, cap: int, timeout: float, deadline: float | None = None, progress=None) -> bytes:
    """The body at `url`: at most `cap` bytes, `timeout` seconds per read and `deadline` seconds
    (default 3 × timeout) for everything. UsageError (bad URL, 4xx, over the cap: exit 2) or
    NetworkError (unreachable, 5xx, too slow, truncated: exit 1), each one clean line."""
    check_url(url)
    deadline = 3 * timeout if deadline is None else deadline
    box: dict = {}
    stop = threading.Event()
    worker = threading.Thread(target=_transfer, args=(url, cap, timeout, progress, box, stop), daemon=True,
                              name="gpuadvisor-download")
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        stop.set()  # the worker stops at its next read; the process never waits for it
        raise NetworkError(f"{clean(url)}: download took longer than {deadline:g} s; nothing changed")
    if "error" in box:
        raise box["error"]
    return box["body"]


def _transfer(url: str, cap: int, timeout: float, progress, box: dict, stop: threading.Event) -> None:
    try:
        box["body"] = _get(url, cap, timeout, progress, stop)
    except BaseException as e:  # handed to the caller's thread, which raises it
        box["error"] = _explain(url, timeout, e)


def _get(url: str, cap: int, timeout: float, progress, stop: threading.Event) -> bytes:
    import urllib.request

    with _opener().open(urllib.request.Request(url, headers={"User-Agent": "gpuadvisor"}), timeout=timeout) as resp:
        length = resp.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() and len(length) < 20 else 0
        if total > cap:
            raise UsageError(f"{clean(url)}: {total:,} bytes is over the {cap:,}-byte cap; nothing changed")
        chunks, got = [], 0
        while not stop.is_set():
            chunk = resp.read1(min(65536, cap + 1 - got))  # what has arrived: a drip cannot hold a read open
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > cap:
                raise UsageError(f"{clean(url)}: the body is over the {cap:,}-byte cap; nothing changed")
            if progress:
                progress(got, total)
        if stop.is_set():
            raise NetworkError("stopped")
        if total and got != total:
            raise NetworkError(f"{clean(url)}: truncated body ({got:,} of {total:,} bytes); nothing changed")
        return b"".join(chunks)


def _explain(url: str, timeout: float, e: BaseException) -> BaseException:
    """The one-line error for what went wrong (server text cleaned)."""
    import urllib.error

    shown = clean(url)
    if isinstance(e, (UsageError, NetworkError)):
        return e
    if isinstance(e, urllib.error.HTTPError):  # 4xx: the URL is wrong (bad input, 2); 5xx: the server failed (1)
        if 300 <= e.code < 400:
            return UsageError(f"{shown}: too many or looping redirects (HTTP {e.code}, at most {MAX_REDIRECTS}); "
                              "nothing changed")
        error = NetworkError if e.code >= 500 else UsageError
        return error(f"{shown}: HTTP {e.code} {clean(e.reason, 80)}; nothing changed")
    if isinstance(e, urllib.error.URLError):
        r = e.reason
        why = r if isinstance(r, str) else (getattr(r, "strerror", None) or str(r))
        if isinstance(r, TimeoutError):
            return NetworkError(f"{shown}: no answer within {timeout:g} s; nothing changed")
        return NetworkError(f"{shown}: cannot download ({clean(why, 100)}); nothing changed")
    if isinstance(e, TimeoutError):
        return NetworkError(f"{shown}: no answer within {timeout:g} s; nothing changed")
    if isinstance(e, (KeyboardInterrupt, SystemExit)):
        return NetworkError(f"{shown}: interrupted; nothing changed")
    # http.client.IncompleteRead, connection resets, bad status lines ...
    return NetworkError(f"{shown}: download failed ({type(e).__name__}: {clean(e, 100)}); nothing changed")

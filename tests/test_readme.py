"""Every README and docs/*.md example is a test: each fenced block that starts with `$ gpuadvisor …`
is run in a fresh directory and its output compared with the block.

- Files the examples use are the README's own: a fence whose info string names a file
  (```toml acme.toml) is written to that file first, so `catalog validate acme.toml` checks the
  very file the reader sees.
- Output is compared line by line after collapsing runs of spaces (table widths may differ).
  A line "…" stands for any number of lines; a line ending in "…" matches any line that starts
  with the rest.
- Commands run as a user would run them in a pipe: the installed `gpuadvisor` on PATH, plain text
  (NO_COLOR), stderr after stdout, no user catalogs, and a private cache. The commands of one block
  run in order in one directory (an import, then a list of what it imported).
- Files a reader has from elsewhere are copied from the test fixtures (EXTERNAL: SkyPilot's own
  catalog CSV), and a block that downloads from http://127.0.0.1:8765 gets a loopback server
  serving the block's directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXTERNAL = {"lambda/vms.csv": FIXTURES / "imports" / "skypilot-lambda-vms.csv"}  # ~/.sky/catalogs/v8/lambda/vms.csv
LOOPBACK = "127.0.0.1:8765"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
ELLIPSIS = "…"
README_TODAY = "2026-12-04"  # the day the README's outputs were last checked


def _fences(page: Path | None = None) -> list[tuple[int, str, str]]:
    """(line, info string, body) of every fence of one page, or of every page (README and docs/)."""
    out = []
    for p in [page] if page else PAGES:
        text = p.read_text(encoding="utf-8")
        out += [(text[: m.start()].count("\n") + 1, m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]
    return out


def readme_files() -> dict[str, str]:
    """Fences with a file name after the language (```python app.py), in the README and docs/: the
    files the examples use."""
    out = {}
    for _, info, body in _fences():
        parts = info.split()
        if len(parts) == 2 and not body.startswith("$ "):
            out[parts[1]] = body
    return out


def examples(page: Path = README) -> list[tuple[int, list[tuple[str, list[str]]]]]:
    """(line, [(command, expected output lines), …]) for every block of `$ ` commands of a page."""
    out = []
    for line, _, body in _fences(page):
        if not body.startswith(("$ gpuadvisor", "$ python bench/validate.py")):
            continue
        steps: list[tuple[str, list[str]]] = []
        continued = False
        for text in body.splitlines():
            if continued:  # a command continued with a trailing backslash, as in a shell
                steps[-1] = (steps[-1][0][:-1].rstrip() + " " + text.strip(), [])
            elif text.startswith("$ "):
                steps.append((text[2:], []))
            else:
                steps[-1][1].append(text)
            continued = not steps[-1][1] and steps[-1][0].endswith("\\")
        out.append((line + 1, steps))
    return out


def _norm(line: str) -> str:
    return " ".join(line.split())


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether actual fits expected, with "…" lines as wildcards (see the module docstring)."""
    exp = [_norm(e) for e in expected]
    act = [_norm(a) for a in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(exp):
            result = j == len(act)
        elif exp[i] == ELLIPSIS:
            result = any(go(i + 1, k) for k in range(j, len(act) + 1))
        elif j == len(act):
            result = False
        elif exp[i].endswith(ELLIPSIS):
            result = act[j].startswith(exp[i][:-1].rstrip()) and go(i + 1, j + 1)
        else:
            result = exp[i] == act[j] and go(i + 1, j + 1)
        memo[i, j] = result
        return result

    return go(0, 0)


def run_example(command: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GPUADVISOR_CATALOG_PATH", "COLUMNS", "FORCE_COLOR", "GPUADVISOR_BUILTIN_ONLY")}
    env.pop("GPUADVISOR_MAX_PRICE_AGE", None)
    env.update(GPUADVISOR_TODAY=README_TODAY)  # prices age against the README's date: its examples do not rot
    env.update(NO_COLOR="1", XDG_CONFIG_HOME=str(cwd / ".config"), XDG_CACHE_HOME=str(cwd / ".cache"),
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    command = command.replace("python bench/", f"python {ROOT / 'bench'}/")  # the repository's scripts, from any directory
    result = subprocess.run(["bash", "-c", "exec 2>&1\n" + command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=120)
    return result.stdout


EXAMPLES = [(page, line, steps) for page in PAGES for line, steps in examples(page)]


def test_the_readme_has_an_example_for_every_command():
    commands = {c.split()[1] for page, _, steps in EXAMPLES if page == README for c, _ in steps if c.startswith("gpuadvisor")}
    assert {"recommend", "speed", "translate", "check", "estimate", "list", "show", "compare", "catalog", "cost"} <= commands


def test_the_readme_is_short():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 400


@contextlib.contextmanager
def loopback_server(directory: Path):
    """http.server on 127.0.0.1:8765 serving `directory`, for the `catalog update` examples; yields
    the address it listens on (another free port when 8765 is taken: the commands and their output
    are rewritten to and from it, so the README keeps one stable address)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # no request log in the test output
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    host, port = LOOPBACK.split(":")
    try:
        server = http.server.ThreadingHTTPServer((host, int(port)), handler)
    except OSError:  # 8765 in use on this machine
        server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("page,line,steps", EXAMPLES, ids=[f"{p.relative_to(ROOT)}:{n}" for p, n, _ in EXAMPLES])
def test_readme_example(tmp_path, page, line, steps):
    for name, body in readme_files().items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    for name, source in EXTERNAL.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp_path / name)
    served = any(LOOPBACK in command for command, _ in steps)
    with loopback_server(tmp_path) if served else contextlib.nullcontext(LOOPBACK) as address:
        for command, expected in steps:
            actual = run_example(command.replace(LOOPBACK, address), tmp_path).replace(address, LOOPBACK).splitlines()
            assert matches(expected, actual), (
                f"{page.relative_to(ROOT)}:{line}: `{command}` printed:\n" + "\n".join(actual)
                + "\n\nbut the page says:\n" + "\n".join(expected))


# ------------------------------------------------------------------ the matcher itself


def test_matcher_wildcards_and_widths():
    assert matches(["a  b", "…", "z"], ["a b", "1", "2", "z", ""])
    assert matches(["head …"], ["head and more"])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "extra"])
    assert matches(["a", "…"], ["a"])


def _anchors(page: Path) -> set[str]:
    outside = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", outside, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_links_resolve(page):
    """Every link to a page of the repository names a file that exists, and its `#anchor` a heading
    there (GitHub's anchor rules); `(#anchor)` links name a heading of the same page."""
    outside = FENCE.sub("", page.read_text(encoding="utf-8"))
    bad = []
    for target in re.findall(r"\]\(([^)\s]+)\)", outside):
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            bad.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            bad.append(target)
    assert bad == []

"""Re-run every `$ gpuadvisor …` example in README.md and docs/*.md and write what it prints now
into the fenced block, the way tests/test_readme.py runs it (same environment, same files, the
same loopback server). Output that still matches is kept as written; output without "…" wildcards
is replaced; a block with wildcards that no longer matches is printed for a person to edit.
Review the diff before committing.

    python tools/sync_examples.py [FILE ...]
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import test_readme as tr  # noqa: E402

ELLIPSIS = tr.ELLIPSIS


def _update(expected: list[str], actual: list[str]) -> list[str] | None:
    """The block's new output lines, or None when a person must edit it: an output that still
    matches is kept as written; one without "…" wildcards is replaced (its trailing blank kept);
    one with wildcards that no longer matches is left for a person (returned None)."""
    if tr.matches(expected, actual):
        return expected
    if any(e.strip().endswith(ELLIPSIS) for e in expected):
        return None
    while actual and not actual[-1].strip():
        actual = actual[:-1]
    blank = [""] if expected and not expected[-1].strip() else []
    return actual + blank


def sync(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    files = tr.readme_files()
    changed = 0
    out, pos = [], 0
    for m in tr.FENCE.finditer(text):
        body = m.group(2)
        out.append(text[pos:m.start(2)])
        pos = m.end(2)
        if not body.startswith(("$ gpuadvisor", "$ python bench/validate.py")):
            out.append(body)
            continue
        steps = _steps(body)
        with tempfile.TemporaryDirectory() as tmp:
            cwd = Path(tmp)
            for name, content in files.items():
                (cwd / name).write_text(content, encoding="utf-8")
            for name, source in tr.EXTERNAL.items():
                (cwd / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, cwd / name)
            served = any(tr.LOOPBACK in c for c, _, _ in steps)
            with tr.loopback_server(cwd) if served else contextlib.nullcontext(tr.LOOPBACK) as address:
                lines = []
                for command, raw, expected in steps:
                    actual = tr.run_example(command.replace(tr.LOOPBACK, address), cwd).replace(address, tr.LOOPBACK)
                    new = _update(expected, actual.splitlines())
                    if new is None:
                        line = text[: m.start()].count("\n") + 1
                        print(f"{path.name}:{line}: `{command}` no longer matches and has \"…\" lines: edit it by hand:\n"
                              + actual, file=sys.stderr)
                        new = expected
                    lines += raw + new
        new = "\n".join(lines) + "\n"
        changed += new != body
        out.append(new)
    out.append(text[pos:])
    path.write_text("".join(out), encoding="utf-8")
    return changed


def _steps(body: str) -> list[tuple[str, list[str], list[str]]]:
    """(command, its raw lines as written, expected output) for each `$ ` command of a block."""
    steps: list[tuple[str, list[str], list[str]]] = []
    continued = False
    for text in body.splitlines():
        if continued:
            cmd, raw, _ = steps[-1]
            steps[-1] = (cmd[:-1].rstrip() + " " + text.strip(), raw + [text], [])
        elif text.startswith("$ "):
            steps.append((text[2:], [text], []))
        else:
            steps[-1][2].append(text)
        continued = not steps[-1][2] and steps[-1][0].endswith("\\")
    return steps


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for p in paths:
        n = sync(p)
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}: {n} block(s) changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


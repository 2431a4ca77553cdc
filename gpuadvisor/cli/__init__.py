"""Command-line interface. Parses options, calls the library, prints a View. No decisions here.

common.py     the app, its error handling (`_Group.main`: one stderr line, the contract's exit code),
              shared options, completion, catalog loading, `_emit`
browse.py     list, show, compare, models, detect
advise.py     estimate, recommend, cost
speed.py      speed
translate.py  translate (incl. --file), check
mcp.py        mcp (the MCP server: gpuadvisor.mcpserver)
catalog.py    catalog info | validate | paths | import | update

Each room registers its commands on `app` / `catalog_app` when imported. `gpuadvisor.cli.app` is the
complete app (every room imported on first use); a run imports only the invoked command's room.
"""

from __future__ import annotations

import os
import sys

from gpuadvisor.cli import common
from gpuadvisor.cli.common import PROG, _Command, _Group

__all__ = ["PROG", "_Command", "_Group", "app", "catalog_app", "main"]

# Each command's room, in the order `gpuadvisor --help` lists the commands; then the groups' rooms.
COMMANDS = {"list": "browse", "show": "browse", "compare": "browse", "estimate": "advise", "models": "browse",
            "recommend": "advise", "speed": "speed", "cost": "advise", "translate": "translate", "check": "translate", "detect": "browse",
            "mcp": "mcp"}
GROUPS = {"catalog": "catalog"}


def _load(rooms) -> None:
    """Import these rooms (each registers its commands), keeping the help order."""
    for room in sorted(set(rooms)):
        __import__(f"gpuadvisor.cli.{room}")  # not importlib.import_module: this one shows in -X importtime
    order = list(COMMANDS)
    common.app.registered_commands.sort(key=lambda c: order.index(c.name) if c.name in order else len(order))


def __getattr__(name: str):
    """`gpuadvisor.cli.app` (and `catalog_app`): the complete app, every room imported."""
    if name in ("app", "catalog_app"):
        _load([*COMMANDS.values(), *GROUPS.values()])
        return getattr(common, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _only_invoked_command(argv: list[str]) -> None:
    """Start-up: Typer builds a click command for every registered command (~1 ms each). When the
    first argument names a command, import only its room and register only that command, so a run
    builds what it uses. Help, completion and unknown names get the full app (and its "did you mean")."""
    while argv and (argv[0] in ("--builtin-only", "--wide") or argv[0].startswith("--max-price-age")):  # root options
        argv = argv[2:] if argv[0] == "--max-price-age" else argv[1:]
    name = argv[0] if argv else ""
    if os.environ.get("_GPUADVISOR_COMPLETE") or name not in {**COMMANDS, **GROUPS}:
        _load([*COMMANDS.values(), *GROUPS.values()])
        return
    _load([{**COMMANDS, **GROUPS}[name]])
    app = common.app
    commands = [c for c in app.registered_commands if (c.name or getattr(c.callback, "__name__", None)) == name]
    if commands:
        app.registered_commands = commands
        app.registered_groups = []
    elif any(g.name == name for g in app.registered_groups):
        app.registered_commands = []


def _hoist_root_options(argv: list[str]) -> list[str]:
    """`gpuadvisor recommend … --max-price-age 30` means `gpuadvisor --max-price-age 30 recommend …`:
    the price-age limit and --wide are root options (every command shares them), written where users put them.
    A bare `--plot` (no FILE after it) becomes `--plot=-`: the chart in the terminal."""
    out, front, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out.extend(argv[i:])
            break
        if a == "--plot" and (i + 1 == len(argv) or argv[i + 1].startswith("-") and argv[i + 1] != "-"):  # FILE optional
            out.append("--plot=-")
            i += 1
            continue
        if a == "--max-price-age" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if a.startswith("--max-price-age=") or a == "--wide":
            front.append(a)
        else:
            out.append(a)
        i += 1
    return front + out


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_shell_given(argv: list[str]) -> None:
    """`--install-completion zsh` (or `--show-completion fish`) means that shell: Typer's flag form
    detects the running shell and reads `zsh` as a command name. With a shell named, use Typer's own
    form that takes the shell as its value."""
    for i, a in enumerate(argv[:-1]):
        if a in ("--install-completion", "--show-completion") and argv[i + 1].lower() in SHELLS:
            argv[i + 1] = argv[i + 1].lower()
            os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
            return
    for a in argv:
        if a.split("=", 1)[0] in ("--install-completion", "--show-completion") and "=" in a:
            os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
            return


def main() -> None:
    _completion_shell_given(sys.argv[1:])
    sys.argv[1:] = _hoist_root_options(sys.argv[1:])
    _only_invoked_command(sys.argv[1:])
    common.app()

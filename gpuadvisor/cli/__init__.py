"""Command-line interface. Parses options, calls the library, prints a View. No decisions here.

common.py     the app, its error handling (`_Group.main`: one stderr line, the contract's exit code),
              shared options, completion, catalog loading, `_emit`
browse.py     list, show, compare, models, detect
advise.py     estimate, recommend, cost
translate.py  translate (incl. --file), check
catalog.py    catalog info | validate | paths | import | update

Each room registers its commands on `app` / `catalog_app` when imported; all are imported here.
"""

from __future__ import annotations

import os
import sys

from gpuadvisor.cli import advise, browse, catalog, translate  # noqa: F401  (each registers its commands)
from gpuadvisor.cli.common import PROG, _Command, _Group, app, catalog_app

__all__ = ["PROG", "_Command", "_Group", "app", "catalog_app", "main"]

# `gpuadvisor --help` lists the commands in this order, whatever order the rooms register them in.
HELP_ORDER = ("list", "show", "compare", "estimate", "models", "recommend", "cost", "translate", "check", "detect")
app.registered_commands.sort(key=lambda c: HELP_ORDER.index(c.name) if c.name in HELP_ORDER else len(HELP_ORDER))


def _only_invoked_command(argv: list[str]) -> None:
    """Start-up: Typer builds a click command for every registered command (~1 ms each). When the
    first argument names a command, register only that one, so a run builds what it uses.
    Help, completion and unknown names keep the full app (and its "did you mean")."""
    while argv and argv[0] == "--builtin-only":  # the one root option that precedes a command
        argv = argv[1:]
    if os.environ.get("_GPUADVISOR_COMPLETE") or not argv or argv[0].startswith("-"):
        return
    name = argv[0]
    commands = [c for c in app.registered_commands if (c.name or c.callback.__name__) == name]
    if commands:
        app.registered_commands = commands
        app.registered_groups = []
    elif any(g.name == name for g in app.registered_groups):
        app.registered_commands = []


def main() -> None:
    _only_invoked_command(sys.argv[1:])
    app()

"""The console-script entry point: Ctrl-C and a closed stdout are handled before anything heavy is
imported, so neither can print a traceback, whenever it happens.

Importing typer and the catalogs takes tens of milliseconds; a SIGINT in that window used to
surface as a KeyboardInterrupt traceback. Until the CLI is ready, SIGINT exits 130 at once with
the usual one line; from then on the CLI turns KeyboardInterrupt into that line itself (and the
catalog cache removes its temporary file first). The handler is first installed by the package's
__init__ when it runs as the `gpuadvisor` command (before this module is imported), then here.
What no program can cover is the interpreter's own start-up and `site` (~10-20 ms), and pip's
launcher's first line (`import sys`), before any of gpuadvisor runs: a Ctrl-C there prints
Python's own KeyboardInterrupt traceback or ends the process silently.
"""

from __future__ import annotations

import _signal  # the C module: `signal` imports enum first, which widens the window it must close
import sys

from gpuadvisor import _interrupted  # noqa: E402 (installed by the package first: see its __init__)


def _printable_streams() -> None:
    """Text that cannot be encoded (a file name that is not UTF-8, surrogate-escaped by the OS
    layer; a symbol on a Latin-1 terminal) is written escaped instead of failing the command."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        try:
            encoding = (stream.encoding or "").lower().replace("-", "")
            # a replaced stream may not be a TextIOWrapper: the AttributeError is caught below
            stream.reconfigure(errors=errors if encoding == "utf8" else "replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def main() -> None:
    _signal.signal(_signal.SIGINT, _interrupted)
    _printable_streams()
    try:
        from gpuadvisor.cli import main as run

        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        run()
    except KeyboardInterrupt:
        _interrupted()
    except BrokenPipeError:
        from gpuadvisor.render import pipe_closed

        pipe_closed()

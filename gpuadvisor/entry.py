"""The console-script entry point: Ctrl-C and a closed stdout are handled before anything heavy is
imported, so neither can print a traceback, whenever it happens.

Importing typer and the catalogs takes tens of milliseconds; a SIGINT in that window used to
surface as a KeyboardInterrupt traceback. Until the CLI is ready, SIGINT exits 130 at once with
the usual one line; from then on the CLI turns KeyboardInterrupt into that line itself (and the
catalog cache removes its temporary file first). What no program can cover is the first ~10 ms,
while the interpreter imports `site`, before any of gpuadvisor runs.
"""

from __future__ import annotations

import _signal  # the C module: `signal` imports enum first, which widens the window it must close
import os
import sys


def _interrupted(_signum=None, _frame=None):
    try:
        os.write(2, b"gpuadvisor: error: aborted\n")
    except OSError:
        pass
    os._exit(130)


def _printable_streams() -> None:
    """Text that cannot be encoded (a file name that is not UTF-8, surrogate-escaped by the OS
    layer; a symbol on a Latin-1 terminal) is written escaped instead of failing the command."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        try:
            encoding = (stream.encoding or "").lower().replace("-", "")
            stream.reconfigure(errors=errors if encoding == "utf8" else "replace")
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

"""gpuadvisor: which GPU to rent on Modal, RunPod, fal.ai and other serverless providers, and how to write it there."""

import _signal  # built in: no file to find, so the handler is in place within microseconds
import sys

__version__ = "0.2.0"


def _interrupted(_signum=None, _frame=None):
    """Ctrl-C before the CLI is ready: the usual one line, exit 130, no traceback."""
    import os

    try:
        os.write(2, b"gpuadvisor: error: aborted\n")
    except OSError:
        pass
    os._exit(130)


# Run as the `gpuadvisor` command (pip's launcher imports this package first), Ctrl-C is handled
# from here on, before gpuadvisor.entry is even found (audit D12); imported as a library, nothing
# changes. Only the interpreter's start-up, `site` and the launcher's first lines come before.
def _as_command() -> bool:
    name = sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if sys.argv else ""
    if name in ("gpuadvisor", "gpuadvisor.exe"):
        return True
    orig = getattr(sys, "orig_argv", [])  # `python -m gpuadvisor`: argv[0] is "-m" while this imports
    return name == "-m" and "-m" in orig and orig.index("-m") + 1 < len(orig) and orig[orig.index("-m") + 1] == "gpuadvisor"


if _as_command():
    _signal.signal(_signal.SIGINT, _interrupted)

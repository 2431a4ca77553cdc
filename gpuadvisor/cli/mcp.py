"""`gpuadvisor mcp`: serve the commands as MCP tools (gpuadvisor.mcpserver), on stdio or streamable HTTP."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gpuadvisor.cli.common import _Command, _user_path, app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("mcp", cls=_Command)
def mcp_cmd(
    http: Annotated[Optional[str], typer.Option("--http", metavar="HOST:PORT", help="Serve streamable HTTP here (e.g. 127.0.0.1:8765) instead of stdio.")] = None,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Let --http listen on a non-loopback address (no authentication: only on a trusted network).")] = False,
    root: Annotated[Optional[str], typer.Option("--root", metavar="DIR", help="The check tool may read files under this directory (and nothing outside it); without it, tools read no files.")] = None,
):
    """Run an MCP server whose tools are gpuadvisor's commands, for coding agents (Claude Code, Cursor, …).

    Needs the extra: `pip install 'gpuadvisor[mcp]'`. See docs/mcp.md.

    **Examples**

    * `claude mcp add gpuadvisor -- gpuadvisor mcp`
    * `gpuadvisor mcp --root .`
    * `gpuadvisor mcp --http 127.0.0.1:8765`
    """
    import importlib.util

    from gpuadvisor.errors import UsageError

    if importlib.util.find_spec("mcp") is None:
        raise UsageError("the MCP server needs the mcp extra: pip install 'gpuadvisor[mcp]'")
    where = None
    if root is not None:
        where = _user_path(root, "--root")
        if not where.is_dir():
            raise UsageError(f"--root {root} is not a directory")
    from gpuadvisor import mcpserver

    if http is None:
        mcpserver.serve_stdio(where)
        return 0
    host, sep, port = http.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--http wants HOST:PORT, e.g. 127.0.0.1:8765, not {http!r}")
    if host not in LOOPBACK and not allow_remote:
        raise UsageError(f"--http {host} is not a loopback address; add --allow-remote to listen there (no authentication)")
    mcpserver.serve_http(host, int(port), where)
    return 0

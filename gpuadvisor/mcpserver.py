"""`gpuadvisor mcp`: the commands as MCP tools for coding agents, on the official Python SDK (`mcp`).

A second front end beside the CLI: each tool's input schema is built from the same option
definitions (gpuadvisor.commands) the CLI builds its options from, and calls the same runner, so a
tool's structured content is the document `--json` prints. Bad input is a tool error carrying the
CLI's one-line message. Nothing here imports gpuadvisor.cli; only `gpuadvisor mcp` imports this module.
Structured content must be a JSON object for clients before protocol 2026-07-28: a command whose
document is a list (list, models) answers {"items": [...]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from gpuadvisor import __version__
from gpuadvisor.commands import advise, browse, speed, translate
from gpuadvisor.commands.spec import Command, json_schema

INSTALL_LINE = "pip install 'gpuadvisor[mcp]'"


def _catalog():
    from gpuadvisor.catalog import get_catalog

    return get_catalog()


class Tools:
    """Each tool: its Command (schema) and how it runs (arguments -> View or (View, exit code))."""

    def __init__(self, root: Path | None = None):
        self.root = root.resolve() if root else None
        self.commands: dict[str, tuple[Command, dict | None, Any]] = {
            "recommend": (advise.RECOMMEND, None, lambda a: advise.run_recommend(_catalog(), **a)),
            "speed": (speed.SPEED, None, lambda a: speed.run_speed(_catalog(), **a)),
            "estimate": (advise.ESTIMATE, None, lambda a: advise.run_estimate(_catalog(), **a)),
            "cost": (advise.COST, None, lambda a: advise.run_cost(_catalog(), **a)),
            "translate": (translate.TRANSLATE, translate.TRANSLATE_TOOL, self._translate),
            "check": (translate.CHECK, translate.CHECK_TOOL, self._check),
            "list": (browse.LIST, None, lambda a: browse.run_list(_catalog(), **a)),
            "show": (browse.SHOW, None, lambda a: browse.run_show(_catalog(), **a)),
            "compare": (browse.COMPARE, None, lambda a: browse.run_compare(_catalog(), **a)),
            "models": (browse.MODELS, None, lambda a: browse.run_models(_catalog())),
        }

    def schema(self, name: str) -> dict:
        command, overrides, _ = self.commands[name]
        return json_schema(command, overrides)

    def call(self, name: str, arguments: dict) -> tuple[Any, int]:
        """The command's JSON document and exit code; GpuAdvisorError for bad input."""
        from gpuadvisor.errors import UsageError

        if name not in self.commands:
            raise UsageError(f"no tool {name!r}: one of {', '.join(self.commands)}")
        schema = self.schema(name)
        unknown = sorted(set(arguments) - set(schema["properties"]))
        if unknown:
            raise UsageError(f"no such argument {', '.join(unknown)} for {name} (see the tool's input schema)")
        missing = [k for k in schema.get("required", ()) if arguments.get(k) is None]
        if missing:
            raise UsageError(f"{name} needs {', '.join(missing)}")
        args = {k: v for k, v in arguments.items() if v is not None}
        for k, v in args.items():  # the CLI's types: a JSON number 8 for a float option is fine, "8" is not
            want = schema["properties"][k]
            if want["type"] == "array":
                if not isinstance(v, list):
                    raise UsageError(f"{k} must be a list")
            elif want["type"] == "number" and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
                raise UsageError(f"{k} must be a number, not {v!r}")
            elif want["type"] == "integer" and not (isinstance(v, int) and not isinstance(v, bool)):
                raise UsageError(f"{k} must be an integer, not {v!r}")
            elif want["type"] == "string" and not isinstance(v, str):
                raise UsageError(f"{k} must be a string, not {v!r}")
        result = self.commands[name][2](args)
        view, code = result if isinstance(result, tuple) else (result, 0)
        return json.loads(_json_text(view.data)), code

    def _translate(self, a: dict):
        from gpuadvisor.errors import UsageError

        cat = _catalog()
        if a.get("content") is not None:
            if a.get("spec") is not None:
                raise UsageError("give spec or content, not both")
            target = cat.provider(a["target"]).id
            source = cat.provider(a["source"]).id if a.get("source") else None
            view, result = translate.content_file(a["content"], a.get("filename", "app.py"),
                                         lambda p, shown: translate.run_translate_file(cat, p, shown, target, source, a.get("count")))
            return view, result.code
        if a.get("source") is None or a.get("spec") is None:
            raise UsageError("translate needs source, target and spec (e.g. modal, runpod, \"A100:4\"), or target and content")
        return translate.run_translate(cat, a["source"], a["target"], a["spec"], a.get("count"))

    def _check(self, a: dict):
        from gpuadvisor.errors import UsageError

        cat = _catalog()
        opts = {k: a[k] for k in ("source", "fail_on", "ignore") if k in a}
        if a.get("content") is not None:
            if a.get("paths"):
                raise UsageError("give content or paths, not both")
            return translate.content_file(a["content"], a.get("filename", "app.py"), lambda p, shown: translate.run_check(cat, [p], **opts))
        if not a.get("paths"):
            raise UsageError("give content (a file's text) or paths under the server's --root")
        return translate.run_check(cat, [self._under_root(p) for p in a["paths"]], **opts, within=self.root)

    def _under_root(self, text: str) -> Path:
        from gpuadvisor.errors import UsageError

        if self.root is None:
            raise UsageError("this server reads no files (start it with --root DIR to check paths); send content instead")
        path = (self.root / text).resolve()
        if path != self.root and self.root not in path.parents:
            raise UsageError(f"{text} is outside the server's --root {self.root}")
        return path


def _json_text(data) -> str:
    from gpuadvisor.render import to_json_text

    return to_json_text(data, pretty=False)


def summary(name: str, data, code: int) -> str:
    """A short text for clients that show text: what came back, and where the full document is."""
    if isinstance(data, list):
        return f"{name}: {len(data)} item(s); the JSON document is in the structured content."
    keys = ", ".join(list(data)[:8]) if isinstance(data, dict) else type(data).__name__
    failing = " (exit 1: findings at or above fail_on)" if code == 1 and name == "check" else ""
    return f"{name}{failing}: JSON document with {keys}; see the structured content.\n{_json_text(data)[:2000]}"


def resource_data(uri: str):
    """gpuadvisor://gpus: every GPU's facts; gpuadvisor://providers/{id}: that provider's offerings,
    each price with its date (price.as_of)."""
    from gpuadvisor.errors import UsageError

    cat = _catalog()
    if uri == "gpuadvisor://gpus":
        return _gpus(cat)
    prefix = "gpuadvisor://providers/"
    if uri.startswith(prefix):
        pid = cat.provider(uri[len(prefix):]).id
        return {"provider": pid, "offerings": browse.run_list(cat, provider=[pid]).data}
    raise UsageError(f"no resource {uri}")


def _gpus(cat):
    """Each GPU's facts (as `show --json` gives them, less the offerings: see the provider resources)."""
    from dataclasses import asdict

    return {"gpus": [asdict(g) for g in cat.gpus.values()]}


def build_server(root: Path | None = None):
    import mcp_types as types
    from mcp.server.lowlevel import Server

    from gpuadvisor.errors import GpuAdvisorError

    tools = Tools(root)

    async def list_tools(ctx, params):
        return types.ListToolsResult(tools=[
            types.Tool(name=n, description=c.summary, input_schema=tools.schema(n)) for n, (c, _, _) in tools.commands.items()])

    async def call_tool(ctx, params):
        try:
            data, code = tools.call(params.name, dict(params.arguments or {}))
        except GpuAdvisorError as e:
            return types.CallToolResult(content=[types.TextContent(type="text", text=f"gpuadvisor: error: {e}")], is_error=True)
        except Exception as e:  # a bug: one line, never a traceback on the protocol stream
            return types.CallToolResult(content=[types.TextContent(type="text", text=f"gpuadvisor: internal error: {type(e).__name__}: {e}")],
                                        is_error=True)
        structured = data if isinstance(data, dict) else {"items": data}
        return types.CallToolResult(content=[types.TextContent(type="text", text=summary(params.name, data, code))],
                                    structured_content=structured)

    async def list_resources(ctx, params):
        cat = _catalog()
        res = [types.Resource(uri="gpuadvisor://gpus", name="gpus", description="Every GPU in the catalogs", mime_type="application/json")]
        res += [types.Resource(uri=f"gpuadvisor://providers/{p}", name=f"provider {p}", mime_type="application/json",
                               description=f"{cat.providers[p].name}'s offerings with prices and their dates") for p in cat.providers]
        return types.ListResourcesResult(resources=res)

    async def list_templates(ctx, params):
        return types.ListResourceTemplatesResult(resource_templates=[types.ResourceTemplate(
            uri_template="gpuadvisor://providers/{id}", name="provider", mime_type="application/json",
            description="A provider's offerings with prices and each price's date")])

    async def read_resource(ctx, params):
        from mcp.shared.exceptions import MCPError

        try:
            data = resource_data(str(params.uri))
        except GpuAdvisorError as e:  # a JSON-RPC error with the CLI's message (-32602: invalid params)
            raise MCPError(-32602, f"gpuadvisor: error: {e}") from None
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=str(params.uri), mime_type="application/json",
                                                                            text=_json_text(data))])

    return Server("gpuadvisor", version=__version__, on_list_tools=list_tools, on_call_tool=call_tool,
                  on_list_resources=list_resources, on_list_resource_templates=list_templates, on_read_resource=read_resource)


def serve_stdio(root: Path | None = None) -> None:
    import anyio
    from mcp.server.stdio import stdio_server

    server = build_server(root)

    async def main():
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)


def serve_http(host: str, port: int, root: Path | None = None) -> None:
    import uvicorn

    server = build_server(root)
    app = server.streamable_http_app(host=host)
    sys.stderr.write(f"gpuadvisor: MCP over streamable HTTP at http://{host}:{port}/mcp\n")
    uvicorn.run(app, host=host, port=port, log_level="warning")

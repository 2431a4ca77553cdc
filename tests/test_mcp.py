"""`gpuadvisor mcp`: the server started as a subprocess and driven by the MCP SDK's own client. Every
tool's schema is valid JSON Schema, every tool's structured content equals the CLI's --json for the
same arguments, bad input is a tool error carrying the CLI's message, and --root bounds what is read."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("mcp")
import anyio  # noqa: E402
import jsonschema  # noqa: E402
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

ENV = {**os.environ, "GPUADVISOR_BUILTIN_ONLY": "1"}
SERVER = [sys.executable, "-m", "gpuadvisor"]
APP = "import modal\n\napp = modal.App()\n\n\n@app.function(gpu=\"A100\")\ndef f():\n    pass\n"

# (tool, tool arguments, the same command line)
CASES = [
    ("recommend", {"vram": 70, "workload": "llm", "top": 3}, ["recommend", "--vram", "70", "-w", "llm", "--top", "3"]),
    ("speed", {"model": "llama-3.1-8b", "gpu": "h100-sxm"}, ["speed", "llama-3.1-8b", "h100-sxm"]),
    ("estimate", {"model": "llama-3.1-70b", "dtype": "fp8"}, ["estimate", "--model", "llama-3.1-70b", "--dtype", "fp8"]),
    ("cost", {"requests_per_day": 10000, "seconds_per_request": 2, "gpu": ["t4"]}, ["cost", "-r", "10000", "-s", "2", "--gpu", "t4"]),
    ("translate", {"source": "modal", "target": "runpod", "spec": "A100:4"}, ["translate", "modal", "runpod", "A100:4"]),
    ("list", {"provider": ["modal"], "sort": "price"}, ["list", "-p", "modal", "--sort", "price"]),
    ("show", {"name": "h100"}, ["show", "h100"]),
    ("compare", {"names": ["h100", "h200"]}, ["compare", "h100", "h200"]),
    ("models", {}, ["models"]),
]


def cli_json(argv: list[str]):
    out = subprocess.run([*SERVER, *argv, "--json"], capture_output=True, text=True, env=ENV, timeout=60)
    return json.loads(out.stdout)


async def _session(fn, args=()):
    params = StdioServerParameters(command=SERVER[0], args=[*SERVER[1:], "mcp", *args], env=ENV)
    with open(os.devnull, "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await fn(session)


def run(fn, args=()):
    return anyio.run(_session, fn, args)


def _doc(result):
    sc = result.structured_content
    return sc["items"] if set(sc) == {"items"} else sc


def test_tools_listed_with_valid_schemas_from_the_cli_options():
    async def go(s):
        return (await s.list_tools()).tools

    tools = {t.name: t for t in run(go)}
    assert set(tools) == {"recommend", "speed", "estimate", "cost", "translate", "check", "list", "show", "compare", "models"}
    for t in tools.values():
        jsonschema.Draft202012Validator.check_schema(t.input_schema)
    rec = tools["recommend"].input_schema["properties"]
    assert rec["optimize"]["enum"] == ["value", "cost", "speed"] and rec["optimize"]["default"] == "value"
    assert rec["top"] == {"type": "integer", "description": "How many picks to show. (CLI: --top, -n)", "default": 5}
    assert "as_json" not in rec and "fmt" not in rec
    assert tools["speed"].input_schema["required"] == ["model", "gpu"]


def test_every_tool_answers_what_the_cli_json_says():
    async def go(s):
        return [await s.call_tool(name, args) for name, args, _ in CASES]

    for (name, _, argv), result in zip(CASES, run(go), strict=True):
        assert not result.is_error, (name, result.content)
        doc = _doc(result)
        expected = cli_json(argv)
        if name == "list":  # price ages count days: equal on the same day
            assert [r["name"] for r in doc] == [r["name"] for r in expected]
        assert doc == expected, name
        assert result.content[0].text.startswith(name)


def test_bad_input_is_a_tool_error_with_the_cli_message():
    async def go(s):
        return [await s.call_tool("show", {"name": "h1000"}), await s.call_tool("recommend", {"top": 0, "vram": 10}),
                await s.call_tool("show", {"name": "h100", "bogus": 1}), await s.call_tool("show", {})]

    bad, top, extra, missing = run(go)
    cli = subprocess.run([*SERVER, "show", "h1000"], capture_output=True, text=True, env=ENV, timeout=60)
    assert bad.is_error and bad.content[0].text == cli.stderr.strip()
    assert top.is_error and "--top must be 1 or more" in top.content[0].text
    assert extra.is_error and "bogus" in extra.content[0].text
    assert missing.is_error and "needs name" in missing.content[0].text


def test_check_content_and_root(tmp_path: Path):
    inside = tmp_path / "root"
    inside.mkdir()
    (inside / "app.py").write_text(APP)
    (tmp_path / "secret.py").write_text(APP)
    (inside / "link.py").symlink_to(tmp_path / "secret.py")
    (inside / "pkg").mkdir()
    (inside / "__init__.py").write_text("")  # root is a package: the CLI's project would be root's parent
    (inside / "pkg" / "__init__.py").write_text("")
    (inside / "pkg" / "app.py").write_text("import modal\nfrom common import GPU\n\napp = modal.App()\n\n\n@app.function(gpu=GPU)\ndef f():\n    pass\n")
    (tmp_path / "common.py").write_text('GPU = "A100"\n')  # outside: never read

    async def go(s):
        return [await s.call_tool("check", {"content": APP, "filename": "app.py"}),
                await s.call_tool("check", {"paths": ["app.py"]}),
                await s.call_tool("check", {"paths": ["../secret.py"]}),
                await s.call_tool("check", {"paths": ["."]}),
                await s.call_tool("check", {"paths": ["pkg/app.py"]}),
                await s.call_tool("translate", {"content": APP, "target": "runpod"})]

    content, under, outside, link, imported, tr = run(go, ["--root", str(inside)])
    assert not content.is_error and content.structured_content["findings"]
    assert [f["code"] for f in under.structured_content["findings"]] == [f["code"] for f in content.structured_content["findings"]]
    assert outside.is_error and "outside the server's --root" in outside.content[0].text
    assert link.is_error and "link.py leads outside" in link.content[0].text  # a link met in a directory
    assert not imported.is_error
    assert not any(f["code"] == "GA101" for f in imported.structured_content["findings"])  # common.py, outside, unread
    assert not tr.is_error and tr.structured_content["target"] == "runpod"


def test_resources_carry_price_dates():
    async def go(s):
        gpus = await s.read_resource("gpuadvisor://gpus")
        modal = await s.read_resource("gpuadvisor://providers/modal")
        try:
            await s.read_resource("gpuadvisor://providers/modl")
            unknown = None
        except Exception as e:  # the SDK raises the JSON-RPC error
            unknown = str(e)
        return json.loads(gpus.contents[0].text), json.loads(modal.contents[0].text), unknown

    gpus, modal, unknown = run(go)
    assert unknown is not None and "did you mean 'modal'" in unknown
    assert any(g["id"] == "h100-sxm" for g in gpus["gpus"])
    assert modal["provider"] == "modal" and all("as_of" in o["price"] for o in modal["offerings"] if o["price"])


def test_without_the_extra_or_off_loopback_exit_2():
    far = subprocess.run([*SERVER, "mcp", "--http", "0.0.0.0:8765"], capture_output=True, text=True, env=ENV, timeout=60)
    assert far.returncode == 2 and "--allow-remote" in far.stderr and far.stdout == ""
    code = "import sys; sys.modules['mcp'] = None; sys.argv = ['gpuadvisor', 'mcp']; from gpuadvisor.entry import main; main()"
    missing = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=60)
    assert missing.returncode == 2 and "pip install 'gpuadvisor[mcp]'" in missing.stderr


def test_http_transport_on_loopback():
    from mcp.client.streamable_http import streamable_http_client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*SERVER, "mcp", "--http", f"127.0.0.1:{port}"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        async def go():
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await session.call_tool("show", {"name": "h100"})

        result = anyio.run(go)
        assert not result.is_error and result.structured_content == cli_json(["show", "h100"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_stdout_is_protocol_only_and_errors_leave_no_traceback():
    lines = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
             {"jsonrpc": "2.0", "method": "notifications/initialized"},
             {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "cost", "arguments": {"requests_per_day": -1}}},
             {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "nope", "arguments": {}}},
             {"jsonrpc": "2.0", "id": 4, "method": "resources/read", "params": {"uri": "gpuadvisor://providers/modl"}},
             {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "models", "arguments": {}}}]
    proc = subprocess.Popen([*SERVER, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)
    watchdog = threading.Timer(60, proc.kill)  # a server that never answers fails the test, never hangs it
    watchdog.start()
    try:
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in lines))
        proc.stdin.flush()
        answers = {}
        while len(answers) < 5:  # every stdout line is a JSON-RPC message
            line = proc.stdout.readline()
            assert line, "the server closed stdout early"
            message = json.loads(line)
            answers[message["id"]] = message
        proc.stdin.close()
        proc.wait(timeout=20)
        stderr = proc.stderr.read()
    finally:
        watchdog.cancel()
        proc.kill()
    assert set(answers) == {1, 2, 3, 4, 5}
    assert answers[2]["result"]["isError"] and answers[3]["result"]["isError"]
    assert answers[4]["error"]["message"].startswith("gpuadvisor: error: unknown provider")
    assert "Traceback" not in stderr and proc.stdout.read() == ""

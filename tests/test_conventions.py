"""Conventions every command keeps (issue 25 item 3), and the CLI's options matching the option
definitions in gpuadvisor.commands that the MCP server's schemas are built from."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gpuadvisor.cli import app
from gpuadvisor.commands import advise, browse, speed, translate

ROOT = get_command(app)
COMMANDS = [advise.ESTIMATE, advise.RECOMMEND, advise.COST, speed.SPEED, browse.LIST, browse.SHOW, browse.COMPARE,
            browse.MODELS, translate.TRANSLATE, translate.CHECK]


def _walk(cmd, path=()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, (*path, name))


@pytest.mark.parametrize("path", [p for p, _ in _walk(ROOT)], ids=lambda p: " ".join(p) or "root")
def test_dash_h_is_help_everywhere(path):
    out = CliRunner().invoke(app, [*path, "-h"])
    assert out.exit_code == 0 and "Usage:" in out.output


def test_a_short_flag_means_one_thing_in_every_command():
    meaning: dict[str, set[str]] = {}
    for _, cmd in _walk(ROOT):
        for p in cmd.params:
            for flag in (*p.opts, *p.secondary_opts):
                if len(flag) == 2 and flag != "-h":
                    meaning.setdefault(flag, set()).add(p.opts[0] if p.opts[0].startswith("--") else max(p.opts, key=len))
    assert {f: m for f, m in meaning.items() if len(m) > 1} == {}
    assert meaning["-r"] == {"--requests-per-day"} and meaning["-o"] == {"--output"} and meaning["-s"] == {"--seconds-per-request"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_cli_options_are_built_from_the_command_specs(command):
    click_cmd = ROOT.commands[command.name]
    params = {p.name: p for p in click_cmd.params}
    assert list(params) == [p.name for p in command.params]
    for spec in command.params:
        p = params[spec.name]
        assert p.help == spec.help
        assert tuple(o for o in p.opts if o.startswith("-")) == spec.flags
        assert bool(p.multiple or getattr(p, "nargs", 1) == -1) == spec.multiple
        if not spec.multiple and spec.default is not None:
            assert p.default == spec.default
        kind = {str: "STR", int: "INT", float: "FLOAT", bool: "BOOLEAN"}[spec.type]
        assert p.type.name.upper() == kind, spec.name


def _complete(words: str) -> list[str]:
    env = {**os.environ, "_GPUADVISOR_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    out = subprocess.run([sys.executable, "-m", "gpuadvisor"], env=env, capture_output=True, text=True, timeout=60)
    return out.stdout.split()


def test_gpu_completion_offers_names_not_shapes_and_dtype_completes():
    names = _complete("gpuadvisor list --gpu A10")
    assert "A100" in names and not any(":" in n for n in names)
    assert _complete("gpuadvisor estimate --dtype fp") == ["fp32", "fp16", "fp8", "fp4"] or \
        set(_complete("gpuadvisor estimate --dtype fp")) == {"fp32", "fp16", "fp8", "fp4"}


def test_completion_honours_the_shell_named():
    def show(*args):
        return subprocess.run([sys.executable, "-m", "gpuadvisor", *args], capture_output=True, text=True, timeout=60)

    zsh, fish, bash = show("--show-completion", "zsh"), show("--show-completion", "fish"), show("--show-completion=bash")
    assert zsh.returncode == fish.returncode == bash.returncode == 0
    assert zsh.stdout.startswith("#compdef gpuadvisor") and fish.stdout.startswith("complete --command gpuadvisor")
    assert "COMP_WORDS" in bash.stdout


def test_install_completion_writes_for_the_shell_named(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    out = subprocess.run([sys.executable, "-m", "gpuadvisor", "--install-completion", "fish"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / ".config/fish/completions/gpuadvisor.fish").is_file()
    assert not (tmp_path / ".bashrc").exists()


def test_check_dash_reads_stdin():
    app_text = 'import modal\napp = modal.App()\n@app.function(gpu="A100")\ndef f():\n    pass\n'
    out = subprocess.run([sys.executable, "-m", "gpuadvisor", "check", "-", "--json"], input=app_text,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    import json

    findings = json.loads(out.stdout)["findings"]
    assert [(f["file"], f["line"], f["code"]) for f in findings] == [("stdin.py", 3, "GA101")]

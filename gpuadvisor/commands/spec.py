"""One option, described once as data: the CLI builds its Typer option from it and the MCP server its
JSON Schema property, so the name, type, help, default and choices never drift apart.

Importing this module costs nothing (no typer, no mcp): both front ends read it.
"""

from __future__ import annotations

from typing import Any


class Param:
    """A command's option or argument. `name` is the Python keyword the runner takes (and the MCP
    argument); `flags` the CLI spellings (empty for a positional argument). `choices` are the only
    accepted values (an enum in the schema); `suggest` are completions that do not restrict;
    `complete` names a dynamic completion ("gpu", "provider", "model", "workload", "sort", …);
    `cli_only` marks output form and file writing, which are no tool argument; `extra` holds further
    Typer keyword arguments. A plain class with slots, not a dataclass: every run imports these
    definitions, and a dataclass is generated code (exec) at import."""

    __slots__ = ("name", "type", "help", "flags", "default", "multiple", "required", "choices", "suggest", "complete",
                 "metavar", "cli_only", "extra")

    def __init__(self, name: str, type: type = str, help: str = "", flags: tuple[str, ...] = (), default: Any = None,
                 multiple: bool = False, required: bool = False, choices: tuple[str, ...] = (), suggest: tuple[str, ...] = (),
                 complete: str | None = None, metavar: str | None = None, cli_only: bool = False, extra: dict | None = None):
        self.name, self.type, self.help, self.flags, self.default = name, type, help, flags, default
        self.multiple, self.required, self.choices, self.suggest, self.complete = multiple, required, choices, suggest, complete
        self.metavar, self.cli_only, self.extra = metavar, cli_only, extra or {}

    @property
    def argument(self) -> bool:
        return not self.flags

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.type.__name__}, flags={self.flags!r})"


class Command:
    """A command's name, one-line summary (its help's first line) and parameters, in CLI order."""

    def __init__(self, name: str, summary: str, params: tuple[Param, ...]):
        self.name, self.summary, self.params = name, summary, params

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def tool_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.cli_only)


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schema(command: Command, overrides: dict[str, Param] | None = None) -> dict:
    """The command's tool arguments as a JSON Schema object (draft 2020-12): each option's type, enum,
    default and description, from the same Param the CLI option is built from."""
    props: dict[str, dict] = {}
    required: list[str] = []
    params = [*(overrides or {}).values(), *(p for p in command.tool_params() if p.name not in (overrides or {}))]
    for p in params:
        item: dict[str, Any] = {"type": _JSON_TYPES[p.type]}
        if p.choices:
            item["enum"] = list(p.choices)
        elif p.suggest:
            item["examples"] = list(p.suggest)
        prop: dict[str, Any] = {"type": "array", "items": item} if p.multiple else dict(item)
        desc = p.help + (f" (CLI: {', '.join(p.flags)})" if p.flags else "")
        prop["description"] = desc.strip()
        if p.default is not None and not p.multiple:
            prop["default"] = p.default
        props[p.name] = prop
        if p.required:
            required.append(p.name)
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema

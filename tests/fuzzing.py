"""Hypothesis strategies for fuzzing: whole command lines, and GPU specs per provider parser.

Used by the in-suite fuzz tests (test_robustness, a CI-sized count with a fixed seed) and by
`make fuzz` (bench/fuzz.py, the audit's counts: >= 5,000 command lines, >= 2,000 specs per
provider). The shapes follow the reliability audit of 2026-11-23: random subcommands with own and
foreign options, values that are unicode, NaN/inf, huge, negative, empty, 5k-100k characters,
shell metacharacters; specs from a grammar of real names, suffixes, counts and lists, mutated,
plus pathological ones (deep brackets, long expressions, Python code).
"""

from __future__ import annotations

from hypothesis import strategies as st

COMMANDS = [["list"], ["show"], ["compare"], ["recommend"], ["translate"], ["estimate"], ["models"], ["detect"],
            ["catalog", "info"], ["catalog", "validate"], ["catalog", "paths"], ["nope"], []]
# every option of every command, and some that exist nowhere; never --install-completion
# (it edits the shell's rc files) and never --file (translate --file reading is tested elsewhere)
OPTIONS = ["--provider", "-p", "--min-vram", "--kind", "-k", "--arch", "--gpu", "--max-price", "--sort", "-s", "--reverse",
           "-r", "--json", "--format", "--vram", "--workload", "-w", "--max-gpus", "--top", "-n", "--min-nvenc",
           "--budget", "--explain", "--model", "-m", "--params", "--dtype", "--kv-dtype", "--context", "--batch",
           "--mode", "--overhead", "--overhead-gb", "--count", "-c", "--builtin-only", "--help", "--version",
           "--bogus", "-x", "--", "-", "--json=1", "--top=-1"]
WORDS = ["h100", "H100", "A100:4", "AMPERE_80", "GPU-H100", "modal", "runpod", "fal", "acme", "llm", "video",
         "llama-3.1-70b", "70B", "32k", "fp8", "int4", "table", "csv", "json", "price", "vram", "gpu", "pool", "cpu",
         "hopper", "ampere", "rtx-4090", "[\"H100\", \"A100-40GB:2\"]", "GpuGroup.AMPERE_80", "H100!", "H100+"]
NUMBERS = ["0", "-0", "1", "-1", "70", "1e309", "-1e309", "nan", "NaN", "inf", "-inf", "1e-400", "5e-324",
           "99999999999999999999", "0x10", "１", "٢", "1_000", "1.5", ".5", "5.", "+3", "1e9"]
ODD = ["", " ", "\t", "'", '"', "\\", ";", "|", "&&", "$(id)", "`id`", "${HOME}", "*", "~", "%s", "{}", "{0}",
       "{name.__class__}", "\x00", "\x7f", "\u202e", "😀", "ＨＯＯ", "Ｈ100", "\udcff", "A" * 5000, "[" * 3000,
       "h100" * 2000, "é" * 10000, "-" * 1000 + "1", "__import__('os').system('touch pwned')"]


def _value() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.sampled_from(NUMBERS), st.sampled_from(ODD),
                     st.text(max_size=30), st.text(min_size=5000, max_size=6000).map(lambda s: s[:5000]),
                     st.integers().map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr))


@st.composite
def command_line(draw) -> list[str]:
    """A random subcommand, then a mix of options (its own and others') and values."""
    args = list(draw(st.sampled_from(COMMANDS)))
    if draw(st.booleans()):
        args.insert(0, "--builtin-only")
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            args.append(draw(st.sampled_from(OPTIONS)))
        elif kind == 1:
            args += [draw(st.sampled_from(OPTIONS)), draw(_value())]
        else:
            args.append(draw(_value()))
    return [a for a in args if "\x00" not in a]  # argv cannot hold NUL


@st.composite
def structured_command_line(draw) -> list[str]:
    """A valid command with its own options, random values."""
    cmd = draw(st.sampled_from([
        ["show", "NAME"], ["compare", "NAME", "NAME"], ["list", "--min-vram", "NUM", "--sort", "VAL"],
        ["list", "--provider", "VAL", "--kind", "VAL", "--max-price", "NUM"], ["list", "--gpu", "NAME", "--arch", "VAL"],
        ["recommend", "--vram", "NUM", "-w", "VAL", "--top", "NUM", "--max-gpus", "NUM", "--budget", "NUM"],
        ["recommend", "--model", "VAL", "--dtype", "VAL", "--context", "VAL", "--batch", "NUM"],
        ["estimate", "--params", "VAL", "--context", "VAL", "--mode", "VAL", "--overhead", "NUM"],
        ["estimate", "-m", "VAL", "--kv-dtype", "VAL", "--overhead-gb", "NUM"],
        ["translate", "VAL", "VAL", "NAME", "--count", "NUM"], ["catalog", "info"], ["models"],
    ]))
    out = []
    for a in cmd:
        if a == "NAME":
            out.append(draw(st.one_of(st.sampled_from(WORDS), _value())))
        elif a == "NUM":
            out.append(draw(st.sampled_from(NUMBERS)))
        elif a == "VAL":
            out.append(draw(_value()))
        else:
            out.append(a)
    if draw(st.booleans()):
        out.append("--json")
    return [a for a in out if "\x00" not in a]


def any_command_line() -> st.SearchStrategy[list[str]]:
    return st.one_of(command_line(), structured_command_line())


# ------------------------------------------------------------------ specs

SUFFIXES = ["", "", "", "!", "+", "?", ":1", ":2", ":8", ":9", ":0", ":-1", ":x", ":", "::2", ":２"]


@st.composite
def spec(draw, names: list[str]) -> str:
    """A GPU spec as a provider's user might write it, right or wrong."""
    def item() -> str:
        base = draw(st.sampled_from(names)) if draw(st.integers(0, 4)) else draw(st.text(max_size=12))
        if draw(st.booleans()):
            base = draw(st.sampled_from([base.lower(), base.upper(), f" {base} ", f'"{base}"', f"'{base}'"]))
        return base + draw(st.sampled_from(SUFFIXES))

    shape = draw(st.integers(0, 9))
    if shape <= 3:
        text = item()
    elif shape <= 5:
        text = ", ".join(item() for _ in range(draw(st.integers(1, 5))))
    elif shape <= 7:
        items = [item() for _ in range(draw(st.integers(0, 6)))]
        quoted = [i if i.startswith(("GpuType.", "GpuGroup.")) else repr(i) for i in items]
        text = draw(st.sampled_from(["[", "("])) + ", ".join(quoted) + draw(st.sampled_from(["]", ")", "", ",]"]))
    elif shape == 8:
        text = draw(st.sampled_from([
            "[" * 3000, "[" * 3000 + "]" * 3000, "x" * 60_000, "[" + ", ".join(['"H100"'] * 400) + "]",
            "[" + "-" * 1000 + "1]", "[" + "+".join(["1"] * 900) + "]", "[" + "(" * 100 + "1" + ")" * 100 + "]",
            "__import__('os').system('touch pwned')", "[__import__('os').system('touch pwned')]",
            "[GpuType." + ".".join(["A"] * 1000) + "]", "[lambda: 1]", "[f'{1}']", "{'a': 1}", "[*a]", "[...]",
            "[1 if 1 else 2]", "['H100'] * 10**9", "[" + "not " * 500 + "1]",
        ]))
    else:
        text = draw(st.text(max_size=200))
    for _ in range(draw(st.integers(0, 2))):  # mutations
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.integers(0, 2))
        text = text[:i] + text[i + 1:] if op == 0 else text[:i] + draw(st.sampled_from(list("[](),:'\"!+ \\"))) + text[i:] \
            if op == 1 else text[:i] + text[i] * draw(st.integers(2, 50)) + text[i:]
    return text

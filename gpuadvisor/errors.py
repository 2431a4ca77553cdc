"""One error hierarchy. Library code raises these; only the CLI prints them and picks exit codes."""

from __future__ import annotations


class GpuAdvisorError(Exception):
    """Base class. `exit_code` follows the CLI contract: 2 = bad input, 1 = nothing matched."""

    exit_code = 2


class UsageError(GpuAdvisorError):
    """A bad option value, spec or name given by the user."""


class FixableSpec(UsageError):
    """A spec the provider refuses, with the closest one it accepts: `fix` is (offering, count) for
    a rewrite (check), or None when there is none."""

    def __init__(self, message: str, fix: tuple | None = None):
        super().__init__(message)
        self.fix = fix


class CountOverLimit(FixableSpec):
    """A GPU count over what the provider allows for that GPU (check: GA103)."""


class CpuGpuMixup(FixableSpec):
    """A CPU machine type given a GPU count, or mixed with GPUs (check: GA107)."""


class UnknownName(UsageError):
    """A name (GPU, provider, workload, model, …) that is not in the catalogs."""

    def __init__(self, what: str, name: str, candidates: list[str] | tuple[str, ...] = (), hint: str = ""):
        self.what, self.name = what, name
        self.suggestions = suggest(name, candidates)
        msg = f"unknown {what} {clip(name)}"
        if self.suggestions:
            msg += _did_you_mean(self.suggestions)
        elif hint:
            msg += f"; {hint}"
        elif candidates and len(candidates) <= 12:
            msg += "; choose from " + ", ".join(dict.fromkeys(candidates))
        super().__init__(msg)


class NoMatch(GpuAdvisorError):
    """The input was valid but nothing satisfies it (no GPU fits, no equivalent on the target)."""

    exit_code = 1


class NetworkError(GpuAdvisorError):
    """A download that failed on the way (no connection, no answer, a reset, a truncated body, a
    server error): the request was fine, so exit 1 as the contract says, not 2. Nothing changed."""

    exit_code = 1


class OutputError(GpuAdvisorError):
    """The output could not be written (stdout closed, a full disk, `ulimit -f`): exit 1, as for a
    failure on the way; a reader that went away (EPIPE) is not this (exit 0)."""

    exit_code = 1


class CatalogError(GpuAdvisorError):
    """A catalog file that cannot be used. `problems` holds one (file, line, key, message) per issue."""

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(str(first) + more)


class CatalogProblem:
    """One validation problem, located by file, line and dotted key path."""

    __slots__ = ("file", "line", "key", "message")

    def __init__(self, file: str, line: int | None, key: str, message: str):
        self.file, self.line, self.key, self.message = file, line, key, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "key": self.key, "message": self.message}


MAX_NAME_CHARS = 100  # longer input is no misspelt name: no "did you mean", and it is clipped when shown


def clip(text: str, n: int = 60) -> str:
    """repr(text), shortened to about n characters: an error line never echoes 100 KB back."""
    shown = repr(text)
    return shown if len(shown) <= n else f"{shown[: n - 4]}…{shown[-1]} ({len(text):,} characters)"


def _did_you_mean(hits: list[str]) -> str:
    return "; did you mean " + " or ".join(repr(h) for h in hits) + "?" if hits else ""


def did_you_mean(name: str, candidates, n: int = 3) -> str:
    """`; did you mean 'x'?` for a near miss, or "" when nothing is close."""
    return _did_you_mean(suggest(name, candidates, n))


_LOOKALIKE = str.maketrans({"o": "0", "l": "1", "i": "1"})


def suggest(name: str, candidates, n: int = 3) -> list[str]:
    """Close matches for a misspelt name, case-insensitively, original spelling kept."""
    if not candidates or len(name) > MAX_NAME_CHARS:
        return []
    import difflib  # only on the error path
    import os

    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    needle = name.lower().strip()
    if not needle:
        return []

    def score(cand: str) -> float:
        # similarity, plus a bonus for a shared prefix ("h1000" is nearer "h100-sxm" than "h200")
        # and for a look-alike typo (letter O for zero: "ampere_8o" is "ampere_80")
        prefix = len(os.path.commonprefix([needle, cand]))
        alike = 0.2 if needle.translate(_LOOKALIKE) == cand.translate(_LOOKALIKE) else 0.0
        return difflib.SequenceMatcher(None, needle, cand).ratio() + 0.05 * min(prefix, 6) + alike

    scored = sorted(((score(c), c) for c in by_lower), key=lambda x: -x[0])
    hits = [c for s, c in scored if s >= 0.65][:n]
    if not hits:  # a prefix or substring is a strong hint too ("h10" -> "h100-sxm")
        hits = [k for k in by_lower if k.startswith(needle) or (len(needle) > 2 and needle in k)][:n]
    return [by_lower[h] for h in hits]

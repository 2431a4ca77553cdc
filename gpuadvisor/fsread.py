"""Bounded reads of user-named files: a regular file, at most `cap` bytes, never a device or FIFO.

Every file gpuadvisor reads on a user's say-so (catalogs, `translate --file`, `check`, model
configs) goes through `read_capped`. `stat().st_size` is 0 for /dev/zero and FIFOs, so a size check
alone lets them through: the file is opened non-blocking (a FIFO with no writer must not hang
the command), checked with fstat to be a regular file, and read up to cap + 1 bytes so an
over-long file is refused without being read whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gpuadvisor.errors import UsageError


def display_path(path: os.PathLike | str) -> str:
    """A path as printable text: bytes that are not UTF-8 (surrogate-escaped by the OS layer)
    are shown as \\xNN, so printing never fails on a strict UTF-8 stdout or stderr."""
    text = os.fspath(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n // 1024:,} KB" if n % 1024 == 0 else f"{n:,} bytes"


def read_capped(path: os.PathLike | str, cap: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `cap` bytes; UsageError (one clear line) otherwise."""
    shown = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"no such {what}: {shown}") from None
    except IsADirectoryError:
        raise UsageError(f"{shown} is a directory, not a {what}") from None
    except OSError as e:
        raise UsageError(f"cannot read {shown}: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{shown} is a directory, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{shown} is not a regular file (a device, FIFO or socket); only regular files are read")
        if st.st_size > cap:
            raise UsageError(f"{shown} is {st.st_size:,} bytes; a {what} larger than {_mb(cap)} is not read")
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:  # it grew while being read
            raise UsageError(f"{shown} is larger than {_mb(cap)}; a {what} that large is not read")
        return b"".join(chunks)
    except OSError as e:
        raise UsageError(f"cannot read {shown}: {e.strerror or e}") from None
    finally:
        os.close(fd)


def read_text_capped(path: os.PathLike | str, cap: int, what: str = "file") -> str:
    """UTF-8 text (a leading BOM is dropped) of a regular file of at most `cap` bytes."""
    data = read_capped(path, cap, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{display_path(path)} is not UTF-8 text ({e.reason} at byte {e.start})") from None


def read_python_capped(path: os.PathLike | str, cap: int, what: str = "Python file") -> str:
    """A Python source file's text, decoded as Python decodes it (PEP 263): UTF-8 by default, or
    the encoding a `# -*- coding: NAME -*-` cookie on line 1 or 2 names (audit N16)."""
    data = read_capped(path, cap, what)
    head = data[:400].split(b"\n", 2)[:2]
    if not any(b"coding" in line for line in head):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise UsageError(f"{display_path(path)} is not UTF-8 text ({e.reason} at byte {e.start}) and names no "
                             "other encoding (PEP 263)") from None
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as e:
        why = e.reason if isinstance(e, UnicodeDecodeError) else str(e).splitlines()[0][:100]
        raise UsageError(f"{display_path(path)}: cannot decode the source ({why})") from None


def is_regular_file(path: Path) -> bool:
    """True for a regular file (after symlinks); False for anything else or on any error."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False

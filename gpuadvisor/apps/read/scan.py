"""One entry point for reading an app file: a provider config file by its name (configscan), any other
file as Python (filescan)."""

from __future__ import annotations

from pathlib import Path

from gpuadvisor.apps.read.configscan import handles, scan_config
from gpuadvisor.apps.read.filescan import scan_source
from gpuadvisor.apps.read.findings import MAX_FILE_BYTES, Scan
from gpuadvisor.apps.read.project import Project, project_root
from gpuadvisor.errors import UsageError
from gpuadvisor.fsread import display_path, read_python_capped


def scan_file(path: Path, source: str | None = None, project: Project | None = None) -> Scan:
    """One file's configurations; a Python file's local imports are followed within `project` (by
    default the directory above the file's top package)."""
    if handles(path):  # a provider's config file, by name (configscan.READERS)
        return scan_config(Path(path), source)
    text = read_python_capped(path, MAX_FILE_BYTES, "Python file")  # PEP 263 cookies honoured (N16)
    try:
        project = project or Project(project_root(path))
        return scan_source(text, source, project.for_file(Path(path)))
    except UsageError as e:
        raise UsageError(f"{display_path(path)}: {e}") from None

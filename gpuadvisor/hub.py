"""`--model hf:ORG/NAME`: fetch a model's config.json and safetensors index from the Hugging Face
Hub through huggingface_hub (the optional `gpuadvisor[hub]` extra), never its weights.

Only those two named files are asked for (hf_hub_download by filename); they land in
huggingface_hub's own cache, so a second run works offline. `HF_ENDPOINT` (a mirror, or a test
server) and `HF_TOKEN` (gated models) work as in every Hugging Face tool. Every failure is one
line: the extra missing, no network, a repository that does not exist, a gated model.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gpuadvisor.errors import GpuAdvisorError, UsageError

FILES = ("config.json", "model.safetensors.index.json")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_REVISION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")


class HubUnreachable(GpuAdvisorError):
    """The Hub could not be reached (offline, DNS, timeout): like `catalog update`, exit 1."""

    exit_code = 1


def fetch_config(repo: str) -> Path:
    """The local directory holding the repo's config.json (and its index when it has one)."""
    repo, _, revision = repo.partition("@")
    if not _REPO.match(repo) or ".." in repo:
        raise UsageError(f"hf:{repo!r} is not a Hugging Face model id; write hf:ORG/NAME (e.g. hf:Qwen/Qwen3-8B)")
    if revision and (not _REVISION.fullmatch(revision) or ".." in revision):  # audit 2026-12-04 N16
        raise UsageError(f"hf:{repo}@{revision[:60]!r}: not a revision (a branch, tag or commit: letters, digits, "
                         "., -, _ and /)")
    try:
        from huggingface_hub import errors as hf_errors
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise UsageError("--model hf:… needs huggingface_hub: pip install 'gpuadvisor[hub]' "
                         "(or download config.json yourself and give its path)") from None
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import logging

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its retry warnings are not ours to print
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes") or not _reachable()
    directory = None
    for name in FILES:
        try:
            local = hf_hub_download(repo, name, revision=revision or None, etag_timeout=10, local_files_only=offline)
        except hf_errors.LocalEntryNotFoundError:
            if name != "config.json" and directory is not None:
                continue
            raise HubUnreachable(f"cannot reach the Hugging Face Hub for hf:{repo} and it is not in the local cache "
                                 "(offline?); download its config.json and give the path instead") from None
        except hf_errors.GatedRepoError:
            raise UsageError(f"hf:{repo} is gated: accept its licence on the Hub and log in "
                             "(`hf auth login` or HF_TOKEN)") from None
        except hf_errors.RepositoryNotFoundError:
            raise UsageError(f"hf:{repo}: no such model on the Hub (or it is private: log in with `hf auth login` "
                             "or HF_TOKEN)") from None
        except hf_errors.RevisionNotFoundError:
            raise UsageError(f"hf:{repo}: no revision {revision!r}") from None
        except (hf_errors.EntryNotFoundError, getattr(hf_errors, "RemoteEntryNotFoundError", hf_errors.EntryNotFoundError)):
            if name == "config.json":
                raise UsageError(f"hf:{repo} has no config.json; give --params SIZE instead") from None
            continue  # no index: the parameters are counted from the config
        except hf_errors.HfHubHTTPError as e:
            raise HubUnreachable(f"the Hugging Face Hub answered {_status(e)} for hf:{repo}; try again later, "
                                 "or give the path of a downloaded config.json") from None
        except OSError as e:
            raise HubUnreachable(f"cannot reach the Hugging Face Hub for hf:{repo} ({type(e).__name__}); "
                                 "download its config.json and give the path instead") from None
        if directory is None:
            directory = Path(local).parent
        elif Path(local).parent != directory:  # both files of one revision share a snapshot folder
            continue
    assert directory is not None, "config.json comes first: found, or an error was raised"
    return directory


def _reachable(timeout: float = 5.0) -> bool:
    """Whether the Hub's host accepts a connection: huggingface_hub retries an unreachable host for
    about 20 s, so an offline run checks once and goes straight to the local cache."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "huggingface.co", port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def _status(e: Exception) -> str:
    resp = getattr(e, "response", None)
    code = getattr(resp, "status_code", None)
    return f"HTTP {code}" if code else type(e).__name__

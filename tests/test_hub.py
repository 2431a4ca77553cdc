"""--model hf:ORG/NAME through huggingface_hub, against a loopback server standing in for the Hub
(HF_ENDPOINT): only config.json and the index are asked for, offline is one line, and without the
extra installed the error says how to get it."""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

MODELS = Path(__file__).parent / "fixtures" / "models"
REPOS = {"org/phi3": MODELS / "phi3-mini-slerp-merge", "org/llama": MODELS / "llama-3.1-8b-instruct"}


class _Hub(http.server.BaseHTTPRequestHandler):
    """`/{org}/{name}/resolve/{revision}/{file}` as the Hub serves it (HEAD and GET, X-Repo-Commit,
    ETag); 404s carry the Hub's X-Error-Code so huggingface_hub tells a missing repo from a missing file."""

    requests: list[str] = []

    def _serve(self, body: bool) -> None:
        type(self).requests.append(f"{self.command} {self.path}")
        parts = self.path.split("?")[0].strip("/").split("/")
        repo = "/".join(parts[:2])
        if len(parts) < 5 or parts[2] != "resolve" or repo not in REPOS:
            return self._missing("RepoNotFound")
        f = REPOS[repo] / parts[-1]
        if not f.is_file():
            return self._missing("EntryNotFound")
        data = f.read_bytes()
        self.send_response(200)
        self.send_header("X-Repo-Commit", "a" * 40)
        self.send_header("ETag", f'"{hashlib.sha1(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _missing(self, code: str) -> None:
        self.send_response(404)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):  # noqa: N802
        self._serve(False)

    def do_GET(self):  # noqa: N802
        self._serve(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def hub(tmp_path):
    pytest.importorskip("huggingface_hub")
    _Hub.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _gpuadvisor(*args: str, endpoint: str, home: Path) -> subprocess.CompletedProcess:
    """A real process: huggingface_hub reads HF_ENDPOINT and HF_HOME when it is imported."""
    env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_HOME": str(home), "XDG_CACHE_HOME": str(home / "xdg"),
           "HF_HUB_DISABLE_TELEMETRY": "1"}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "gpuadvisor", *args], env=env, capture_output=True, text=True, timeout=120)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetches_config_and_index_only(hub, tmp_path):
    import json

    r = _gpuadvisor("estimate", "--model", "hf:org/phi3", "--json", endpoint=hub, home=tmp_path)
    assert r.returncode == 0, r.stderr
    est = json.loads(r.stdout)["estimate"]
    assert est["checkpoint"]["params"] == 3_821_079_552
    assert est["checkpoint"]["params_from"] == "model.safetensors.index.json metadata.total_size"
    files = {req.rsplit("/", 1)[-1] for req in _Hub.requests if "/resolve/" in req}
    assert files == {"config.json", "model.safetensors.index.json"}  # never a weight file
    # cached: works again with the Hub gone
    again = _gpuadvisor("estimate", "--model", "hf:org/phi3", "--json", endpoint=f"http://127.0.0.1:{_closed_port()}",
                        home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["estimate"]["total_gb"] == est["total_gb"]


def test_a_repo_without_an_index_counts_from_the_config(hub, tmp_path):
    r = _gpuadvisor("estimate", "--model", "hf:org/llama", "--json", endpoint=hub, home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert '"params": 8030261248' in r.stdout


def test_unknown_repo_is_one_line(hub, tmp_path):
    r = _gpuadvisor("estimate", "--model", "hf:org/missing", endpoint=hub, home=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("gpuadvisor: error: hf:org/missing: no such model on the Hub")
    assert r.stderr.count("\n") == 1


def test_offline_is_one_line_exit_1(tmp_path):
    pytest.importorskip("huggingface_hub")
    r = _gpuadvisor("estimate", "--model", "hf:org/phi3", endpoint=f"http://127.0.0.1:{_closed_port()}", home=tmp_path)
    assert r.returncode == 1
    assert "cannot reach the Hugging Face Hub for hf:org/phi3" in r.stderr and r.stderr.count("\n") == 1


def test_without_the_extra_the_error_says_how_to_install_it(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # import fails as if not installed
    r = run("estimate", "--model", "hf:Qwen/Qwen3-8B", code=2)
    assert "pip install 'gpuadvisor[hub]'" in r.stderr and r.stderr.count("\n") == 1


def test_a_bad_repo_id(run):
    r = run("estimate", "--model", "hf:../../etc", code=2)
    assert "is not a Hugging Face model id" in r.stderr

"""`make fuzz` sections for the surfaces of the 2026-12-04 audit (issue 22), each a list of real
`gpuadvisor` processes with their wall time and peak RSS (os.wait4):

  inputs     N1 YAML alias bomb (check, check ., SARIF), N2 shard counts, N7 safetensors headers,
             N14 huge ints, N3 tar header bombs and N6 a 1M-row CSV through `catalog update` /
             `catalog import`: exit 2, one line, < 2 s and < 200 MB each (the 1M-row import that
             streams: < 30 s and < 300 MB)
  downloads  N4 redirects, N5 a 1 byte/s drip (ends at the 60 s deadline), N11 escape sequences
  kills      N10: 200 `catalog update` processes of a 150-file tarball killed at random moments;
             after each, every file is of one version and no .tmp is left
  cache      N13: 200 single-byte mutations of a valid cache, output compared with an uncached run;
             N8: a symlinked cache directory
  outputs    N14/N15: closed stdout, /dev/full, `ulimit -f`: exit 1 and one line, never 0
  signals    D12 is fuzz.py's `signals` section (100 SIGINTs by default)
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CFG = ROOT / "tests" / "fixtures" / "models" / "llama-2-13b-chat-gptq-4bit" / "config.json"
BOUND_S, BOUND_MB = 2.0, 200.0


def _script() -> list[str]:
    beside = Path(sys.executable).parent / "gpuadvisor"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gpuadvisor"]


def measured(args: list, cwd: Path, env: dict | None = None, timeout: float = 120, **popen):
    """(exit code, wall s, peak MB, stderr bytes) of one gpuadvisor process."""
    t = time.perf_counter()
    proc = subprocess.Popen(_script() + args, cwd=cwd, env=env, stdout=popen.pop("stdout", subprocess.DEVNULL),
                            stderr=subprocess.PIPE, **popen)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t, usage.ru_maxrss / 1024, err


def _serve(directory: Path, handler=None):
    cls = handler or type("H", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: cls(*a, directory=str(directory)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _tar_bomb(path: Path, kind: bytes, size: int) -> None:
    h = tarfile.TarInfo._create_header({"name": "././@LongLink" if kind != tarfile.REGTYPE else "x.toml", "mode": 0o644,
                                        "uid": 0, "gid": 0, "size": size, "mtime": 0, "type": kind, "linkname": "",
                                        "uname": "", "gname": "", "devmajor": 0, "devminor": 0},
                                       tarfile.GNU_FORMAT, "utf-8", "surrogateescape")
    with gzip.open(path, "wb", 9) as g:
        g.write(h)
        for _ in range(size >> 20):
            g.write(b"a" * (1 << 20))
        g.write(b"\0" * 1024)


def _inputs_setup(d: Path) -> list[tuple[str, list, float, float]]:
    """(label, args, bound s, bound MB) for each hostile input, written under d."""
    (d / "y").mkdir()
    lines = ["a0: &a0 [" + ",".join(['"H100"'] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 30)]
    (d / "y" / "config.yaml").write_text("\n".join(lines) + "\nresources:\n  accelerator: *a29\n  use_gpu: true\n")
    (d / "m").mkdir()
    shutil.copy(CFG, d / "m" / "config.json")
    for i in (1, 2, 3):
        (d / "m" / f"model-0000{i}-of-99999999999999999999.safetensors").write_bytes(b"")
    cases = [("N1 YAML alias bomb: check", ["check", "y/config.yaml"]),
             ("N1 YAML alias bomb: check --format sarif", ["check", "y/config.yaml", "--format", "sarif"]),
             ("N1 YAML alias bomb: check . (exit 0/1 allowed)", ["check", "."]),
             ("N2 shard count 10^20 in a file name", ["estimate", "--model", "m"])]
    headers = {"N7 300,000-dim shape": {"a": {"dtype": "F16", "shape": [999999999999] * 300000, "data_offsets": [0, 4]}},
               "N7 1,000,000 tensors": {f"t{i}": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}
                                         for i in range(1_000_000)},
               "N7 80,000 tensors (under the cap: exit 0 allowed)": {f"t{i}": {"dtype": "F16", "shape": [1],
                                                                        "data_offsets": [0, 2]} for i in range(80_000)},
               "N14 shape [10^300, 10^300]": {"a": {"dtype": "F16", "shape": [10**300, 10**300], "data_offsets": [0, 4]}}}
    for k, (label, header) in enumerate(headers.items()):
        s = d / f"s{k}"
        s.mkdir()
        shutil.copy(CFG, s / "config.json")
        raw = json.dumps(header).encode()
        (s / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw)
        cases.append((label, ["estimate", "--model", s.name]))
    (d / "i").mkdir()
    shutil.copy(CFG, d / "i" / "config.json")
    (d / "i" / "model.safetensors.index.json").write_text('{"metadata":{"total_size":' + "9" * 4000 + "}}")
    cases.append(("N14 index total_size of 4,000 digits (exit 0 allowed)", ["estimate", "--model", "i"]))
    _tar_bomb(d / "long.tar.gz", tarfile.GNUTYPE_LONGNAME, 2048 << 20)
    _tar_bomb(d / "pax.tar.gz", tarfile.XHDTYPE, 512 << 20)
    _tar_bomb(d / "member.tar.gz", tarfile.REGTYPE, 400 << 20)
    cases += [(f"N3 {n}.tar.gz", ["catalog", "update", f"URL/{n}.tar.gz"]) for n in ("long", "pax", "member")]
    with open(d / "vms.csv", "w") as f:
        f.write("InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n")
        f.writelines(f"i{i},H100,1,8,64,{1 + i % 97 / 10},r{i % 50},,\n" for i in range(1_000_000))
    cases.append(("N6 1M rows, 1M instance types (file)", ["catalog", "import", "skypilot", "vms.csv", "--id", "big",
                                                           "--cloud", "lambda"]))
    cases.append(("N6 1M rows (--from-url)", ["catalog", "import", "skypilot", "--from-url", "URL/vms.csv", "--id", "big",
                                              "--cloud", "lambda"]))
    return [(label, args, BOUND_S, BOUND_MB) for label, args in cases]


def fuzz_inputs() -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-inputs-"))
    # written by a child process: this one stays small, so the peak RSS of the processes it
    # starts (os.wait4) is theirs, not inherited from a parent that built 1M-entry headers
    out = subprocess.run([sys.executable, __file__, "--setup", str(d)], capture_output=True, text=True, check=True)
    cases = json.loads(out.stdout)
    httpd, base = _serve(d)
    rows, bad = [], []
    env = {**os.environ, "XDG_CONFIG_HOME": str(d / "cfg"), "XDG_CACHE_HOME": str(d / "cache")}
    try:
        for label, args, bound_s, bound_mb in cases:
            args = [a.replace("URL", base) for a in args]
            code, wall, mb, err = measured(args, d, env, timeout=60)
            rows.append((label, code, wall, mb))
            lenient = "allowed)" in label
            if (code != 2 and not (lenient and code in (0, 1))) or wall > bound_s or mb > bound_mb or \
                    (code == 2 and err.count(b"\n") != 1) or b"Traceback" in err:
                bad.append((label, code, f"{wall:.2f} s", f"{mb:.0f} MB", err[-200:]))
    finally:
        httpd.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    return {"rows": rows, "bad": bad}


class _Hostile(SimpleHTTPRequestHandler):
    """/redir-*: redirects that must be refused; /drip: 1 byte a second; /ansi: an escape-laden 404."""

    def do_GET(self):  # noqa: N802
        port = self.server.server_address[1]
        targets = {"/redir-http-other.toml": f"http://127.0.0.2:{port}/good.toml", "/redir-ftp.toml": "ftp://127.0.0.1:1/x",
                   "/redir-file.toml": "file:///etc/passwd", "/loop.toml": "/loop.toml"}
        try:
            if self.path in targets:
                self.wfile.write(f"HTTP/1.1 302 Found\r\nLocation: {targets[self.path]}\r\nContent-Length: 0\r\n\r\n".encode())
            elif self.path.startswith("/drip"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n" + (b"Content-Length: 600\r\n" if "len" in self.path else b"") + b"\r\n")
                for _ in range(600):
                    self.wfile.write(b"#")
                    self.wfile.flush()
                    time.sleep(1)
            elif self.path == "/ansi.toml":
                self.wfile.write(b"HTTP/1.1 404 \x1b[2J\x1b]0;TITLE-OWNED\x07\x1b[31mFAKE: update succeeded\r\n"
                                 b"Content-Length: 0\r\n\r\n")
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, *a):
        pass


def fuzz_downloads() -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-dl-"))
    httpd, base = _serve(d, _Hostile)
    env = {**os.environ, "XDG_CONFIG_HOME": str(d / "cfg"), "XDG_CACHE_HOME": str(d / "cache")}
    rows, bad = [], []
    cases = [("N4 302 to http on a non-loopback host", ["catalog", "update", base + "/redir-http-other.toml"], 2, 5),
             ("N4 302 to ftp://", ["catalog", "update", base + "/redir-ftp.toml"], 2, 5),
             ("N4 302 to file://", ["catalog", "update", base + "/redir-file.toml"], 2, 5),
             ("N11 redirect loop: one line", ["catalog", "update", base + "/loop.toml"], 2, 5),
             ("N11 escape sequences in the reason", ["catalog", "update", base + "/ansi.toml"], 2, 5),
             ("N5 1 byte/s, no Content-Length", ["catalog", "update", base + "/drip.toml"], 1, 65),
             ("N5 1 byte/s, Content-Length 600", ["catalog", "update", base + "/drip-len.toml"], 1, 65),
             ("N5 1 byte/s, import --from-url", ["catalog", "import", "skypilot", "--from-url", base + "/drip/vms.csv",
                                                 "--cloud", "lambda"], 1, 65)]
    try:
        for label, args, want, bound in cases:
            code, wall, mb, err = measured(args, d, env, timeout=120)
            rows.append((label, code, wall, mb))
            if code != want or wall > bound or err.count(b"\n") != 1 or any(c in err for c in b"\x1b\x07\r"):
                bad.append((label, code, f"{wall:.1f} s", err[-200:]))
            if not (d / "cfg").exists() or not any((d / "cfg").rglob("*.toml")):
                continue
            bad.append((label, "something was installed"))
    finally:
        httpd.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    return {"rows": rows, "bad": bad}


def _tarball(version: int, n: int = 150) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for i in range(n):
            body = (f'# v{version}\n[provider]\nid = "acme{i}"\nname = "Acme {i}"\n\n[[offering]]\nname = "A{i}"\n'
                    f'gpu = "t4"\nprice = {{ per_hour = {version + i / 1000}, as_of = "2026-12-01", basis = "list", '
                    f'source = "acme.example" }}\n').encode()
            info = tarfile.TarInfo(f"acme{i}.toml")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def fuzz_kills(n: int, rng: random.Random) -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-kill-"))
    (d / "v1.tar.gz").write_bytes(_tarball(1))
    (d / "v2.tar.gz").write_bytes(_tarball(2))
    httpd, base = _serve(d)
    env = {**os.environ, "XDG_CONFIG_HOME": str(d / "cfg"), "XDG_CACHE_HOME": str(d / "cache")}
    cat = d / "cfg" / "gpuadvisor" / "catalogs"
    bad, stats = [], {"old set": 0, "new set": 0}
    try:
        subprocess.run(_script() + ["catalog", "update", base + "/v1.tar.gz"], env=env, capture_output=True, check=True)
        t = time.perf_counter()
        subprocess.run(_script() + ["catalog", "update", base + "/v2.tar.gz"], env=env, capture_output=True, check=True)
        span = time.perf_counter() - t
        current = 2
        for k in range(n):
            target = 1 if current == 2 else 2
            proc = subprocess.Popen(_script() + ["catalog", "update", f"{base}/v{target}.tar.gz"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, span * 1.2))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            r = subprocess.run(_script() + ["list", "--json"], env=env, capture_output=True)  # any command: finishes a commit
            versions = {p.read_bytes()[:5] for p in cat.glob("acme*.toml")}
            prices = {round(o["price_per_hour"]) for o in json.loads(r.stdout) if o["provider"].startswith("acme")}
            if len(versions) != 1 or len(prices) != 1 or r.returncode != 0:
                bad.append((k, sorted(versions), sorted(prices), r.returncode))
            current = 1 if versions == {b"# v1\n"} else 2
            stats["old set" if current != target else "new set"] += 1
            if [p for p in cat.iterdir() if p.name.endswith(".tmp")]:
                bad.append((k, "a .tmp file is left"))
        subprocess.run(_script() + ["catalog", "update", base + "/v1.tar.gz"], env=env, capture_output=True)
        left = [p.name for p in cat.iterdir() if not p.name.endswith(".toml")]
        if left:
            bad.append(("after the next update", "left:", left[:5]))
    finally:
        httpd.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    return {"stats": stats, "bad": bad}


def fuzz_cache(n: int, rng: random.Random) -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-cache-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(d / "cfg"), "XDG_CACHE_HOME": str(d / "cache"), "HOME": str(d)}
    commands = [["list", "--json"], ["show", "h100", "--json"], ["recommend", "--vram", "70", "--json"]]
    truth = [subprocess.run(_script() + c, env={**env, "GPUADVISOR_NO_CACHE": "1"}, capture_output=True).stdout
             for c in commands]
    subprocess.run(_script() + ["list"], env=env, capture_output=True)
    [cache_file] = list((d / "cache" / "gpuadvisor").glob("catalog-*.json"))
    good = cache_file.read_bytes()
    digits = [i for i, b in enumerate(good) if 48 <= b <= 57]
    bad, stats = [], {"runs": 0}
    for k in range(n):
        data = bytearray(good)
        i = rng.choice(digits) if k % 2 else rng.randrange(len(data))
        data[i] = (data[i] - 48 + rng.randint(1, 9)) % 10 + 48 if k % 2 else rng.randrange(256)
        cache_file.write_bytes(bytes(data))
        c = k % len(commands)
        r = subprocess.run(_script() + commands[c], env=env, capture_output=True)
        stats["runs"] += 1
        if r.stdout != truth[c] or r.returncode != 0:
            bad.append((k, i, commands[c][0], r.returncode, r.stderr[-120:]))
        cache_file.write_bytes(good)
    # N8: a symlinked cache directory; its target's files stay
    shared, victim = d / "shared", d / "victim"
    shared.mkdir()
    victim.mkdir()
    for j in range(6):
        (victim / f"catalog-report{j}.json").write_text("{}")
    (victim / "catalog-old.pickle").write_text("precious")
    (shared / "gpuadvisor").symlink_to(victim)
    subprocess.run(_script() + ["list"], env={**env, "XDG_CACHE_HOME": str(shared)}, capture_output=True)
    if len(list(victim.iterdir())) != 7:
        bad.append(("N8", "files in a symlinked cache directory's target were deleted or added"))
    shutil.rmtree(d, ignore_errors=True)
    return {"stats": stats, "bad": bad}


def fuzz_outputs() -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-out-"))
    bad, rows = [], []

    def fsize():
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    cases = [("stdout closed", ["list"], dict(preexec_fn=lambda: os.close(1))),
             ("ulimit -f 1 --json", ["list", "--json"], dict(stdout=open(d / "o1", "wb"), preexec_fn=fsize)),
             ("ulimit -f 1 --format csv", ["list", "--format", "csv"], dict(stdout=open(d / "o2", "wb"), preexec_fn=fsize)),
             ("ulimit -f 1 table", ["list"], dict(stdout=open(d / "o3", "wb"), preexec_fn=fsize))]
    if Path("/dev/full").exists():
        cases.append(("/dev/full --json", ["list", "--json"], dict(stdout=open("/dev/full", "wb"))))
    for label, args, kw in cases:
        code, wall, mb, err = measured(args, d, **kw)
        rows.append((label, code, wall, mb))
        if code != 1 or err.count(b"\n") != 1:
            bad.append((label, code, err[-200:]))
    code, _, _, _ = measured(["show", "nope"], d, preexec_fn=lambda: os.close(2))
    if code != 2:
        bad.append(("stderr closed", code))
    shutil.rmtree(d, ignore_errors=True)
    return {"rows": rows, "bad": bad}


SECTIONS = {"inputs": fuzz_inputs, "downloads": fuzz_downloads, "kills": fuzz_kills, "cache": fuzz_cache,
            "outputs": fuzz_outputs}


def run_section(name: str, rng: random.Random, count: int = 200) -> dict:
    fn = SECTIONS[name]
    return fn(count, rng) if name in ("kills", "cache") else fn()


if __name__ == "__main__" and sys.argv[1:2] == ["--setup"]:
    print(json.dumps(_inputs_setup(Path(sys.argv[2]))))

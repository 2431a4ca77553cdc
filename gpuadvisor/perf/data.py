"""The [perf] table of the catalogs (catalogs/perf.toml): the performance model's constants, validated
like every other catalog table. A later file's [perf] keys override earlier ones key by key, so a
user can change one constant without copying the rest."""

from __future__ import annotations

from gpuadvisor.perf.constants import QUANT_FORMAT, AudioModel, DiffusionFamily, Engine, NvCodec, Perf

_PERF_KEYS = ("sources", "bandwidth_efficiency", "decode_overhead_us_per_layer", "inference_efficiency",
              "training_efficiency", "full_flops_per_param", "lora_flops_per_param", "qlora_slowdown",
              "training_overhead_ms_per_layer", "scaling", "transcode_fps", "geforce_nvenc_sessions", "value_tolerance",
              "multi_gpu_premium",
              "gemm_efficiency", "diffusion", "codec", "llm_compute_efficiency", "allreduce_us", "pcie_gb_s",
              "layer_hop_us", "data_parallel_efficiency", "low_precision_speedup", "engine", "default_engine",
              "fp8_gemm_scale", "diffusion_batch_exponent", "moe_efficiency", "pipeline_efficiency", "audio")
_FAMILY_KEYS = ("name", "tflop_per_step", "fixed_ms_per_step", "steps", "unit_seconds", "documented_gib",
                "calibration", "sources", "resolution")
_ENGINE_KEYS = ("name", "overhead_us_per_layer", "bandwidth_scale", "quant_efficiency", "max_batch", "split", "source",
                "diffusion_speedup", "allreduce_us", "allreduce_ring")
_FORMATS = tuple(sorted({*QUANT_FORMAT.values(), "16bit"}))
_CALIBRATION_KEYS = ("gpu", "steps_per_s", "source")
_CODEC_KEYS = ("encode_fps", "decode_fps", "source")
_SCALING = ("nvlink", "bridge", "pcie")
_MEMORY = ("GDDR", "HBM")
CODECS = ("h264", "hevc", "av1")


def _fractions(t, key: str, allowed: tuple[str, ...], upper: float = 1.0) -> dict | None:
    """A table of named fractions in (0, upper]: {GDDR = 0.85, HBM = 0.8}, {nvlink = 0.92, …}."""
    sub = t.table(key, allowed)
    if sub is None or not sub.ok:
        return None
    out = {}
    for k in sub.data:
        v = sub.get(k, "num", positive=True)
        if v is not None and v > upper:
            sub.file.fail(sub.path + (k,), f"must be at most {upper:g}, not {v:g}")
        elif v is not None:
            out[k] = float(v)
    return out


def build_perf(files, gpus: dict) -> Perf:
    """Merge every file's [perf] over the defaults in `Perf`; problems are recorded per file."""
    from gpuadvisor.catalog.schema import _Table

    vals: dict = {}
    gemm: dict = {}
    families: dict[str, DiffusionFamily] = {}
    codecs: dict[str, NvCodec] = {}
    engines: dict[str, Engine] = {}
    audio: dict[str, AudioModel] = {}
    sources: list[str] = []
    for f in files:
        if "perf" not in f.data:
            continue
        t = _Table(f, ("perf",), f.data["perf"], _PERF_KEYS)
        if not t.ok:
            continue
        sources.extend(t.get("sources", "strlist", []) or [])
        for key in ("decode_overhead_us_per_layer", "training_overhead_ms_per_layer", "full_flops_per_param",
                    "lora_flops_per_param", "transcode_fps", "pcie_gb_s", "layer_hop_us", "low_precision_speedup"):
            v = t.get(key, "num", None, positive=True)
            if v is not None:
                vals[key] = float(v)
        for key in ("inference_efficiency", "training_efficiency", "value_tolerance", "multi_gpu_premium",
                    "llm_compute_efficiency", "fp8_gemm_scale", "diffusion_batch_exponent", "moe_efficiency",
                    "pipeline_efficiency"):
            v = t.get(key, "num", None, positive=True)
            if v is not None and v > 1:
                f.fail(("perf", key), f"is a fraction (0–1], not {v:g}")
            elif v is not None:
                vals[key] = float(v)
        slow = t.get("qlora_slowdown", "num", None, positive=True)
        if slow is not None:
            vals["qlora_slowdown"] = float(slow)
        sessions = t.get("geforce_nvenc_sessions", "int", None, positive=True)
        if sessions is not None:
            vals["geforce_nvenc_sessions"] = sessions
        bw = _fractions(t, "bandwidth_efficiency", _MEMORY)
        if bw:
            vals["bandwidth_efficiency"] = tuple({**dict(vals.get("bandwidth_efficiency", ())), **bw}.items())
        for key, upper in (("scaling", 1.0), ("data_parallel_efficiency", 1.0), ("allreduce_us", 10_000.0)):
            table = _fractions(t, key, _SCALING, upper=upper)
            if table:
                vals[key] = tuple({**dict(vals.get(key, ())), **table}.items())
        default = t.get("default_engine", "str", None)
        if default is not None:
            vals["default_engine"] = default
        for aid, raw in (t.get("audio", "table", {}) or {}).items():
            a = _audio(f, ("perf", "audio", aid), aid, raw)
            if a is not None:
                audio[aid] = a
        for eid, raw in (t.get("engine", "table", {}) or {}).items():
            eng = _engine(f, ("perf", "engine", eid), eid, raw)
            if eng is not None:
                engines[eid] = eng
        ge = _fractions(t, "gemm_efficiency", ("default", *gpus), upper=1.5)
        if ge:
            gemm.update(ge)
        for fid, raw in (t.get("diffusion", "table", {}) or {}).items():
            fam = _family(f, ("perf", "diffusion", fid), fid, raw, gpus)
            if fam is not None:
                families[fid] = fam
        for arch, raw in (t.get("codec", "table", {}) or {}).items():
            c = _codec(f, ("perf", "codec", arch), raw)
            if c is not None:
                codecs[arch] = c
    if "default_engine" in vals and vals["default_engine"] not in engines:
        last = next((f for f in reversed(files) if "perf" in f.data), None)
        if last is not None:
            last.fail(("perf", "default_engine"), f"names no [perf.engine] table: {vals['default_engine']!r}")
        vals.pop("default_engine")
    return Perf(**vals, gemm_efficiency=tuple(gemm.items()), diffusion=tuple(families.values()),
                codecs=tuple(codecs.items()), sources=tuple(sources), engines=tuple(engines.items()),
                audio=tuple(audio.values()))


def _audio(f, path: tuple, aid: str, raw) -> AudioModel | None:
    from gpuadvisor.catalog.schema import _Table

    t = _Table(f, path, raw, ("encoder_params_b", "decoder_params_b", "tokens_per_chunk", "chunk_s", "ms_per_token", "source"))
    if not t.ok:
        return None
    vals = {k: t.get(k, "num", positive=True) for k in ("encoder_params_b", "decoder_params_b", "tokens_per_chunk",
                                                         "chunk_s", "ms_per_token")}
    src = t.get("source", "str")
    if None in (*vals.values(), src):
        return None
    return AudioModel(aid, float(vals["encoder_params_b"]), float(vals["decoder_params_b"]),
                      float(vals["tokens_per_chunk"]), float(vals["chunk_s"]), float(vals["ms_per_token"]), src)


def _engine(f, path: tuple, eid: str, raw) -> Engine | None:
    from gpuadvisor.catalog.schema import _Table

    t = _Table(f, path, raw, _ENGINE_KEYS)
    if not t.ok:
        return None
    before = len(f.problems)
    overhead = t.get("overhead_us_per_layer", "num", nonneg=True)
    scale = t.get("bandwidth_scale", "num", 1.0, positive=True)
    if scale is not None and scale > 1.2:
        f.fail(path + ("bandwidth_scale",), f"must be at most 1.2, not {scale:g}")
    quant = _fractions(t, "quant_efficiency", tuple(f"{m}:{q}" for m in _MEMORY for q in _FORMATS) + _FORMATS,
                       upper=1.5) or {}
    split = t.get("split", "str", "tp", choices=("tp", "layers"))
    max_batch = t.get("max_batch", "int", 256, positive=True)
    src = t.get("source", "str")
    if len(f.problems) > before or None in (overhead, src):
        return None
    allreduce = _fractions(t, "allreduce_us", _SCALING, upper=10_000.0) or {}
    ring = t.get("allreduce_ring", "bool", True)
    return Engine(eid, t.get("name", "str", eid), float(overhead), float(scale or 1.0), tuple(quant.items()),
                  int(max_batch or 256), split or "tp", float(t.get("diffusion_speedup", "num", 1.0, positive=True) or 1.0),
                  tuple(allreduce.items()), bool(ring), src)


def _family(f, path: tuple, fid: str, raw, gpus: dict) -> DiffusionFamily | None:
    from gpuadvisor.catalog.schema import _Table

    t = _Table(f, path, raw, _FAMILY_KEYS)
    if not t.ok:
        return None
    before = len(f.problems)
    work, fixed = t.get("tflop_per_step", "num", positive=True), t.get("fixed_ms_per_step", "num", nonneg=True)
    steps, documented = t.get("steps", "int", positive=True), t.get("documented_gib", "num", positive=True)
    calibration = []
    for i, row in enumerate(t.get("calibration", "list", []) or []):
        ct = _Table(f, path + ("calibration", i), row, _CALIBRATION_KEYS)
        if not ct.ok:
            continue
        gid, rate, src = ct.get("gpu", "str"), ct.get("steps_per_s", "num", positive=True), ct.get("source", "str")
        if gid is not None and gid not in gpus:
            f.fail(path + ("calibration", i, "gpu"), f"unknown GPU id {gid!r}")
        if None not in (gid, rate, src):
            calibration.append((gid, float(rate), src))
    if len(f.problems) > before or None in (work, fixed, steps, documented):
        return None
    return DiffusionFamily(fid, float(work), float(fixed), int(steps), float(t.get("unit_seconds", "num", 0.0, nonneg=True)),
                           float(documented), t.get("name", "str", fid), tuple(t.get("sources", "strlist", []) or ()),
                           tuple(calibration), int(t.get("resolution", "int", 1024, positive=True) or 1024))


def _codec(f, path: tuple, raw) -> NvCodec | None:
    from gpuadvisor.catalog.schema import _Table

    t = _Table(f, path, raw, _CODEC_KEYS)
    if not t.ok:
        return None
    enc = _fractions(t, "encode_fps", CODECS, upper=100_000)
    dec = _fractions(t, "decode_fps", CODECS, upper=100_000)
    src = t.get("source", "str")
    if src is None:
        return None
    return NvCodec(tuple((enc or {}).items()), tuple((dec or {}).items()), src)

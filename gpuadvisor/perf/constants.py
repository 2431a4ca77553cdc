"""The performance model's constants, as loaded from catalogs/perf.toml (gpuadvisor.perf.data), where
each one names its source. Plain frozen records: the catalog cache stores them as JSON rows."""

from __future__ import annotations

from dataclasses import dataclass

from gpuadvisor.models import Gpu


@dataclass(frozen=True, eq=False)
class NvCodec:
    """Frames per second one NVENC (or NVDEC) engine of an architecture sustains at 1080p, per codec."""

    encode_fps: tuple[tuple[str, float], ...] = ()
    decode_fps: tuple[tuple[str, float], ...] = ()
    source: str = ""

    def encode(self, codec: str) -> float:
        return dict(self.encode_fps).get(codec, 0.0)

    def decode(self, codec: str) -> float:
        return dict(self.decode_fps).get(codec, 0.0)


@dataclass(frozen=True, eq=False)
class DiffusionFamily:
    """One diffusion model family: work per denoising step at its default resolution (batch 1)."""

    id: str
    tflop_per_step: float
    fixed_ms_per_step: float  # per-step time a faster GPU does not shrink
    steps: int  # default denoising steps
    unit_seconds: float = 0.0  # video: seconds of video one generation makes (0 for images)
    documented_gib: float = 0.0  # the memory need the family is documented at (sizes --vram-only jobs)
    name: str = ""
    sources: tuple[str, ...] = ()
    calibration: tuple[tuple[str, float, str], ...] = ()  # (gpu id, measured steps/s, source)
    resolution: int = 1024  # default image side in pixels (work scales with the pixel count)


@dataclass(frozen=True, eq=False)
class AudioModel:
    """A speech-recognition model (Whisper): each 30 s window of audio runs the encoder once
    (compute-bound) and then decodes its text token by token (each step reads the decoder's weights
    and pays a per-step cost a faster GPU does not shrink)."""

    id: str
    encoder_params_b: float
    decoder_params_b: float
    tokens_per_chunk: float = 100.0
    chunk_s: float = 30.0
    ms_per_token: float = 15.0
    source: str = ""


@dataclass(frozen=True, eq=False)
class Engine:
    """How a serving engine spends a decode step beyond reading memory: a per-layer cost a faster GPU
    does not shrink (kernel launches, sampling; CUDA graphs make it small), how much of the memory
    type's bandwidth its kernels reach per weight format, and how many sequences it batches at most."""

    id: str
    name: str
    overhead_us_per_layer: float
    bandwidth_scale: float = 1.0  # × bandwidth_efficiency for 16-bit weights
    quant_efficiency: tuple[tuple[str, float], ...] = ()  # "HBM:int4" → × bandwidth for that weight format
    max_batch: int = 256
    split: str = "tp"  # several GPUs: tp (tensor parallel) or layers (each GPU holds some layers; llama.cpp)
    diffusion_speedup: float = 1.0  # image/video denoising over PyTorch eager (diffusers), e.g. a compiled TensorRT engine
    allreduce_us: tuple[tuple[str, float], ...] = ()  # per link kind, overriding [perf] allreduce_us
    allreduce_ring: bool = True  # over PCIe the latency grows with the GPUs (a ring), else one shot
    source: str = ""

    def weight_efficiency(self, memory: str, dtype: str) -> float:
        table = dict(self.quant_efficiency)
        fmt = QUANT_FORMAT.get(dtype, "16bit")
        return table.get(f"{memory}:{fmt}", table.get(fmt, 1.0))


# Weight formats by the kernels that read them: 4-bit (int4, AWQ, GPTQ, NF4, FP4), 8-bit, 16-bit.
QUANT_FORMAT = {"int4": "int4", "awq": "int4", "gptq": "int4", "nf4": "int4", "fp4": "fp4", "int3": "int4",
                "int2": "int4", "int8": "int8", "fp8": "fp8"}


@dataclass(frozen=True, eq=False)
class Perf:
    """The performance model's constants (catalogs/perf.toml, where each is sourced)."""

    bandwidth_efficiency: tuple[tuple[str, float], ...] = (("GDDR", 0.85), ("HBM", 0.8))
    decode_overhead_us_per_layer: float = 40.0
    inference_efficiency: float = 0.5
    training_efficiency: float = 0.5
    full_flops_per_param: float = 6.0
    lora_flops_per_param: float = 4.0
    qlora_slowdown: float = 1.15
    training_overhead_ms_per_layer: float = 10.0
    scaling: tuple[tuple[str, float], ...] = (("nvlink", 0.92), ("bridge", 0.85), ("pcie", 0.75))
    transcode_fps: float = 30.0
    geforce_nvenc_sessions: int = 8
    value_tolerance: float = 0.2
    multi_gpu_premium: float = 0.25
    gemm_efficiency: tuple[tuple[str, float], ...] = ()
    diffusion: tuple[DiffusionFamily, ...] = ()
    codecs: tuple[tuple[str, NvCodec], ...] = ()
    sources: tuple[str, ...] = ()
    # LLM serving (gpuadvisor.perf.llm)
    llm_compute_efficiency: float = 0.6  # share of the GEMM rate prefill and batched decode reach (attention, norms)
    allreduce_us: tuple[tuple[str, float], ...] = (("nvlink", 8.0), ("bridge", 15.0), ("pcie", 30.0))
    pcie_gb_s: float = 25.0  # per direction, what an all-reduce over PCIe moves
    layer_hop_us: float = 20.0  # a layer split: handing activations to the next GPU
    data_parallel_efficiency: tuple[tuple[str, float], ...] = (("nvlink", 0.95), ("bridge", 0.9), ("pcie", 0.8))
    low_precision_speedup: float = 1.2  # diffusion: fp8/int8 denoiser over fp16 on FP8 tensor cores
    fp8_gemm_scale: float = 0.9
    moe_efficiency: float = 0.8
    pipeline_efficiency: float = 0.7  # a layer split with several micro-batches in flight keeps this share  # MoE: share of the dense rates its expert kernels and routing reach  # FP8/FP4 GEMMs reach this share of the 16-bit GEMM efficiency
    diffusion_batch_exponent: float = 0.85  # a batch of b images takes b ** this × one image's work
    engines: tuple[tuple[str, Engine], ...] = ()
    default_engine: str = "vllm"
    audio: tuple[AudioModel, ...] = ()

    def audio_model(self, mid: str | None) -> AudioModel | None:
        return next((a for a in self.audio if a.id == mid), None)

    def family(self, fid: str | None) -> DiffusionFamily | None:
        return next((f for f in self.diffusion if f.id == fid), None)

    def codec(self, arch: str) -> NvCodec:
        return dict(self.codecs).get(arch, NvCodec())

    def gemm(self, hw: Gpu) -> float:
        table = dict(self.gemm_efficiency)
        return table.get(hw.id, table.get("default", 0.75))

    def memory(self, hw: Gpu) -> str:
        return "HBM" if hw.memory_type.upper().startswith("HBM") else "GDDR"

    def bandwidth(self, hw: Gpu) -> float:
        return dict(self.bandwidth_efficiency).get(self.memory(hw), 0.8)

    def engine(self, eid: str | None = None) -> Engine:
        table = dict(self.engines)
        return table.get(eid or self.default_engine) or Engine(eid or self.default_engine, eid or "a serving engine",
                                                               self.decode_overhead_us_per_layer)

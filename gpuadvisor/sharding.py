"""What splitting a job over several GPUs adds on every GPU, and the fewest GPUs that hold it then
(issue 21, audit 2026-12-04 W2: a 70B full fine-tune "fitted" 4 × B300 with 1.7 GiB spare per GPU,
less than one FSDP all-gather of two layers)."""

from __future__ import annotations

from gpuadvisor.models import Offering
from gpuadvisor.perf import Job

# What splitting a job over n GPUs adds on every GPU, beyond its 1/n share (issue 21, audit 2026-12-04 W2).
# The estimate's fixed overhead holds one CUDA context; each further GPU runs its own process with
# its own context, cuBLAS and NCCL workspaces (~0.5 GiB; PyTorch's context alone is 0.3-0.5 GiB).
CUDA_CONTEXT_GIB = 0.5
GATHER_LAYERS = 2  # FSDP/ZeRO-3 all-gather: the layer being computed and the one prefetched, in bf16
PREFILL_TOKENS = 8192  # vLLM's default max_num_batched_tokens: the most tokens one forward pass holds


def shard_overhead(job: Job | None, count: int) -> tuple[tuple[str, float], ...]:
    """GiB every GPU holds beyond its 1/count share when a job is split over count GPUs: its own CUDA
    context, FSDP/ZeRO gather buffers for full training (GATHER_LAYERS layers of bf16 weights), and for
    tensor-parallel inference the activations of one forward pass (the residual stream is not split)."""
    if count <= 1:
        return ()
    out = [("CUDA context", CUDA_CONTEXT_GIB)]
    if job is not None and job.model == "training" and job.mode == "full" and job.params_b:
        out.append(("FSDP gather buffers", GATHER_LAYERS * job.params_b * 1e9 / max(job.layers, 1) * 2 / 2**30))
    elif job is not None and job.model == "llm" and job.context:
        tokens = min(job.batch * job.context, PREFILL_TOKENS)
        out.append(("activation buffers", 2 * tokens * job.hidden * 2 / 2**30))
    return tuple(out)


def fit_count(off: Offering, job: Job | None, need_gb: float, limit: int, pow2: bool = False) -> int | None:
    """smallest_count, raised until each GPU also holds what sharding adds on it (shard_overhead)."""
    from gpuadvisor.engine import smallest_count  # the memory-only count, then raised here

    count = smallest_count(off, need_gb, limit, pow2)
    while count is not None and count > 1:
        if need_gb / count + sum(v for _, v in shard_overhead(job, count)) <= off.usable_gib:
            return count
        if off.fixed_count:
            return None
        nxt = count * 2 if pow2 and count * 2 <= limit else count + 1
        count = nxt if nxt <= limit else None
    return count

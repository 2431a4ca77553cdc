"""`speed` as a View: the headline figures in a short table, then the formula and what was assumed."""

from __future__ import annotations

from gpuadvisor.render import View


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}" if abs(x) >= 0.1 else f"{x:.3g}"
    return text + (f" {unit}" if unit else "")


def speed_view(res) -> View:
    data = res.to_json()
    view = View(data)
    gpus = f"{res.count} × {res.gpu.name}" if res.count > 1 else res.gpu.name
    job = res.job
    if res.kind == "llm":
        what = f"{job.tokens_in:,} in / {job.tokens_out:,} out, batch {job.batch:,}"
    elif res.kind in ("diffusion", "video"):
        steps = next((v for k, v in res.thr.inputs if k == "steps"), "").split(" ")[0]
        what = f"{steps} steps, batch {job.batch}"
    elif res.kind == "audio":
        what = f"speech recognition, batch {job.batch}"
    elif res.kind == "encoder":
        what = "one forward pass per token (embeddings, reranking)"
    else:
        what = f"{job.mode}, micro-batch {job.batch} × {job.context:,} tokens per GPU"
    view.text(f"{res.est.name} ({job.dtype}) on {gpus}: {what}", style="title")
    rows = []
    value, unit = data["throughput"]["value"], data["throughput"]["unit"]
    rows.append(["throughput", _num(value, unit)])
    per = data["per_stream"]
    if res.kind == "llm":
        rows += [["per stream", _num(per["value"], per["unit"])],
                 ["time to first token", _num(data["ttft_s"], "s")],
                 ["time per output token", _num(data["tpot_ms"], "ms")],
                 ["request", _num(data["request_s"], "s")]]
    elif res.kind in ("diffusion", "video"):
        rows.append(["per image" if res.kind == "diffusion" else "per video", _num(per["value"], per["unit"])])
        if job.batch > 1:
            rows.append(["per batch (latency)", _num(res.thr.get("seconds per generation"), "s")])
    elif res.kind == "audio":
        rows.append(["per 30 s of audio", _num(per["value"], "s")])
    elif res.kind == "encoder":
        pass
    else:
        rows.append(["step time", _num(data["step_s"], "s")])
    rows.append(["bound by", res.thr.bound or "—"])
    if data["max_batch"] is not None:
        rows.append(["most sequences in flight", f"{data['max_batch']:,}"])
    view.table(["", "value"], rows, right={1})
    view.text(f"formula: {res.thr.formula}", style="dim")
    notes = [f"• {a}" for a in data["assumptions"]]
    if notes:
        view.text(*notes, style="dim")
    return view

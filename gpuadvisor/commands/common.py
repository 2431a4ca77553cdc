"""Options several commands share, and the helpers their runners share (front-end neutral)."""

from __future__ import annotations

import sys

from gpuadvisor.commands.spec import Param

JSON = Param("as_json", bool, "Print one JSON document on stdout (short for --format json).", ("--json",), default=False, cli_only=True)
FORMAT = Param("fmt", str, "table (default), json or csv.", ("--format",), suggest=("table", "json", "csv"), cli_only=True)
PROVIDER = Param("provider", str, "Only this provider (repeatable): modal, runpod, fal, …", ("--provider", "-p"),
                 multiple=True, complete="provider")
REGION = Param("region", str, "Only offerings known to run in this region, at its prices (regions come from imported catalogs).",
               ("--region",))

DTYPES = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "nf4", "awq", "gptq", "fp4")
KV_DTYPES = ("bf16", "fp16", "fp8", "int8", "fp32")
ENGINES = ("vllm", "trtllm", "llamacpp")

MODEL = Param("model", str, "A model from `gpuadvisor models` (e.g. llama-3.1-70b), a config.json or model directory, "
              "or hf:ORG/NAME (needs gpuadvisor[hub]).", ("--model", "-m"), complete="model")
PARAMS = Param("params", str, "Parameter count of an unlisted model: 70B, 7.5b, 1.3T.", ("--params",))
DTYPE = Param("dtype", str, "Weights: fp32, bf16, fp16, fp8, int8, int4, nf4, awq, gptq, fp4.", ("--dtype",), suggest=DTYPES)
KV_DTYPE = Param("kv_dtype", str, "KV cache: bf16 (default), fp16, fp8, int8, fp32.", ("--kv-dtype",), suggest=KV_DTYPES)
CONTEXT = Param("context", str, "Context / sequence length: 8k, 32k, 128K, 1M, 4096.", ("--context",))
BATCH = Param("batch", int, "Concurrent sequences (inference) or micro-batch (training).", ("--batch",), default=1)
MODE = Param("mode", str, "inference, lora, qlora or full (fine-tuning).", ("--mode",), default="inference",
             suggest=("inference", "lora", "qlora", "full"))
ENGINE = Param("engine", str, "LLM serving engine the speeds assume: vllm (default), trtllm or llamacpp.", ("--engine",), suggest=ENGINES)

EXPLAIN = Param("explain", bool, "Every detail: the reasons, settings and formulas behind each line (JSON always has them).",
                ("--explain", "-v"), default=False, cli_only=True)
PLOT = Param("plot", str, "Draw a chart: in the terminal, or into FILE.svg, .png or .html (needs `pip install 'gpuadvisor[plot]'`).",
             ("--plot",), metavar="[FILE]", cli_only=True)  # a bare --plot is `--plot -` (cli.main)

PROG = "gpuadvisor"


def note_overrides(cat, offerings, workload=None, model=None) -> None:
    """One stderr note when a result rests on a built-in fact that an extra catalog replaced."""
    from gpuadvisor.catalog import override_notes

    notes = override_notes(cat, offerings, workload, model)
    if notes:
        more = f" (+{len(notes) - 1} more; see `gpuadvisor catalog paths`)" if len(notes) > 1 else ""
        sys.stderr.write(f"{PROG}: note: {notes[0]}{more}\n")

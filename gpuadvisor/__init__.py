"""gpuadvisor: which GPU to rent on Modal, RunPod or fal.ai, and how to write it there."""

__version__ = "0.1.0"

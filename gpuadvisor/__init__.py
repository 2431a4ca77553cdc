"""gpuadvisor: which GPU to rent on Modal, RunPod, fal.ai and other serverless providers, and how to write it there."""

__version__ = "0.2.0"

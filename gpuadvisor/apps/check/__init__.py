"""Lint rules on the GPU configurations read from an app."""

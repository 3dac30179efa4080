"""A stateful HTTPS simulator of the Veeam VBR and Enterprise Manager security APIs (see README.md)."""

from .simulator import SimConfig, Simulator

__all__ = ["SimConfig", "Simulator"]

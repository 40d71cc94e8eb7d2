"""Caravan: agent-based simulation of regional economic integration in the CIS."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("caravan")
except _metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

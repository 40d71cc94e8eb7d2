"""Exceptions that carry a one-line, user-facing message.

Anything a user can cause (a bad config value, a malformed data file, an
unknown scenario) raises a subclass of :class:`CaravanError`; the CLI prints
``error: <message>`` and exits non-zero without a traceback.
"""

from __future__ import annotations


class CaravanError(Exception):
    """Base class for errors caused by user input; printed as one line."""


class ConfigError(CaravanError):
    """A configuration value is missing, of the wrong type or out of range.

    Args:
        key: Dotted config key, e.g. ``"trade.sigma"``.
        message: What is wrong and what is allowed, e.g. ``"must be > 1, got 0.5"``.
    """

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


class DataError(CaravanError):
    """A data file is missing or malformed.

    Args:
        path: The file.
        message: What is wrong, naming row and column where they apply.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class ModelError(RuntimeError):
    """The model reached a state it cannot continue from (e.g. a solver failed)."""

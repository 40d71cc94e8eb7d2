"""Quarter labels ``"YYYYQn"`` and their integer index.

The index is ``4 * year + (n - 1)``, so consecutive quarters differ by one and
``"2022Q1" - "2021Q4"`` is one quarter.
"""

from __future__ import annotations

import re

from sim.errors import ConfigError

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_index(label: str, key: str = "settlement.quarter") -> int:
    """Integer index of a quarter label.

    Args:
        label: Quarter label such as ``"2022Q1"``.
        key: Dotted config key named in the error if the label is malformed.

    Returns:
        ``4 * year + quarter - 1``.

    Raises:
        ConfigError: If ``label`` is not of the form ``YYYYQn`` with n in 1..4.
    """
    m = _QUARTER.match(str(label))
    if m is None:
        raise ConfigError(key, f"must be a quarter label 'YYYYQn' (n in 1..4), got {label!r}")
    return 4 * int(m.group(1)) + int(m.group(2)) - 1


def quarter_label(index: int) -> str:
    """Inverse of :func:`quarter_index`."""
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_range(start: str, end: str) -> list[str]:
    """All quarter labels from ``start`` to ``end`` inclusive."""
    a, b = quarter_index(start), quarter_index(end)
    return [quarter_label(k) for k in range(a, b + 1)]


def in_window(q: int, from_quarter: str, to_quarter: str, key: str) -> bool:
    """Whether quarter index ``q`` lies in ``[from_quarter, to_quarter]`` (``""`` = open)."""
    if from_quarter and q < quarter_index(from_quarter, key + ".from_quarter"):
        return False
    if to_quarter and q > quarter_index(to_quarter, key + ".to_quarter"):
        return False
    return True

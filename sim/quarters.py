"""Quarter labels such as ``"2024Q1"`` and their integer ordinal: parsing, arithmetic, ranges.

The ordinal is ``4 * year + (n - 1)``, so consecutive quarters differ by one;
every layer computes with ordinals and keeps labels for its tables.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(label: str) -> tuple[int, int]:
    """Split ``"2024Q3"`` into ``(2024, 3)``.

    Raises:
        ValueError: if the label is not of the form ``YYYYQn`` with n in 1-4.
    """
    match = _PATTERN.match(str(label))
    if not match:
        raise ValueError(f"not a quarter label of the form YYYYQn (n in 1-4): {label!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_ordinal(label: str) -> int:
    """Quarters since year 0: ``ordinal("2024Q1") - ordinal("2023Q4") == 1``."""
    year, quarter = parse_quarter(label)
    return 4 * year + quarter - 1


def quarter_label(ordinal: int) -> str:
    """Inverse of :func:`quarter_ordinal`."""
    return f"{ordinal // 4}Q{ordinal % 4 + 1}"


def shift_quarter(label: str, quarters: int) -> str:
    """The label ``quarters`` after ``label`` (negative goes back)."""
    return quarter_label(quarter_ordinal(label) + quarters)


def quarter_range(start: str, count: int) -> list[str]:
    """``count`` consecutive labels starting at ``start``."""
    first = quarter_ordinal(start)
    return [quarter_label(first + k) for k in range(count)]


def quarters_through(start: str, last: str) -> list[str]:
    """Labels from ``start`` to ``last``, both included (empty if ``last`` is earlier)."""
    return quarter_range(start, quarter_ordinal(last) - quarter_ordinal(start) + 1)


def is_quarter(label: object) -> bool:
    """True for a valid ``YYYYQn`` label."""
    return isinstance(label, str) and bool(_PATTERN.match(label))

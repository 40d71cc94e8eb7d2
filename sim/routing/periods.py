"""The quarters and the trade matrix a dated corridor fact is measured on.

A published volume describes one period (a year, a quarter, some months), so the
model side is the routing of that period: its quarters (dated capacities such as
Power of Siberia's ramp and dated levers are in force) on that year's trade. The
shipped worlds give the trade of 2020 (``dots2020``, cut to the 15 economies of
``cis2023`` and ROW), 2021 (``cis2021``) and 2023 (``cis2023``). For the other years
no matrix is shipped, and the rule is ASSUMED and written in :data:`TRADE_BASIS`:
2022 is the mean of the 2021 and 2023 matrices, 2024 keeps 2023's.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.quarters import is_quarter

#: Year -> worlds whose trade matrices are averaged for it.
TRADE_WORLDS: dict[int, tuple[str, ...]] = {
    2020: ("dots2020",),
    2021: ("cis2021",),
    2022: ("cis2021", "cis2023"),
    2023: ("cis2023",),
    2024: ("cis2023",),
}
#: Year -> how its trade matrix is obtained (printed with the tables).
TRADE_BASIS: dict[int, str] = {
    2020: "dots2020 (IMF DOTS 2020), cut to the cis2023 economies",
    2021: "cis2021",
    2022: "assumed: mean of cis2021 and cis2023 (no 2022 matrix is shipped)",
    2023: "cis2023",
    2024: "assumed: cis2023 (no 2024 matrix is shipped)",
}


def quarters_of(period: str) -> tuple[str, ...]:
    """The quarters of ``period``: ``"2023"`` -> 2023Q1..Q4, ``"2023Q1"`` -> itself.

    Raises:
        ValueError: neither a year nor a quarter label.
    """
    if is_quarter(period):
        return (period,)
    if period.isdigit() and len(period) == 4:
        return tuple(f"{period}Q{k}" for k in range(1, 5))
    raise ValueError(f"period must be YYYY or YYYYQn, got {period!r}")


@functools.cache
def _economies() -> tuple[str, ...]:
    from sim.data.loader import load_world

    return tuple(e for e in load_world("cis2023").economies if e != "ROW")


@functools.cache
def _flows(world: str) -> np.ndarray:
    from sim.data.loader import load_world

    loaded = load_world(world, economies=list(_economies()))
    if tuple(loaded.economies) != (*_economies(), "ROW"):
        raise ValueError(f"{world}: economies differ from cis2023's")
    return np.asarray(loaded.flows, dtype=float)


def flows_in(year: int) -> np.ndarray:
    """n×n trade (US$ bn/yr, cis2023's economy order) of ``year`` (:data:`TRADE_WORLDS`).

    Raises:
        ValueError: a year without a rule (allowed: :data:`TRADE_WORLDS`).
    """
    if year not in TRADE_WORLDS:
        raise ValueError(f"no trade matrix rule for {year}; allowed: {sorted(TRADE_WORLDS)}")
    out = np.mean([_flows(w) for w in TRADE_WORLDS[year]], axis=0)
    out.setflags(write=False)
    return out

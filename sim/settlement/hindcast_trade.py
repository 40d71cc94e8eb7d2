"""Trade of the settlement hindcast: the full model's flows under the period's trade measures.

The published receipts shares the hindcast is fitted to are weighted by the trade of
their quarter, and Russia's trade moved in 2022–23: the EU's import bans on Russian
goods (steel Mar 2022, coal Aug 2022, seaborne crude Dec 2022, oil products Feb 2023;
``scenarios/eu_russia_import_bans.yaml``, each with its regulation and 2021 value) cut
RUS → EU flows, and the trade core diverts them. Scenario ``hindcast_2022`` includes
those bans, so the full model's hindcast moves trade through its general-equilibrium
core; the stand-alone calibration must see the same trade, not the 2021 matrix.

This module writes ``sim/data/settlement/hindcast_trade.csv``: the model's flows per
quarter (``quarter, exporter, importer, flow``, the ``pairs`` table's columns, and a
``source`` naming this module) of
``scenario=hindcast_2022`` with the settlement layer disabled (settlement costs held at
the calibration), so the table depends on the trade measures and the trade core, not on
the settlement parameters it is used to fit. ``tests/test_hindcast_model.py`` checks that
the stand-alone hindcast on this path and on the full model's own trade path (settlement
on) agree within 1 pp.

Regenerate with ``uv run python -m sim.settlement.hindcast_trade`` when the hindcast
world, the bans or the trade core change (a test compares the table's first quarter with
the world's flows).
"""

from __future__ import annotations

import pandas as pd

#: Table written by this module (in ``sim/data/settlement``).
TABLE = "hindcast_trade.csv"
#: Model run the table is taken from (settlement off: trade under the bans alone).
OVERRIDES = ("scenario=hindcast_2022", "settlement.enabled=false", "seed=0")
COLUMNS = ["quarter", "exporter", "importer", "flow"]
#: The ``source`` of every row: the table is model output, not a published figure.
SOURCE = "model output: python -m sim.settlement.hindcast_trade (hindcast_2022, settlement off)"


def trade_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The shipped table from the model's ``pairs`` table: off-diagonal flows, in order.

    Args:
        pairs: The model's ``pairs`` table.

    Returns:
        DataFrame with :data:`COLUMNS` and ``source`` (:data:`SOURCE`), sorted by
        quarter, exporter, importer.
    """
    t = pairs.loc[pairs["exporter"] != pairs["importer"], COLUMNS]
    return t.sort_values(COLUMNS[:3]).reset_index(drop=True).assign(source=SOURCE)


if __name__ == "__main__":
    from importlib import resources

    from sim.cli import compose_and_validate
    from sim.runner import simulate

    _, tables = simulate(compose_and_validate(list(OVERRIDES)))
    out = resources.files("sim").joinpath("data", "settlement", TABLE)
    trade_table(tables["pairs"]).to_csv(str(out), index=False, float_format="%.10g")
    print(f"wrote {out} from {list(OVERRIDES)}")

"""The corridor hindcast (sim/routing/hindcast.py): the 2021 fit and each year's trade."""

import pytest

from sim.routing import hindcast
from sim.routing.config import CorridorsConfig


def test_the_2021_fit_meets_the_published_level_and_later_years_see_their_own_trade():
    cfg = hindcast.fit_2021(CorridorsConfig(), steps=12)
    observed = hindcast.run(cfg, trade="observed")
    fixed = hindcast.run(cfg, trade="fixed")
    assert observed["2021"] == pytest.approx(hindcast.MC_2021_MT, rel=0.02)
    assert observed["2021"] == pytest.approx(fixed["2021"], rel=1e-6)  # 2021 is 2021's trade
    assert abs(observed["2023"] / fixed["2023"] - 1) > 0.01  # 2023 is routed on 2023's trade

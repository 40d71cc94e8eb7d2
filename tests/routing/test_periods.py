"""Facts measured in their own period and as their sources define them (periods, calibrate)."""

from dataclasses import replace

import numpy as np
import pytest

from sim.routing import calibrate
from sim.routing.periods import flows_in, quarters_of


def test_quarters_of_a_year_and_of_a_quarter():
    assert quarters_of("2023") == ("2023Q1", "2023Q2", "2023Q3", "2023Q4")
    assert quarters_of("2023Q1") == ("2023Q1",)
    with pytest.raises(ValueError, match="YYYY or YYYYQn"):
        quarters_of("2023 Jan-Apr")


def test_each_year_has_its_own_trade_and_2022_is_the_mean_of_its_neighbours():
    assert not np.allclose(flows_in(2020), flows_in(2023))
    assert not np.allclose(flows_in(2021), flows_in(2023))
    np.testing.assert_allclose(flows_in(2022), (flows_in(2021) + flows_in(2023)) / 2)
    with pytest.raises(ValueError, match="allowed"):
        flows_in(2019)


def test_a_fact_is_measured_with_the_capacities_of_its_own_year():
    """Power of Siberia ran at 10.4 bcm in 2021 and about 30 in 2024 (capacity_schedule.csv):
    the same measure, dated 2021 or 2024, sees the year's capacity, not the start quarter's."""
    base = calibrate.Fact(
        "Power of Siberia", "", "2021", 1.0, "Mt/yr", "held out", "", "",
        calibrate._mt_per_year(lambda ph: calibrate._rows_on(ph, "pipe:power_of_siberia")),
    )  # fmt: skip
    y2021, y2024 = calibrate.evaluate(None, (base, replace(base, period="2024")))
    assert y2021 < 0.6 * y2024


def test_titr_leaves_out_routes_through_russia():
    phase = calibrate.baseline_phase()
    crossing = calibrate._rows_on(phase, "aktau-baku")
    titr = calibrate.titr_rows(phase)
    russian = calibrate._rows_through(phase, "RUS")
    assert titr.any() and (crossing & russian).any()  # both kinds of route exist
    assert not (titr & russian).any() and np.array_equal(titr, crossing & ~russian)
    bolashak = calibrate._rows_on(phase, "beyneu-bolashak")
    rzd = calibrate.rzd_rows(phase, "beyneu-bolashak")  # Russian Railways' shipments (K3)
    assert rzd.any() and (bolashak & ~russian).any()
    assert np.array_equal(rzd, bolashak & russian)


def test_container_count_uses_k8_value_per_teu():
    """547,000 TEU carried US$31.5bn (K8): 57,587 US$/TEU, i.e. 10 t at 5,760 US$/t."""
    assert calibrate.USD_PER_TEU == pytest.approx(57_587, rel=1e-4)
    phase = calibrate.baseline_phase()
    phase.step("2023Q1", flows_in(2023))
    rows = calibrate._china_europe_via_kaz(phase)
    boxes = rows & calibrate._rows_of(phase, lambda a, b, g: g == "manufactures")
    kteu = calibrate._kteu_per_year(calibrate._china_europe_via_kaz)(phase, None, None)
    tonnes = calibrate._tonnes(phase, boxes) * 4
    assert kteu == pytest.approx(tonnes * 5760 / calibrate.USD_PER_TEU / 1e3, rel=1e-9)

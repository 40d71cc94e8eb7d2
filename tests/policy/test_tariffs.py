import numpy as np
import pytest

from sim.config import TariffChange
from sim.policy.tariffs import applied_rates, baseline_tariffs, phase_fraction, scheduled_matrix

CODES = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB", "CHN", "EUU", "IRN")
CODES = (*CODES, "IND", "TUR", "ROW")
BLOCS = {"EAEU": ("ARM", "BLR", "KAZ", "KGZ", "RUS"), "CIS": CODES[:10]}


def idx(code):
    return CODES.index(code)


def test_baseline_rules():
    tariff = baseline_tariffs(CODES, cis_fta_exemption_share=0.1)
    assert np.all(np.diag(tariff) == 0)
    assert tariff[idx("RUS"), idx("KAZ")] == 0  # EAEU customs union
    assert tariff[idx("RUS"), idx("UZB")] == pytest.approx(0.1 * 0.0666)  # CIS FTA exemptions
    assert tariff[idx("CHN"), idx("RUS")] == pytest.approx(0.0551)  # WDI applied, RUS 2021
    assert tariff[idx("RUS"), idx("IND")] == pytest.approx(0.1006)
    # EAEU-Iran interim: Iran cuts 7 pp on EAEU goods, EAEU cuts 3.5 pp on Iranian goods
    assert tariff[idx("RUS"), idx("IRN")] == pytest.approx(0.1522 - 0.07)
    assert tariff[idx("IRN"), idx("KAZ")] == pytest.approx(0.0475 - 0.035)
    # AZE is not a CIS FTA party: it charges its applied rate on Russian goods
    assert tariff[idx("RUS"), idx("AZE")] == pytest.approx(0.0889)


def test_missing_rates_are_imputed_and_flagged():
    rates = applied_rates(CODES)
    assert rates.provenance["TKM"].startswith("imputed")
    assert rates.provenance["ROW"].startswith("imputed")
    assert rates.provenance["RUS"].startswith("reported")
    assert 0 < rates.rate["TKM"] < 0.2


def test_phase_fraction_linear_and_step():
    assert phase_fraction("2024Q4", "2025Q1", "2025Q4", "linear") == 0.0
    assert phase_fraction("2025Q1", "2025Q1", "2025Q4", "linear") == 0.25
    assert phase_fraction("2025Q4", "2025Q1", "2025Q4", "linear") == 1.0
    assert phase_fraction("2026Q2", "2025Q1", "2025Q4", "linear") == 1.0
    assert phase_fraction("2025Q1", "2025Q1", "2025Q4", "step") == 1.0


def test_scheduled_change_removes_cis_exemptions_quarter_by_quarter():
    base = baseline_tariffs(CODES, 0.1)
    change = TariffChange(
        exporters=["CIS"], importers=["CIS"], start="2025Q1", end="2025Q4", scale=0.0
    )
    path = [
        scheduled_matrix(base, q, [change], CODES, BLOCS)[idx("RUS"), idx("UZB")]
        for q in ("2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4")
    ]
    start = base[idx("RUS"), idx("UZB")]
    np.testing.assert_allclose(path, [start, 0.75 * start, 0.5 * start, 0.25 * start, 0.0])
    after = scheduled_matrix(base, "2026Q1", [change], CODES, BLOCS)
    assert after[idx("CHN"), idx("RUS")] == base[idx("CHN"), idx("RUS")]  # outsiders untouched
    assert np.all(np.diag(after) == 0)

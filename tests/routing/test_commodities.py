"""Commodity groups load the network in tonnes; only oil and gas may take a pipeline."""

import numpy as np
import pytest

from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.config import Closure
from tests.routing.fixtures import ECONOMIES, gravity_flows

E = list(ECONOMIES)


@pytest.fixture(scope="module")
def flows():
    return gravity_flows()


@pytest.fixture(scope="module")
def phase(flows):
    return CorridorPhase(ECONOMIES, CorridorsConfig(), flows, "2024Q1")


def test_only_pipeline_groups_get_pipeline_paths(phase):
    c, p = phase.classes, phase.paths
    groups = phase.net.commodities.groups
    uses_pipe = p.pipeline[c.path]
    owner = np.repeat(c.group, np.diff(c.ptr))
    assert uses_pipe.any()
    assert {groups[g] for g in np.unique(owner[uses_pipe])} == {"oil_gas"}


def test_pipeline_segments_carry_only_oil_and_gas(phase, flows):
    phase.step("2024Q2", flows)
    a, c = phase.last_assignment, phase.classes
    owner = np.repeat(c.group, np.diff(c.ptr))
    oil = phase.net.commodities.groups.index("oil_gas")
    pipes = phase.net.is_pipeline
    non_oil = phase._incidence[owner != oil].T @ a.path_tonnes[owner != oil]
    assert np.all(non_oil[pipes] == 0.0)
    assert (a.segment_volume[pipes] > 0).any()


def test_tonnes_follow_value_per_tonne(flows):
    base = CorridorPhase(ECONOMIES, CorridorsConfig(), flows, "2024Q1")
    dear = CorridorPhase(
        ECONOMIES, CorridorsConfig(group_value_overrides={"manufactures": 11520.0}), flows, "2024Q1"
    )
    g = base.net.commodities.groups.index("manufactures")
    pick = base.classes.group == g
    assert np.allclose(dear.class_tonnes(flows)[pick], base.class_tonnes(flows)[pick] / 2)
    other = ~pick
    assert np.allclose(dear.class_tonnes(flows)[other], base.class_tonnes(flows)[other])


def test_closing_druzhba_moves_oil_not_manufactures(flows):
    cut = CorridorsConfig(
        closures=[Closure("pipe:druzhba_blr-eu", "2025Q1", "2025Q4")],
    )
    phase = CorridorPhase(ECONOMIES, cut, flows, "2024Q1")
    before, after = phase.step("2024Q4", flows), phase.step("2025Q1", flows)
    seg0, seg1 = (r.segments.set_index("segment")["volume_t"] for r in (before, after))
    assert seg0["pipe:druzhba_blr-eu"] > 0 and seg1["pipe:druzhba_blr-eu"] == 0
    rus, euu = E.index("RUS"), E.index("EUU")
    assert after.tau_ratio[rus, euu] > 1.0
    # the oil goes by sea or rail instead: more tonnes leave through Novorossiysk or St Petersburg
    ports = ["port:novorossiysk", "port:st_petersburg", "brest-malaszewicze"]
    assert seg1[ports].sum() > seg0[ports].sum()


def test_tau_is_value_weighted_over_groups(phase, flows):
    from sim.routing.costs import logsum_cost
    from sim.routing.levers import segment_state

    r = phase.step("2024Q2", flows)
    a, c = phase.last_assignment, phase.classes
    avail = phase._available(segment_state(phase.net, phase.cfg, "2024Q2"))
    cstar = logsum_cost(a.path_cost, phase._path_scale, avail, c.ptr)
    chn, euu = E.index("CHN"), E.index("EUU")
    k = np.flatnonzero((phase._class_i == chn) & (phase._class_j == euu))
    manual = 1 + np.sum(phase._class_share[k] * cstar[k] / phase._class_value[k])
    assert np.isclose(r.tau[chn, euu], manual, rtol=1e-12)

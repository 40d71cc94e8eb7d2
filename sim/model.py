"""`CaravanModel`: one quarter of regional trade, as a commented list of phases.

DESIGN §1 lists six phases; each runs every quarter:

1. Policy — tariff, non-tariff-barrier and trade-ban schedules for the quarter.
2. Routing — trade values become tonnes, split over corridor routes with
   congestion; the route-based transport cost τ_ij changes trade costs.
3. Settlement — a fraction of traders revise their settlement currency by a
   logit over costs; the pair's value-weighted settlement cost changes t_ij.
4. Trade — the structural-gravity GE counterfactual relative to the
   calibration year. With ``trade.adjustment`` θ < 1 buyers respond to trade
   costs with inertia: the costs that enter demand move a share θ of the
   (log) way to the quarter's costs each quarter,
   ln ĉ_q = ln ĉ_{q−1} + θ (ln c_q − ln ĉ_{q−1}), ĉ = 1 at the calibration,
   and the quarter's equilibrium is solved at ĉ_q. Flows, prices, real
   incomes and tariff revenue are then all that one equilibrium's, so they
   are consistent with each other (tariff revenue at the tariffs in force;
   bans act in full when in force). θ = 1 is the GE counterfactual at the
   quarter's costs.
5. Economy — output follows the baseline growth path plus the GE
   terms-of-trade effect; expenditure, trade and tariff revenue update.
6. Collect — economy-, pair- and world-level records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim import setup_cache
from sim.agents import STATE, Economy
from sim.config import CaravanConfig
from sim.data.loader import load_world
from sim.data.world import World
from sim.economics.gravity import EquilibriumChange, NoEquilibriumError, solve_in_changes
from sim.errors import ModelError
from sim.policy.bans import allowed_share, compile_bans
from sim.policy.growth import endowment_path
from sim.policy.tariffs import baseline_tariffs, compile_changes, scaled_matrix
from sim.quarters import quarter_ordinal, quarter_range
from sim.routing.phase import (
    CorridorPhase,
    RoutingResult,
    SegmentLoads,
    over_capacity,
    segments_table,
)
from sim.settlement.initial import spinup_quarters
from sim.settlement.phase import (
    SeedFreeSetup,
    SettlementPhase,
    SettlementResult,
    settlement_tables,
)

STREAMS = ("mesa", "settlement", "routing", "shocks")
"""Named random streams, each spawned from the one config seed (SeedSequence)."""


def random_streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for each named stream, derived from one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }


def settlement_spinup_quarters(cfg: CaravanConfig) -> list[str]:
    """Quarters the settlement layer replays before ``sim.start`` (:func:`spinup_quarters`)."""
    return spinup_quarters(cfg.settlement.enabled, cfg.settlement.initial.table, cfg.sim.start)


def spun_up_settlement(
    args: tuple, rng: np.random.Generator, start: str, spinup: list[str]
) -> tuple[SettlementPhase, np.ndarray | None]:
    """The settlement phase at ``start``: built at the 2021Q4 initial state and replayed.

    Args:
        args: ``(economies, currencies, blocs, settlement config, base flows)``.
        rng: The run's ``settlement`` stream (the phase keeps it and draws from it).
        start: ``sim.start``.
        spinup: :func:`settlement_spinup_quarters` (empty: the phase starts at ``start``).

    Returns:
        The phase and the pair settlement costs reached by the spin-up (None without one).
    """
    first = spinup[0] if spinup else start
    setup = setup_cache.cached(  # the same for every seed: built once per input and copied
        "settlement_setup",
        setup_cache.key_of(*args, first),
        lambda: SeedFreeSetup.of(*args, first),
    )
    phase = SettlementPhase(*args, rng, first, setup)
    reference = None
    for quarter in spinup:  # history from the 2021Q4 initial state up to the start
        reference = phase.step(quarter, args[4]).cost
    return phase, reference


def calibration_state(world: World) -> dict[str, np.ndarray]:
    """Economy series at the calibration (before the first quarter is simulated)."""
    flows, n = world.flows, world.n
    international = flows * ~np.eye(n, dtype=bool)
    return {
        "output": flows.sum(axis=1),
        "price": np.ones(n),
        "real_income": np.ones(n),
        "expenditure": flows.sum(axis=0),
        "exports": international.sum(axis=1),
        "imports": international.sum(axis=0),
        "tariff_revenue": np.zeros(n),
    }


def _slug(name: str) -> str:
    """``"INSTC Trans-Caspian"`` → ``"instc_trans_caspian"`` (a column-name suffix)."""
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


@dataclass
class Records:
    """Arrays collected each quarter, turned into tables at the end of a run."""

    quarters: list[str] = field(default_factory=list)
    economies: list[dict[str, np.ndarray]] = field(default_factory=list)
    pairs: list[dict[str, np.ndarray]] = field(default_factory=list)
    world: list[dict[str, float]] = field(default_factory=list)
    segments: list[SegmentLoads] = field(default_factory=list)
    settlement: list[object] = field(default_factory=list)


class CaravanModel(mesa.Model):
    """Regional economic integration of the CIS and its partners, quarter by quarter.

    Args:
        cfg: A validated :class:`~sim.config.CaravanConfig`.
        world: Optional pre-loaded world (default: loaded from ``cfg.world``).
    """

    def __init__(self, cfg: CaravanConfig, world: World | None = None) -> None:
        self.streams = random_streams(cfg.seed)
        super().__init__(rng=self.streams["mesa"])
        self.cfg = cfg
        self.world = world or load_world(
            cfg.world.name, cfg.world.economies or None, cfg.world.trade_matrix
        )
        w = self.world
        self.quarters = quarter_range(cfg.sim.start, cfg.sim.quarters)
        first = quarter_ordinal(cfg.sim.start)
        self.quarter_ordinals = list(range(first, first + cfg.sim.quarters))
        self.sigma = cfg.trade.sigma
        self.base_flows = w.flows
        self.flows = w.flows.copy()
        self.base_tariffs = baseline_tariffs(
            w.economies, cfg.tariff.cis_fta_exemption_share, cfg.tariff.eaeu_iran_interim, w.blocs
        )
        self.tariffs = self.base_tariffs.copy()
        international = ~np.eye(w.n, dtype=bool)
        self.base_ntb = np.where(international, cfg.tariff.ntb_base, 0.0)
        self.tariff_changes = compile_changes(cfg.tariff.changes, w.economies, w.blocs)
        self.ntb_changes = compile_changes(cfg.tariff.ntb_changes, w.economies, w.blocs)
        self.bans = compile_bans(cfg.tariff.bans, w.economies, w.blocs)
        self.allowed: np.ndarray | None = None  # share of each flow not banned
        self.demand_cost = np.ones((w.n, w.n))  # ĉ: the total cost change demand responds to
        self.endowment = endowment_path(w, self.quarters, cfg.sim.growth)
        self.cost_ratio = np.ones((w.n, w.n))
        self.equilibrium: EquilibriumChange | None = None
        # built once per distinct input in this process and copied (sim.setup_cache)
        routing_args = (w.economies, cfg.corridors, w.flows, cfg.sim.start, w.blocs)
        self.routing = setup_cache.cached(
            "routing",
            setup_cache.key_of(*routing_args),
            lambda: CorridorPhase(*routing_args),
            shared=lambda phase: (phase.net, phase.paths),
        )
        self.routing_result: RoutingResult | None = None
        self.settlement: SettlementPhase | None = None
        self.settlement_reference: np.ndarray | None = None
        if cfg.settlement.enabled:
            settlement_args = (w.economies, w.currencies, w.blocs, cfg.settlement, w.flows)
            spinup = settlement_spinup_quarters(cfg)
            rng = self.streams["settlement"]
            self.settlement, self.settlement_reference = setup_cache.cached(
                "settlement",
                setup_cache.key_of(*settlement_args, rng, cfg.sim.start, spinup),
                lambda: spun_up_settlement(settlement_args, rng, cfg.sim.start, spinup),
            )
            self.streams["settlement"] = self.settlement.rng  # the stream, where spin-up left it
        self.settlement_result: SettlementResult | None = None
        self.records = Records()
        self.masks = {bloc: w.members(bloc) for bloc in ("CIS", "EAEU")}
        self.economy_state = calibration_state(w)
        self.economy_agents = [Economy(self, index) for index in range(w.n)]

    @property
    def quarter(self) -> str:
        """Label of the quarter being (or last) simulated."""
        return self.quarters[max(self.steps - 1, 0)]

    def step(self) -> None:
        """Simulate one quarter (DESIGN §1)."""
        k = self.steps - 1  # quarter index; Mesa increments `steps` before calling step()
        q = self.quarters[k]
        self._apply_policy(k)  # 1. policy: tariff, NTB and ban schedules for the quarter
        self._route(q)  # 2. routing: last quarter's flows over the corridors → τ_ij change
        self._settle(q)  # 3. settlement: traders revise currencies → settlement-cost change
        self._trade(k)  # 4. trade: GE at the costs demand responds to (inertia θ)
        self._update_economies()  # 5. economy: growth path + real-income effect
        self._collect(q)  # 6. collect: economy, pair and world records

    def run(self) -> None:
        """Simulate every configured quarter."""
        for _ in self.quarters:
            self.step()

    # 1. Policy -----------------------------------------------------------------
    def _apply_policy(self, k: int) -> None:
        quarter = self.quarter_ordinals[k]
        self.tariffs = scaled_matrix(self.base_tariffs, quarter, self.tariff_changes)
        ntb = scaled_matrix(self.base_ntb, quarter, self.ntb_changes)
        self.cost_ratio = (1.0 + ntb) / (1.0 + self.base_ntb)
        self.allowed = allowed_share(self.world.n, quarter, self.bans)

    # 2. Routing ----------------------------------------------------------------
    def _route(self, quarter: str) -> None:
        self.routing_result = self.routing.step(quarter, self.flows)
        self.cost_ratio = self.cost_ratio * self.routing_result.tau_ratio

    # 3. Settlement -------------------------------------------------------------
    def _settle(self, quarter: str) -> None:
        if self.settlement is None:  # disabled: settlement costs held at the calibration
            return
        result = self.settlement.step(quarter, self.flows)
        self.settlement_result = result
        if self.settlement_reference is None:
            ratio = result.cost_ratio
        else:  # relative to the state reached by the spin-up, i.e. just before the start
            ratio = (1.0 + result.cost) / (1.0 + self.settlement_reference)
        self.cost_ratio = self.cost_ratio * ratio

    # 4. Trade --------------------------------------------------------------------
    def _trade(self, k: int) -> None:
        theta = self.cfg.trade.adjustment
        tariff_ratio = (1.0 + self.tariffs) / (1.0 + self.base_tariffs)
        if theta == 1.0:  # no inertia: demand responds to the quarter's costs
            cost_hat = self.cost_ratio
            self.demand_cost = self.cost_ratio * tariff_ratio
        else:  # ln ĉ_q = ln ĉ_{q−1} + θ (ln c_q − ln ĉ_{q−1})  (module docstring)
            target = self.cost_ratio * tariff_ratio
            self.demand_cost = self.demand_cost ** (1.0 - theta) * target**theta
            cost_hat = self.demand_cost / tariff_ratio
        try:
            self.equilibrium = solve_in_changes(
                self.base_flows,
                cost_hat,
                self.sigma,
                tariff_base=self.base_tariffs,
                tariff_new=self.tariffs,
                endowment_hat=self.endowment[k],
                reference=None,
                allowed=self.allowed,
            )
        except NoEquilibriumError as error:
            message = error.named([self.world.economies[i] for i in error.economies])
            raise ModelError(f"{self.quarters[k]}: {message}") from None
        self.flows = self.equilibrium.flows_new

    # 5. Economy ------------------------------------------------------------------
    def _update_economies(self) -> None:
        eq, flows, tariffs = self.equilibrium, self.flows, self.tariffs
        assert eq is not None
        international = flows * ~np.eye(self.world.n, dtype=bool)
        self.economy_state = {
            "output": (flows / (1.0 + tariffs)).sum(axis=1),
            "price": eq.price,
            "real_income": eq.real_income,
            "expenditure": flows.sum(axis=0),
            "exports": international.sum(axis=1),
            "imports": international.sum(axis=0),
            "tariff_revenue": (flows * tariffs / (1.0 + tariffs)).sum(axis=0),
        }

    # 6. Collect ------------------------------------------------------------------
    def _collect(self, quarter: str) -> None:
        economy = {name: self.economy_state[name].copy() for name in STATE}
        self.records.quarters.append(quarter)
        self.records.economies.append(economy)
        routing = self.routing_result
        pairs = {
            "flow": self.flows.copy(),
            "trade_cost": self.cost_ratio * (1.0 + self.tariffs) / (1.0 + self.base_tariffs),
            "tariff": self.tariffs.copy(),
            "banned_share": np.zeros_like(self.flows) if self.allowed is None else 1 - self.allowed,
        }
        if routing is not None:
            pairs["tau"] = routing.tau
            pairs["transit_days"] = routing.transit_days
            for corridor, share in sorted(routing.route_shares.items()):
                pairs[f"route_share_{_slug(corridor)}"] = share
            self.records.segments.append(routing.segment_loads)
        settlement = self.settlement_result
        if settlement is not None:
            pairs["settlement_cost"] = settlement.cost
            self.records.settlement.append(settlement)  # its table is built with the others
        self.records.pairs.append(pairs)
        self.records.world.append(self.world_indicators(economy))

    def world_indicators(self, economy: dict[str, np.ndarray]) -> dict[str, float]:
        """Headline series for the quarter.

        * ``world_trade``: Σ_{i≠j} X_ij (US$ bn at annual rate, RoW included);
        * ``intra_<bloc>_trade_share``: Σ_{i≠j∈bloc} X_ij / Σ_{i∈bloc, j≠i} X_ij — the
          share of members' exports that goes to other members;
        * ``cis_real_income``: GDP-weighted mean of CIS members' real income (base = 1).
        """
        flows = self.flows * ~np.eye(self.world.n, dtype=bool)
        out = {"world_trade": float(flows.sum())}
        for bloc, mask in self.masks.items():
            total = flows[mask].sum()
            inside = flows[np.ix_(mask, mask)].sum()
            out[f"intra_{bloc.lower()}_trade_share"] = float(inside / total) if total else np.nan
        cis = self.masks["CIS"]
        weights = self.world.gdp[cis]
        out["cis_real_income"] = float(
            (economy["real_income"][cis] * weights).sum() / weights.sum()
        )
        if self.settlement_result is not None:
            out.update({k: float(v) for k, v in self.settlement_result.headline.items()})
        return out

    # Helpers for the run writer -------------------------------------------------------
    def extra_tables(self) -> dict[str, object]:
        """Tables contributed by the routing (and settlement) phases."""
        tables = {}
        if self.records.segments:
            tables["segments"] = segments_table(self.records.segments)
        if self.records.settlement:
            tables["settlement"] = settlement_tables(self.records.settlement)
        return tables

    def over_capacity(self) -> dict[str, dict[str, float | int]]:
        """Segments above capacity in a quarter (:func:`sim.routing.phase.over_capacity`)."""
        cfg = self.cfg.corridors
        return over_capacity(
            self.records.segments, cfg.msa_tol if cfg.capacity_price_step > 0 else 0.0
        )

    def imputed_share(self) -> float:
        """Share of trade among the modelled economies (ROW out) whose baseline cell is imputed.

        This is the data report's headline (issue 14): ROW cells close world totals
        and would dilute the share.
        """
        w = self.world
        modelled = np.array([code != "ROW" for code in w.economies])
        among = np.outer(modelled, modelled) & ~np.eye(w.n, dtype=bool)
        imputed = (w.provenance == "imputed") & among
        return float(w.flows[imputed].sum() / w.flows[among].sum())

"""Build the settlement layer's own copy of the 2023 trade matrix (run at build time only).

``uv run python -m sim.settlement.build_flows [SHARED_DATA_DIR]`` reads
``cis/*.csv`` from the shared data folder and writes
``sim/data/settlement/flows_2023.csv`` (exporter, importer, value_usd_bn,
provenance, source). The model's own loader (``sim.data``) builds the
authoritative matrix; this copy exists so that the settlement calibration and
hindcast run stand-alone and reproducibly. Method:

1. reported cells as reported (exporter's figure preferred over a derived one,
   then the mirror); EUR converted at 1.0813 US$/EUR (ECB reference rate,
   2023 average); part-year cells annualized (x12/11, x12/10);
2. turnover-only pairs split between directions by the gravity estimate of
   step 3 (``derived``);
3. remaining cells among the 15: a gravity fit by OLS on the reported cells,
   ln X = a + b·ln GDP_i + c·ln GDP_j + d·ln dist_ij (``imputed``);
4. ROW cells: the economy's goods exports (imports) minus its exports
   (imports) to the other 14, at least 10 % of the total (``residual``);
   totals: WDI goods exports/imports on a BoP basis 2023, else national
   totals from ``country_trade_totals_2023.csv`` (extra-EU for EUU), else
   the median ROW share of the others;
5. diagonals are set to GDP (placeholder; the settlement layer uses only
   international cells).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ECONOMIES = (
    "ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB",
    "CHN", "EUU", "IRN", "IND", "TUR",
)  # fmt: skip
EUR_USD_2023 = 1.0813
OUT = Path(__file__).resolve().parents[1] / "data" / "settlement" / "flows_2023.csv"


def _value(raw: str, flag: str) -> float:
    s = str(raw)
    eur = s.startswith("EUR")
    v = float(s.replace("EUR", "").replace("bn", ""))
    if eur:
        v *= EUR_USD_2023
    if "Jan-Nov" in flag:
        v *= 12 / 11
    elif "Jan-Oct" in flag:
        v *= 12 / 10
    return v


def build(shared: Path) -> pd.DataFrame:
    """Build the long-format matrix (see module docstring)."""
    cis = shared / "cis"
    idx = {e: k for k, e in enumerate(ECONOMIES)}
    n = len(ECONOMIES)
    x = np.full((n, n), np.nan)
    prov = np.full((n, n), "", dtype=object)
    src = np.full((n, n), "", dtype=object)
    rank = {"R": 0, "R*": 0, "R(FY)": 1, "D": 1, "M": 2, "M*": 2, "M(FY)": 2}
    best = np.full((n, n), 99)
    flows = pd.read_csv(cis / "trade_flows_2023_reported.csv", dtype=str)
    for r in flows.itertuples():
        i, j = idx[r.exporter], idx[r.importer]
        flag = r.flag
        k = rank.get(flag, 1 if flag.startswith("P") else 2)
        if k < best[i, j]:
            best[i, j] = k
            x[i, j] = _value(r.value_usd_bn, flag)
            prov[i, j] = "mirror" if flag.startswith("M") else "reported"
            if flag == "D":
                prov[i, j] = "derived"
            src[i, j] = f"{r.source} ({flag})"

    wdi = pd.read_csv(cis / "macro_2019_2024.csv")
    gdp = (
        wdi[(wdi.year == 2023) & (wdi.indicator == "gdp")]
        .drop_duplicates("iso3")
        .set_index("iso3")["value"]
        / 1e9
    )
    grav = pd.read_csv(cis / "gravity_vars.csv")
    dist = np.ones((n, n))
    for r in grav.itertuples():
        if r.iso_o in idx and r.iso_d in idx:
            dist[idx[r.iso_o], idx[r.iso_d]] = r.distw
    g = np.array([gdp.get(e, np.nan) for e in ECONOMIES])
    if np.isnan(g).any():
        countries = pd.read_csv(cis / "countries_2023.csv")
        col = [c for c in countries.columns if "gdp" in c.lower()][0]
        cg = countries.set_index(countries.columns[0])[col]
        for k, e in enumerate(ECONOMIES):
            if np.isnan(g[k]):
                g[k] = float(cg[e]) / (1e9 if float(cg[e]) > 1e6 else 1.0)
    ii, jj = np.nonzero(~np.isnan(x))
    design = np.column_stack([np.ones(ii.size), np.log(g[ii]), np.log(g[jj]), np.log(dist[ii, jj])])
    coef, *_ = np.linalg.lstsq(design, np.log(x[ii, jj]), rcond=None)

    def gravity(i: int, j: int) -> float:
        return float(np.exp(coef @ [1.0, np.log(g[i]), np.log(g[j]), np.log(dist[i, j])]))

    turnover = pd.read_csv(cis / "trade_turnover_2023.csv", dtype=str)
    for r in turnover.itertuples():
        parts = r.pair.split("-")
        if len(parts) != 2 or parts[0] not in idx or parts[1] not in idx:
            continue
        i, j = idx[parts[0]], idx[parts[1]]
        if not (np.isnan(x[i, j]) and np.isnan(x[j, i])):
            continue
        t = float(str(r.turnover_usd_bn).lstrip("~>"))
        gi, gj = gravity(i, j), gravity(j, i)
        for a, b, share in ((i, j, gi / (gi + gj)), (j, i, gj / (gi + gj))):
            x[a, b] = t * share
            prov[a, b] = "derived"
            src[a, b] = f"{r.source} (turnover {t} split by gravity)"
    for i in range(n):
        for j in range(n):
            if i != j and np.isnan(x[i, j]):
                x[i, j] = gravity(i, j)
                prov[i, j] = "imputed"
                src[i, j] = "gravity OLS on reported cells (build_flows.py)"

    tot = pd.read_csv(cis / "country_trade_totals_2023.csv", dtype=str)
    exp_tot, imp_tot, tot_src = {}, {}, {}
    for e in ECONOMIES:
        w = wdi[(wdi.iso3 == e) & (wdi.year == 2023)]
        ex = w[w.indicator == "exports_goods_bop"]["value"]
        im = w[w.indicator == "imports_goods_bop"]["value"]
        if e != "EUU" and len(ex) and len(im):
            exp_tot[e], imp_tot[e] = float(ex.iloc[0]) / 1e9, float(im.iloc[0]) / 1e9
            tot_src[e] = "WDI exports/imports_goods_bop 2023"
    eu = tot[(tot.iso3 == "EUU") & (tot.year_or_period == "2022")].iloc[0]
    # extra-EU 2023: exports flat, imports -16 % on 2022 (Eurostat, X9)
    exp_tot["EUU"] = float(eu.exports_usd_bn) * EUR_USD_2023
    imp_tot["EUU"] = float(eu.imports_usd_bn) * 0.84 * EUR_USD_2023
    tot_src["EUU"] = "X9 extra-EU 2022 x 2023 change, EUR at 1.0813"
    for e in ("CHN", "TUR"):
        r = tot[(tot.iso3 == e) & (tot.year_or_period == "2023")].iloc[0]
        exp_tot[e], imp_tot[e] = float(r.exports_usd_bn), float(r.imports_usd_bn)
        tot_src[e] = f"{r.source} national total 2023"
    r = tot[tot.iso3 == "IND"].iloc[0]
    exp_tot["IND"], imp_tot["IND"] = float(r.exports_usd_bn), float(r.imports_usd_bn)
    tot_src["IND"] = f"{r.source} FY2023-24"

    big = n + 1
    full = np.zeros((big, big))
    full[:n, :n] = np.nan_to_num(x)
    fprov = np.full((big, big), "", dtype=object)
    fsrc = np.full((big, big), "", dtype=object)
    fprov[:n, :n], fsrc[:n, :n] = prov, src
    row_share, col_share = [], []
    for k, e in enumerate(ECONOMIES):
        if e in exp_tot:
            row_share.append(1 - x[k, np.arange(n) != k].sum() / exp_tot[e])
            col_share.append(1 - x[np.arange(n) != k, k].sum() / imp_tot[e])
    med_r = float(np.median(np.clip(row_share, 0.1, 1)))
    med_c = float(np.median(np.clip(col_share, 0.1, 1)))
    for k, e in enumerate(ECONOMIES):
        out_k = x[k, np.arange(n) != k].sum()
        in_k = x[np.arange(n) != k, k].sum()
        if e in exp_tot:
            full[k, n] = max(exp_tot[e] - out_k, 0.1 * exp_tot[e])
            full[n, k] = max(imp_tot[e] - in_k, 0.1 * imp_tot[e])
            s = tot_src[e]
        else:
            full[k, n] = out_k * med_r / (1 - med_r)
            full[n, k] = in_k * med_c / (1 - med_c)
            s = "no 2023 total: median ROW share of the others"
        fprov[k, n] = fprov[n, k] = "residual"
        fsrc[k, n] = fsrc[n, k] = s
    for k in range(n):
        full[k, k] = g[k]
        fprov[k, k], fsrc[k, k] = "domestic", "GDP placeholder (not used by settlement)"
    full[n, n] = 80000.0
    fprov[n, n], fsrc[n, n] = "domestic", "placeholder (not used by settlement)"
    codes = list(ECONOMIES) + ["ROW"]
    rows = [
        (codes[i], codes[j], round(float(full[i, j]), 6), fprov[i, j], fsrc[i, j])
        for i in range(big)
        for j in range(big)
    ]
    return pd.DataFrame(
        rows, columns=["exporter", "importer", "value_usd_bn", "provenance", "source"]
    )


def main(argv: list[str] | None = None) -> None:
    """Write ``sim/data/settlement/flows_2023.csv``."""
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else Path("/work/shared/data")
    df = build(shared)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False)
    print(f"wrote {OUT} ({len(df)} cells)")


if __name__ == "__main__":
    main()

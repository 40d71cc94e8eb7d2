"""load_world(trade_matrix=...): the user-supplied matrix format and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.data import World, load_world
from sim.errors import DataError


def write_matrix(
    path: Path, w: World, *, source: bool = True, skip: tuple[str, str] | None = None
) -> Path:
    lines = ["exporter,importer,value_usd_bn" + (",source" if source else "")]
    for i, e in enumerate(w.economies):
        for j, f in enumerate(w.economies):
            if (e, f) == skip:
                continue
            v = repr(float(w.flows[i, j]))
            lines.append(f"{e},{f},{v}" + (",BACI-test" if source else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_round_trip(tmp_path: Path) -> None:
    base = load_world()
    path = write_matrix(tmp_path / "m.csv", base)
    w = load_world(trade_matrix=path)
    assert w.economies == base.economies
    np.testing.assert_array_equal(w.flows, base.flows)
    assert set(np.unique(w.provenance)) == {"user"}
    assert set(np.unique(w.flow_source)) == {"BACI-test"}
    assert w.data_version.startswith(base.data_version + "+user.")
    assert load_world(trade_matrix=str(path)).data_version == w.data_version
    np.testing.assert_array_equal(w.gdp, base.gdp)


def test_round_trip_without_source_column(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "nosrc.csv", load_world(), source=False)
    w = load_world(trade_matrix=path)
    assert set(np.unique(w.flow_source)) == {"user:nosrc.csv"}


def test_full_matrix_folds_for_a_subset(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", load_world())
    w = load_world(economies=["RUS", "KAZ"], trade_matrix=path)
    ref = load_world(economies=["RUS", "KAZ"])
    np.testing.assert_allclose(w.flows, ref.flows, rtol=1e-12)
    assert set(np.unique(w.provenance)) == {"user"}


def test_subset_matrix_for_a_subset(tmp_path: Path) -> None:
    ref = load_world(economies=["RUS", "KAZ", "UZB"])
    path = write_matrix(tmp_path / "sub.csv", ref)
    w = load_world(economies=["UZB", "RUS", "KAZ"], trade_matrix=path)
    np.testing.assert_array_equal(w.flows, ref.flows)


def _good_text() -> list[str]:
    w = load_world(economies=["RUS", "KAZ"])
    rows = ["exporter,importer,value_usd_bn,source"]
    for i, e in enumerate(w.economies):
        for j, f in enumerate(w.economies):
            rows.append(f"{e},{f},{float(w.flows[i, j])!r},s")
    return rows


def _load_bad(tmp_path: Path, lines: list[str]) -> DataError:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_world(economies=["RUS", "KAZ"], trade_matrix=path)
    assert exc.value.path == str(path)
    assert str(exc.value).startswith(str(path) + ": ")
    return exc.value


def test_good_text_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text("\n".join(_good_text()) + "\n", encoding="utf-8")
    assert load_world(economies=["RUS", "KAZ"], trade_matrix=path).n == 3


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError) as exc:
        load_world(trade_matrix=path)
    assert str(exc.value) == f"{path}: file not found"


def test_empty_file(tmp_path: Path) -> None:
    err = _load_bad(tmp_path, [""])
    assert "row 1" in str(err) and "empty file" in str(err)


def test_missing_column(tmp_path: Path) -> None:
    lines = _good_text()
    lines = [",".join(x.split(",")[:2] + x.split(",")[3:]) for x in lines]  # drop value column
    err = _load_bad(tmp_path, lines)
    assert "row 1, column 'value_usd_bn': missing column" in str(err)


def test_non_numeric_value(tmp_path: Path) -> None:
    lines = _good_text()
    lines[3] = "RUS,KAZ,lots,s"
    err = _load_bad(tmp_path, lines)
    assert "row 4, column 'value_usd_bn': not a number: 'lots'" in str(err)


@pytest.mark.parametrize("value", ["-1.5", "0", "0.0"])
def test_non_positive_value(tmp_path: Path, value: str) -> None:
    lines = _good_text()
    lines[5] = f"KAZ,RUS,{value},s"
    err = _load_bad(tmp_path, lines)
    assert "row 6, column 'value_usd_bn': must be > 0" in str(err)
    assert value in str(err)


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_value(tmp_path: Path, value: str) -> None:
    lines = _good_text()
    lines[2] = f"RUS,RUS,{value},s"
    err = _load_bad(tmp_path, lines)
    assert "row 3, column 'value_usd_bn': must be finite" in str(err)


def test_unknown_code(tmp_path: Path) -> None:
    lines = _good_text()
    lines[7] = "XYZ,RUS,1.0,s"
    err = _load_bad(tmp_path, lines)
    assert "row 8, column 'exporter': unknown economy 'XYZ'; allowed: ARM, AZE" in str(err)
    lines = _good_text()
    lines[7] = "KAZ,GBR,1.0,s"
    err = _load_bad(tmp_path, lines)
    assert "row 8, column 'importer': unknown economy 'GBR'" in str(err)


def test_duplicate_pair(tmp_path: Path) -> None:
    lines = _good_text()
    lines.append(lines[2])
    err = _load_bad(tmp_path, lines)
    assert "row 11, column 'importer': duplicate pair KAZ -> RUS (first given in row 3)" in str(err)


def test_missing_pair(tmp_path: Path) -> None:
    lines = _good_text()
    del lines[4]  # RUS -> ROW
    err = _load_bad(tmp_path, lines)
    msg = str(err)
    assert "column 'importer': missing pair" in msg and "row 9" in msg
    assert "diagonal included" in msg


def test_ragged_row(tmp_path: Path) -> None:
    lines = _good_text()
    lines[6] = "KAZ,KAZ"
    err = _load_bad(tmp_path, lines)
    assert "row 7, column 'value_usd_bn': missing value" in str(err)


def test_partial_matrix_for_the_full_world(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", load_world(), skip=("TKM", "IND"))
    with pytest.raises(DataError, match="missing pair TKM -> IND"):
        load_world(trade_matrix=path)

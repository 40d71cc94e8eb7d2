import json

import pandas as pd
import pytest

from sim import runner
from sim.io.run_dir import config_hash, write_table


def test_write_table_is_atomic_and_leaves_no_temp_files(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_table(frame, tmp_path / "t.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]
    assert pd.read_parquet(tmp_path / "t.parquet").equals(frame)


def test_failed_write_leaves_nothing_under_the_final_name(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    def half_then_full(table, file, **kwargs):
        file.write(b"PAR1 half a table")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", half_then_full)
    with pytest.raises(OSError):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("attrs", [{}, {"columns": {"a": {"unit": "US$ bn", "description": "é"}}}])
def test_tables_have_the_bytes_pandas_writes(tmp_path, attrs):
    frame = pd.DataFrame(
        {"a": [1.5, None, 3.0], "b": ["x", "y", None], "c": pd.Categorical(["u", "v", "u"])}
    )
    frame.attrs = attrs
    write_table(frame, tmp_path / "ours.parquet")
    frame.to_parquet(tmp_path / "pandas.parquet", index=False, engine="pyarrow", compression="zstd")
    assert (tmp_path / "ours.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "ours.parquet")
    assert back.attrs == attrs
    pd.testing.assert_frame_equal(back, frame)


def test_failed_run_records_status_and_writes_no_tables(tmp_path, config_for, monkeypatch):
    def explode(cfg):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(runner, "simulate", explode)
    with pytest.raises(RuntimeError):
        runner.run_to_directory(config_for("sim.quarters=1"), tmp_path)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["status"] == "failed" and "solver exploded" in meta["error"]
    assert not list(tmp_path.glob("*.parquet"))


def test_config_hash_is_order_independent():
    assert config_hash({"a": 1, "b": {"c": 2}}) == config_hash({"b": {"c": 2}, "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def _tables():
    return {"a": pd.DataFrame({"x": [1.0, 2.0]}), "b": pd.DataFrame({"y": ["u", "v"]})}


def test_tables_are_group_readable_like_hydra_files(tmp_path):
    import os
    import stat

    from sim.io.files import file_mode
    from sim.io.run_dir import write_metadata, write_tables

    write_tables(tmp_path, _tables())
    write_metadata(tmp_path, {"status": "completed"})
    plain = tmp_path / "plain.txt"
    plain.write_text("")  # what open() gives, as Hydra writes .hydra/
    for name in ("a.parquet", "b.parquet", "metadata.json"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == stat.S_IMODE(plain.stat().st_mode) == file_mode(), name


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_tables_are_all_or_none(tmp_path, monkeypatch, exc):
    from sim.io import run_dir

    real = run_dir._parquet
    calls = []

    def second_fails(frame):
        calls.append(frame)
        write = real(frame)
        if len(calls) != 2:
            return write

        def fail(file):
            write(file)  # the second table is written, then fails
            raise exc

        return fail

    monkeypatch.setattr(run_dir, "_parquet", second_fails)
    with pytest.raises(type(exc)):
        run_dir.write_tables(tmp_path, _tables())
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []  # the first table is gone too, no temp files


def test_a_failed_rename_removes_the_tables_already_in_place(tmp_path, monkeypatch):
    import os

    from sim.io import files, run_dir

    real = os.replace
    moved = []

    def second_fails(src, dst):
        if moved:
            raise OSError(28, "No space left on device")
        moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", second_fails)
    with pytest.raises(OSError, match="No space left") as raised:
        run_dir.write_tables(tmp_path, _tables())
    assert raised.value.filename == str(tmp_path / "b.parquet")
    assert moved == [tmp_path / "a.parquet"]
    assert list(tmp_path.iterdir()) == []


def test_failed_write_of_a_run_leaves_only_failed_metadata(tmp_path, config_for, monkeypatch):
    from sim.io import run_dir

    real = run_dir._parquet

    def full_disk_on_pairs(frame):
        write = real(frame)
        if "exporter" not in frame.columns or "importer" not in frame.columns:
            return write

        def fail(file):
            raise OSError(28, "No space left on device")

        return fail

    monkeypatch.setattr(run_dir, "_parquet", full_disk_on_pairs)
    with pytest.raises(OSError):
        runner.run_to_directory(config_for("debug=fast"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metadata.json"]
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["status"] == "failed" and "No space left" in meta["error"]


def test_rerun_into_a_completed_dir_drops_the_old_run_first(tmp_path, config_for, monkeypatch):
    runner.run_to_directory(config_for("debug=fast"), tmp_path)
    assert json.loads((tmp_path / "metadata.json").read_text())["status"] == "completed"
    (tmp_path / ".pairs.parquet.abc.tmp").write_bytes(b"left by a killed writer")
    seen = {}

    def explode(cfg):
        seen["files"] = sorted(p.name for p in tmp_path.iterdir())
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(runner, "simulate", explode)
    with pytest.raises(RuntimeError):
        runner.run_to_directory(config_for("debug=fast"), tmp_path)
    assert seen["files"] == []  # no old metadata, tables or temp files while the new run runs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metadata.json"]
    assert json.loads((tmp_path / "metadata.json").read_text())["status"] == "failed"


def test_atomic_writer_is_public(tmp_path):
    from sim.io.files import atomic_write_bytes

    atomic_write_bytes(tmp_path / "a.json", b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"{}"


def test_a_layout_seen_before_gives_the_bytes_pandas_writes(tmp_path):
    """The second frame of a layout is converted with the kept schema, to the same bytes."""
    import numpy as np

    from sim.io import run_dir

    def frame(seed):
        rng = np.random.default_rng(seed)
        values = rng.random(6)
        values[seed % 6] = np.nan
        out = pd.DataFrame(
            {
                "quarter": pd.array(["2024Q1", None, "2024Q3"] * 2, dtype="str"),
                "value": values,
                "whole": rng.random(6),
                "count": rng.integers(0, 9, 6),
                "flag": rng.random(6) < 0.5,
            }
        )
        out.attrs = {"columns": {"value": {"unit": "US$ bn", "description": "é"}}}
        return out

    run_dir._SCHEMAS.clear()
    for seed in range(3):  # the first builds the schema, the others reuse it
        ours, theirs = tmp_path / "ours.parquet", tmp_path / "pandas.parquet"
        write_table(frame(seed), ours)
        frame(seed).to_parquet(theirs, index=False, compression="zstd")
        assert ours.read_bytes() == theirs.read_bytes()
    assert len(run_dir._SCHEMAS) == 1

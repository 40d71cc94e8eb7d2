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


def test_failed_write_leaves_nothing_under_the_final_name(tmp_path):
    class Unwritable(pd.DataFrame):
        def to_parquet(self, *args, **kwargs):
            raise OSError("disk full")

    with pytest.raises(OSError):
        write_table(Unwritable({"a": [1]}), tmp_path / "t.parquet")
    assert list(tmp_path.iterdir()) == []


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

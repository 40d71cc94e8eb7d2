from __future__ import annotations

from pathlib import Path

from sim.readme import with_block
from sim.reporters import BEGIN, END, TABLES, markdown_columns


def test_readme_column_tables_are_generated_from_the_declarations():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme
    assert with_block(readme, BEGIN, END, markdown_columns()) == readme, (
        "README.md's column tables are stale: run `uv run python -m sim.reporters`"
    )


def test_every_declared_world_column_has_a_unit_and_a_description():
    block = markdown_columns()
    for entry in TABLES["world"]:
        assert entry.unit and entry.description, entry.name
        assert f"`{entry.name}" in block

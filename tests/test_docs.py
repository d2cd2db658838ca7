"""Docs that cannot drift: the input-format reference and the CLI match the code."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli import app
from graph.docs import render
from graph.model import TABLES

ROOT = Path(__file__).resolve().parent.parent


def test_input_format_doc_is_generated_from_the_model() -> None:
    doc = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert render(doc) == doc, "docs/input-format.md is stale: run `python -m graph.docs`"
    for table in TABLES:
        assert f"`{table}`" in doc


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["--help"]).output
    assert "ingest" in out
    for cmd in app.registered_commands:
        name = cmd.name or (cmd.callback.__name__ if cmd.callback else "")
        assert f"netintel {name}" in readme, f"README does not document `netintel {name}`"
    for group in app.registered_groups:
        assert f"netintel {group.name}" in readme, f"README does not document `netintel {group.name}`"

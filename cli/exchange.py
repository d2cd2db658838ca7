"""``netintel export``: the graph in the ecosystem's formats (FollowTheMoney)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import AsOpt, err, fail, scoped

__all__ = ["export"]


def export(
    out: Annotated[Path, typer.Argument(help="file to write (line-delimited FtM JSON)")],
    fmt: Annotated[str, typer.Option("--format", help="ftm (FollowTheMoney entities, one JSON object a line)")] = "ftm",
    as_user: AsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Export every entity and relationship the scope may see (analysts; audited)."""
    from views.exchange import export_ftm

    if fmt != "ftm":
        fail(f"unknown --format {fmt!r} (ftm)", 2)
    with scoped("export", as_user) as scope:
        res = export_ftm(scope, out)
    if as_json:
        print(json.dumps(res.model_dump(), indent=2))
        return
    err.print(f"Wrote {res.entities:,} FtM entities to {res.path}: "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(res.by_schema.items())))
    if res.left_out:
        err.print("Left out (no FtM counterpart): " + ", ".join(f"{k} {v:,}" for k, v in sorted(res.left_out.items())))

"""The heavy analytics as job targets: module-level functions (picklable) that
take plain data and a ``progress`` callback and return a DataFrame ready for
the view's typed table.  They run in a job process (:mod:`views.jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import pandas as pd

__all__ = ["brokers", "communities", "keyplayers"]

Progress = Callable[[float], None]


def _names(G: nx.Graph, df: pd.DataFrame) -> pd.DataFrame:
    if "name" not in df.columns:
        names = {n: d.get("name") for n, d in G.nodes(data=True)}
        df.insert(1, "name", [names.get(n) for n in df["node"]])
    return df


def brokers(G: nx.Graph, group: str, top: int, k: int | None, seed: int | None, *,
            progress: Progress | None = None) -> pd.DataFrame:
    from analytics.brokers import rank_brokers

    return rank_brokers(G, group=group, top=top, k=k, seed=seed)


def communities(G: nx.Graph, method: str, seed: int, *, progress: Progress | None = None) -> pd.DataFrame:
    from analytics.communities import communities as run

    df = run(G, method=method, seed=seed)
    out = _names(G, df)
    out.attrs.update(df.attrs)
    return out


def keyplayers(G: nx.Graph, k: int, seed: int, *, progress: Progress | None = None) -> Any:
    from analytics.keyplayers import fragmentation

    df = fragmentation(G, k, seed=seed, progress=progress)
    return _names(G, df)

"""Money trails and laundering typologies (compatibility module).

The code lives in three modules: temporal tracing in :mod:`analytics.trace`
(:func:`trace`, :func:`paths_between`), the laundering typologies in
:mod:`analytics.typologies` (:func:`typologies` and one function per kind)
and the per-account score in :mod:`analytics.risk` (:func:`account_risk`).
This module re-exports their public names so that existing imports such as
``from analytics.money import typologies, trace`` keep working; new code
should import from the two modules directly.

Examples
--------
>>> from analytics import trace as tr, typologies as ty
>>> trace is tr.trace and typologies is ty.typologies
True
"""

from __future__ import annotations

from analytics.risk import ACTIVE_MEMBERS, RISK_COLUMNS, RISK_WEIGHTS, account_risk
from analytics.trace import PATH_COLUMNS, paths_between, trace
from analytics.typologies import (
    FINDING_COLUMNS,
    KINDS,
    SCALES,
    TypologyConfig,
    cycles,
    fan_in,
    fan_out,
    gather_scatter,
    pass_through,
    scatter_gather,
    slow_cycles,
    slow_fan_in,
    slow_fan_out,
    structuring,
    typologies,
)

__all__ = [
    "KINDS",
    "PATH_COLUMNS",
    "FINDING_COLUMNS",
    "TypologyConfig",
    "trace",
    "paths_between",
    "typologies",
    "fan_in",
    "fan_out",
    "scatter_gather",
    "gather_scatter",
    "cycles",
    "pass_through",
    "structuring",
    "slow_fan_in",
    "slow_fan_out",
    "slow_cycles",
    "SCALES",
    "account_risk",
    "RISK_WEIGHTS",
    "RISK_COLUMNS",
    "ACTIVE_MEMBERS",
]


"""Module layout of analytics: money split into trace, typologies and risk, the generator on its own."""

from __future__ import annotations

from analytics import money, resolution, risk, synthetic, trace, typologies


def test_analytics_money_re_exports_trace_and_typologies() -> None:
    for name in money.__all__:
        obj = getattr(money, name)
        home = next(m for m in (trace, typologies, risk) if name in m.__all__)
        assert getattr(home, name) is obj, name
    assert set(money.__all__) == set(trace.__all__) | set(typologies.__all__) | set(risk.__all__)


def test_synthetic_records_live_outside_resolution() -> None:
    assert synthetic.synthetic_records.__module__ == "analytics.synthetic"
    # still importable from analytics.resolution for bench/analytics_resolution.py
    assert resolution.synthetic_records is synthetic.synthetic_records
    assert resolution.true_pairs is synthetic.true_pairs
    assert not hasattr(resolution, "_render") and not hasattr(resolution, "_person")

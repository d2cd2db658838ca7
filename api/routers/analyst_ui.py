"""The analyst's pages: the trace workspace (``/ui/trace``) and alert triage
(``/ui/alerts``, ``/ui/alerts/{id}``).  Thin shells over :mod:`views.money` and
:mod:`views.alerts`; forms post with the CSRF token of the page system."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.errors import NetintelError

from ..deps import DriverDep, scope_of
from ..errors import ApiError, error_page
from ..security import role_allows
from ._common import render
from .alerts import store_of
from .ui import UiUser

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)

_DEFAULTS = {"direction": "forward", "max_hops": "4", "window": "7", "unit": "days"}


def _moneyflow_js() -> Any:
    from viz._html import static_text
    from viz.pages import inline_asset

    return inline_asset(static_text("moneyflow.js"), "script")


def _watermark(user: Any) -> str:
    return f"netintel · {user.username} · {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"


def _refused(user: Any, title: str) -> HTMLResponse:
    return error_page(403, "Your role cannot see money trails or alerts (analysts only).", user=user,
                      title=f"{title}: not for your role")


def _parse(q: dict[str, str]) -> dict[str, Any]:
    """The page's settings as typed values (raises ValueError with a plain message)."""
    try:
        hops = int(q["max_hops"])
        window = float(q["window"])
        min_amount = float(q["min_amount"]) if q.get("min_amount") else 0.0
    except ValueError as exc:
        raise ValueError("hops, window and minimum amount must be numbers") from exc
    if q["unit"] not in ("hours", "days"):
        raise ValueError("the window unit is hours or days")
    try:
        since = dt.date.fromisoformat(q["since"]) if q.get("since") else None
        until = dt.date.fromisoformat(q["until"]) if q.get("until") else None
    except ValueError as exc:
        raise ValueError("dates are YYYY-MM-DD") from exc
    cur = (q.get("currency") or "").strip().upper() or None
    if cur is not None and (len(cur) != 3 or not cur.isalpha()):
        raise ValueError("the currency is a three-letter code such as THB")
    return {"max_hops": hops, "window_hours": window * (24 if q["unit"] == "days" else 1), "min_amount": min_amount,
            "since": since, "until": until, "currency": cur}


@router.get("/trace", response_class=HTMLResponse)
def trace_page(request: Request, driver: DriverDep, user: UiUser) -> Response:
    from views import money as v
    from viz.moneyflow import summary

    if not role_allows(user.role, "analyst"):
        return _refused(user, "Trace workspace")
    keys = ("account", "to", "holder", "direction", "max_hops", "window", "unit", "since", "until", "min_amount",
            "currency", "view")
    q = {k: (request.query_params.get(k) or "").strip()[:200] for k in keys}
    for k, d in _DEFAULTS.items():
        q[k] = q[k] or d
    settings_keys = ("direction", "max_hops", "window", "unit", "since", "until", "min_amount", "currency")
    qs_settings = urlencode({k: q[k] for k in settings_keys if q[k]})
    ctx: dict[str, Any] = {"title": "Trace workspace", "user": user, "q": q, "out": None, "accounts_of": None,
                           "holder": None, "error": None, "qs_settings": qs_settings, "max_paths": v.MAX_TRAIL_PATHS}
    scope = scope_of(request, user, driver, via="ui")
    try:
        if q["holder"]:
            ctx["accounts_of"] = v.holder_accounts(scope, q["holder"])
            ctx["holder"] = (ctx["accounts_of"][0].get("holder") if ctx["accounts_of"] else None) or q["holder"]
        if q["account"]:
            p = _parse(q)
            account = v.resolve_account(scope, q["account"])
            q["account"] = account
            if q["to"]:
                target = v.resolve_account(scope, q["to"])
                q["to"] = target
                out = v.paths(scope, account, target, max_hops=p["max_hops"], window_hours=p["window_hours"],
                              min_amount=p["min_amount"], since=p["since"], until=p["until"], currency=p["currency"])
                ctx["title"] = f"Money paths {account} → {target}"
                export = "/api/money/paths?" + urlencode({"source": account, "target": target, **_api_params(p)})
            else:
                out = v.trail(scope, account, direction=q["direction"], **p)
                ctx["title"] = f"Money trail {q['direction']} {'from' if q['direction'] == 'forward' else 'into'} {account}"
                export = f"/api/money/trail/{account}?" + urlencode({"direction": q["direction"], **_api_params(p)})
            ctx.update(out=out, summary=summary(out), export_url=export,
                       transfers=sorted(out.transfers, key=lambda t: (t.at, t.txn_id)),
                       watermark=_watermark(user), moneyflow_js=_moneyflow_js(),
                       data={"transfers": [t.model_dump() for t in out.transfers],
                             "accounts": [a.model_dump() for a in out.accounts], "start": account,
                             "target": q["to"] or None, "direction": "forward" if q["to"] else q["direction"],
                             "view": q["view"] if q["view"] in ("flow", "sankey", "time") else "flow",
                             "filename": f"trail-{account}"})
    except (ValueError, NetintelError, ApiError) as exc:
        ctx["error"] = getattr(exc, "message", None) or str(exc)
        status = getattr(exc, "status", 400)
        return render("trace.html", status_code=status if isinstance(status, int) else 400, **ctx)
    return render("trace.html", **ctx)


def _api_params(p: dict[str, Any]) -> dict[str, Any]:
    out = {"max_hops": p["max_hops"], "window_hours": p["window_hours"]}
    if p["min_amount"]:
        out["min_amount"] = p["min_amount"]
    for k in ("since", "until"):
        if p[k]:
            out[k] = p[k].isoformat()
    if p["currency"]:
        out["currency"] = p["currency"]
    return out


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, driver: DriverDep, user: UiUser, message: str | None = None) -> Response:
    from views import alerts as v

    if not role_allows(user.role, "analyst"):
        return _refused(user, "Alerts")
    status = request.query_params.get("status") or None
    scope = scope_of(request, user, driver, via="ui")
    try:
        every = v.queue(scope, store_of(request))
    except (NetintelError, ApiError) as exc:
        return render("alerts.html", status_code=400, title="Alerts", user=user, rows=[], status=None, counts={},
                      message=getattr(exc, "message", str(exc)))
    counts: dict[str, int] = {}
    for r in every.data:
        counts[r.status] = counts.get(r.status, 0) + 1
    rows = [r.model_dump() for r in every.data if status in (None, r.status)]
    msg = request.query_params.get("msg")
    return render("alerts.html", title="Alerts", user=user, rows=rows, status=status, counts=counts,
                  message=msg[:200] if msg else None)


@router.post("/alerts/run")
def alerts_run(request: Request, driver: DriverDep, user: UiUser,
               csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    from views import alerts as v

    if not role_allows(user.role, "analyst"):
        return _refused(user, "Alerts")
    res = v.run(scope_of(request, user, driver, via="ui"), store_of(request))
    msg = (f"Typologies re-run: {res.seen:,} findings, {res.added:,} new alert{'s' if res.added != 1 else ''}; "
           "unchanged alerts kept their judgement.")
    return RedirectResponse("/ui/alerts?" + urlencode({"msg": msg}), status_code=303)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: str, request: Request, driver: DriverDep, user: UiUser) -> Response:
    from views import alerts as v
    from views.alert_store import STATUSES

    if not role_allows(user.role, "analyst"):
        return _refused(user, "Alert")
    try:
        a = v.alert(scope_of(request, user, driver, via="ui"), store_of(request), alert_id)
    except (NetintelError, ApiError):
        return error_page(404, f"No alert {alert_id}.", user=user)
    trail = a.trail
    assert trail is not None
    data = {"transfers": [t.model_dump() for t in trail.transfers], "accounts": [x.model_dump() for x in trail.accounts],
            "start": a.accounts[0] if a.accounts else None, "target": None, "direction": "forward", "view": "flow",
            "filename": a.id}
    msg = request.query_params.get("msg")
    return render("alert.html", title=f"Alert {a.id}", user=user, a=a.model_dump(), data=data, statuses=STATUSES,
                  moneyflow_js=_moneyflow_js(), watermark=_watermark(user),
                  message=msg[:200] if msg else None)


@router.post("/alerts/{alert_id}")
def alert_change(alert_id: str, request: Request, driver: DriverDep, user: UiUser,
                 status: Annotated[str | None, Form(max_length=20)] = None,
                 assignee: Annotated[str | None, Form(max_length=64)] = None,
                 note: Annotated[str | None, Form(max_length=4000)] = None,
                 csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    from views import alerts as v

    if not role_allows(user.role, "analyst"):
        return _refused(user, "Alert")
    try:
        v.change(scope_of(request, user, driver, via="ui"), store_of(request), alert_id,
                 status=status or None, assignee=assignee if assignee is not None else None, note=note)
        msg = "Saved."
    except (NetintelError, ApiError) as exc:
        msg = f"Not saved: {getattr(exc, 'message', str(exc))}"
    return RedirectResponse(f"/ui/alerts/{alert_id}?" + urlencode({"msg": msg}), status_code=303)

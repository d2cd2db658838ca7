"""Synthetic prosecution and victim-assistance histories (part of ``netintel generate``).

:func:`plant_justice` runs after the generator has written cases, parties,
accounts and vehicles: it reads those tables back, and for every trafficking
case writes the records of :mod:`graph.model`'s prosecution and assistance
tables — and the truth that the analytics of :mod:`analytics.justice` must
find in the loaded store.

What is planted
---------------
* **Justice stages** per case: complaint → investigation → arrest → charges →
  prosecutor's decision → indictment → verdict → sentence → appeal, with
  realistic delays (months to years), attrition (no arrest, not prosecuted,
  acquitted) and stalls (a case that simply stops); nothing after the
  generator's end date :data:`AS_OF`.  Officials among the defendants.
* **Victims**: screening (most, not all; some not identified or referred),
  shelter stays (state or private; some identified victims never sheltered,
  some stays still going on), services (medical, psychological, legal aid,
  vocational, repatriation of foreign victims, reintegration); some victims
  identified in two cases.
* **Compensation**: claims against indicted defendants, awards at conviction,
  payments in full, in part or not at all.
* **Enforcement**: offenders with unpaid awards who own a vehicle (Department
  of Land Transport) or hold an account that sends money to others (AMLO),
  some of them found, frozen or seized, with amounts recovered; land.

The truth is computed here, directly from what is written, with plain Python
(no pandas, no code of :mod:`analytics`), so the tests compare two
independent computations of the same definitions (see ``docs/justice.md``).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from graph.model import JUSTICE_STAGES

__all__ = ["plant_justice", "AS_OF", "STALLED_DAYS", "age_group", "is_finished"]

#: the generated data's "today": no event is later, and time since verdict / stalls count from it
AS_OF = dt.date(2025, 6, 30)
#: a case with no justice event for more than this many days (and not finished) is stalled
STALLED_DAYS = 365
OFFENDER_ROLES = ("suspect", "recruiter", "transporter", "harbourer", "employer", "financier", "broker")
#: a case whose last stage is one of these (stage, outcome) is finished, never "stalled"
def is_finished(stage: str, outcome: str | None) -> bool:
    """True when a case whose latest event is ``stage``/``outcome`` has finished its path
    (not prosecuted, acquitted, sentenced or appealed), so it cannot be stalled.

    >>> is_finished("verdict", "acquitted"), is_finished("indictment", None)
    (True, False)
    """
    return ((stage == "prosecutor_decision" and outcome == "not_prosecute")
            or (stage == "verdict" and outcome == "acquitted") or stage in ("sentence", "appeal"))
_SHELTERS = [("Kredtrakarn Protection and Occupational Development Centre", "state", "TH-12"),
             ("Pakkred Reception Home for Boys", "state", "TH-12"),
             ("Songkhla Protection and Occupational Development Centre", "state", "TH-90"),
             ("Chiang Rai Welfare Protection Centre for Victims of Trafficking", "state", "TH-57"),
             ("Ranong Welfare Protection Centre", "state", "TH-85"),
             ("Nonthaburi Shelter for Children and Families", "state", "TH-12"),
             ("Foundation for Women Shelter", "private", "TH-10"),
             ("Labour Rights Promotion Network Shelter", "private", "TH-74"),
             ("Human Rights and Development Foundation Safe House", "private", "TH-10")]
_PROVIDERS = {"medical": ["Ministry of Public Health", "provincial hospital"],
              "psychological": ["MSDHS social worker", "Department of Mental Health"],
              "legal_aid": ["Lawyers Council of Thailand", "Rights of Victims Fund", "NGO legal clinic"],
              "vocational": ["Department of Skill Development", "shelter vocational unit"],
              "repatriation": ["MSDHS with IOM", "MSDHS with the embassy"],
              "reintegration": ["provincial social development office", "NGO reintegration programme"]}
_TEAMS = ["MDT-{p}-1", "MDT-{p}-2", "PSDHS-{p} screening team"]
_PLATE = "กขคฆงจฉชญณดตถทธนบปผพภมยรลวศษสหอ"


class _Writer(Protocol):
    def srid(self, table: str, source: str, prefix: str) -> str: ...
    def row(self, table: str, r: dict[str, Any]) -> None: ...


def age_group(birth: dt.date | None, on: dt.date) -> str:
    """``child`` (under 18 on ``on``), ``adult`` or ``unknown``.

    >>> age_group(dt.date(2010, 5, 1), dt.date(2028, 4, 30)), age_group(None, dt.date(2020, 1, 1))
    ('child', 'unknown')
    """
    if birth is None:
        return "unknown"
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return "child" if years < 18 else "adult"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _iso(d: dt.date | None) -> str:
    return "" if d is None else d.isoformat()


class _Planter:
    def __init__(self, out: Path, b: _Writer, seed: int) -> None:
        from ingest.validate import validate_row

        self.rng = random.Random(seed * 1_000_003 + 14)
        self.b = b
        self.cases = [c for c in _read(out / "cases.csv") if c["exploitation_type"]]
        self.case_by_id = {c["id"]: c for c in self.cases}
        self.persons: dict[str, dict[str, Any]] = {}
        for r in _read(out / "persons.csv"):
            rec, _ = validate_row("persons", r)  # as ingest will store it
            if rec is not None:
                self.persons[r["id"]] = {"nationality": rec.props.get("nationality"), "sex": rec.props.get("sex"),
                                         "birth_date": rec.props.get("birth_date")}
        self.roles: dict[str, list[tuple[str, str]]] = defaultdict(list)  # case -> [(party, role)]
        for r in _read(out / "involvements.csv"):
            self.roles[r["case_id"]].append((r["party_id"], r["role"]))
        self.vehicles: dict[str, set[str]] = defaultdict(set)
        for r in _read(out / "ownerships.csv"):
            self.vehicles[r["owner_id"]].add(r["vehicle_id"])
        self.accounts: dict[str, set[str]] = defaultdict(set)
        for r in _read(out / "holdings.csv"):
            self.accounts[r["holder_id"]].add(r["account_id"])
        self.companies: dict[str, set[str]] = defaultdict(set)
        for r in _read(out / "affiliations.csv"):
            if r["type"] == "DIRECTS":
                self.companies[r["person_id"]].add(r["org_id"])
        self.sends_to: dict[str, set[str]] = defaultdict(set)
        for r in _read(out / "transfers.csv"):
            self.sends_to[r["from_account"]].add(r["to_account"])
        # what is written, for the truth
        self.stages: list[dict[str, Any]] = []
        self.stages_of: dict[str, list[dict[str, Any]]] = defaultdict(list)  # the same, by case, in order
        self.screenings: list[dict[str, Any]] = []
        self.assistance: list[dict[str, Any]] = []  # shelter stays and services
        self.awards: list[dict[str, Any]] = []
        self.enforcement: list[dict[str, Any]] = []
        self.officials: set[tuple[str, str]] = set()  # (case, person)
        self.indicted: dict[str, list[str]] = {}

    # ------------------------------------------------------------ writing
    def _stage(self, case: dict[str, str], stage: str, on: dt.date, agency: str, person: str | None = None,
               outcome: str | None = None, months: int | None = None) -> bool:
        if on > AS_OF:
            return False
        src = agency
        srid = self.b.srid("justice_stages", src, "JS")
        self.b.row("justice_stages", {"id": f"{src}:{srid}", "source": src, "source_record_id": srid,
                                      "recorded_at": _iso(on), "case_id": case["id"], "person_id": person or "",
                                      "stage": stage, "on_date": _iso(on), "agency": agency, "outcome": outcome or "",
                                      "sentence_months": "" if months is None else months})
        self.stages.append({"case_id": case["id"], "person_id": person, "stage": stage, "on": on, "agency": agency,
                            "outcome": outcome, "months": months})
        self.stages_of[case["id"]].append(self.stages[-1])
        return True

    # ------------------------------------------------------------ justice
    def justice(self, case: dict[str, str]) -> dict[str, tuple[str, dt.date]]:
        """The case's path; returns ``{defendant: (verdict, date)}`` and the indicted ones."""
        rng = self.rng
        agency = case["agency"]
        police = agency if agency in ("RTP", "ATPD", "DSI") else rng.choice(["RTP", "ATPD"])
        d = dt.date.fromisoformat(case["opened_on"])
        verdicts: dict[str, tuple[str, dt.date]] = {}
        if not self._stage(case, "complaint", d, agency):
            return verdicts
        d += dt.timedelta(days=rng.randint(0, 30))
        if not self._stage(case, "investigation", d, police):
            return verdicts
        defendants = [p for p, r in self.roles[case["id"]] if r in OFFENDER_ROLES and p in self.persons]
        defendants = list(dict.fromkeys(defendants))
        if not defendants or rng.random() < 0.18:  # never solved, or stalled in investigation
            return verdicts
        d += dt.timedelta(days=rng.randint(10, 250))
        arrested = [p for p in defendants if rng.random() < 0.8] or defendants[:1]
        if rng.random() < 0.1 and arrested:  # an official among them (police, immigration, local)
            self.officials.add((case["id"], arrested[0]))
            src = case["source"]
            self.b.row("involvements", {"source": src, "source_record_id": self.b.srid("involvements", src, "I"),
                                        "party_id": arrested[0], "case_id": case["id"], "role": "official"})
        charged = []
        for p in arrested:
            da = d + dt.timedelta(days=rng.randint(0, 5))
            if self._stage(case, "arrest", da, police, p):
                if self._stage(case, "charges", da + dt.timedelta(days=rng.randint(1, 30)), police, p):
                    charged.append(p)
        if not charged or rng.random() < 0.08:  # stalled after charges
            return verdicts
        d += dt.timedelta(days=rng.randint(40, 260))
        prosecute = rng.random() < 0.86
        if not self._stage(case, "prosecutor_decision", d, "OAG", None, "prosecute" if prosecute else "not_prosecute"):
            return verdicts
        if not prosecute:
            return verdicts
        indicted = []
        for p in charged:
            if self._stage(case, "indictment", d + dt.timedelta(days=rng.randint(5, 60)), "OAG", p):
                indicted.append(p)
        self.indicted[case["id"]] = indicted
        if not indicted or rng.random() < 0.06:  # stalled before trial
            return verdicts
        d += dt.timedelta(days=rng.randint(120, 900))
        for p in indicted:
            dv = d + dt.timedelta(days=rng.randint(0, 20))
            verdict = "convicted" if rng.random() < 0.78 else "acquitted"
            if not self._stage(case, "verdict", dv, "COJ", p, verdict):
                continue
            verdicts[p] = (verdict, dv)
            if verdict == "convicted":
                band = rng.random()
                months = (rng.randint(6, 36) if band < 0.2 else rng.randint(37, 120) if band < 0.7
                          else rng.randint(121, 300))
                ds = dv + dt.timedelta(days=rng.randint(0, 30))
                self._stage(case, "sentence", ds, "COJ", p, None, months)
                if rng.random() < 0.3:
                    self._stage(case, "appeal", ds + dt.timedelta(days=rng.randint(60, 500)), "COJ", p,
                                rng.choice(["upheld", "upheld", "upheld", "reduced", "overturned"]))
        return verdicts

    # ------------------------------------------------------------ victims
    def victims(self, case: dict[str, str]) -> list[str]:
        rng = self.rng
        opened = dt.date.fromisoformat(case["opened_on"])
        prov_code = _province_code(case)
        victims = list(dict.fromkeys(p for p, r in self.roles[case["id"]] if r == "victim" and p in self.persons))
        for v in victims:
            if rng.random() >= 0.86:  # never screened
                continue
            d = opened + dt.timedelta(days=rng.randint(0, 25))
            if d > AS_OF:
                continue
            r = rng.random()
            outcome = "identified" if r < 0.86 else "referred" if r < 0.91 else "not_identified"
            agency = rng.choice(["MSDHS", "MSDHS", "MSDHS", "MSDHS", "DSI", "NGO"])
            srid = self.b.srid("screenings", agency, "SC")
            p = prov_code or "TH-10"
            self.b.row("screenings", {"id": f"{agency}:{srid}", "source": agency, "source_record_id": srid,
                                      "recorded_at": _iso(d), "person_id": v, "case_id": case["id"],
                                      "screened_on": _iso(d), "agency": agency,
                                      "place": rng.choice(["police station", "shelter", "port", "hospital",
                                                           "immigration detention centre"]),
                                      "province": p, "team": rng.choice(_TEAMS).format(p=p), "outcome": outcome})
            self.screenings.append({"person_id": v, "case_id": case["id"], "on": d, "outcome": outcome})
            if outcome != "identified":
                continue
            self.assist(v, case, d)
        return victims

    def assist(self, v: str, case: dict[str, str], d: dt.date) -> None:
        rng = self.rng
        foreign = self.persons[v]["nationality"] not in (None, "THA")
        if rng.random() < 0.64:
            name, kind, prov = rng.choice(_SHELTERS)
            start = d + dt.timedelta(days=rng.randint(0, 10))
            if start <= AS_OF:
                end: dt.date | None = start + dt.timedelta(days=rng.randint(20, 420))
                outcome = rng.choice(["completed", "completed", "completed", "left_early", "transferred"])
                if end is not None and end > AS_OF:
                    end, outcome = None, "ongoing"
                src = "MSDHS" if kind == "state" else "NGO"
                srid = self.b.srid("shelter_stays", src, "SH")
                self.b.row("shelter_stays", {"id": f"{src}:{srid}", "source": src, "source_record_id": srid,
                                             "recorded_at": _iso(start), "person_id": v, "case_id": case["id"],
                                             "shelter": name, "shelter_type": kind, "province": prov,
                                             "from_date": _iso(start), "to_date": _iso(end), "outcome": outcome})
                self.assistance.append({"person_id": v, "case_id": case["id"], "kind": "shelter", "service": None,
                                        "from": start, "to": end, "outcome": outcome, "province": prov})
        wanted = [("medical", 0.7), ("psychological", 0.55), ("legal_aid", 0.5), ("vocational", 0.3)]
        wanted.append(("repatriation", 0.62) if foreign else ("reintegration", 0.35))
        for service, p in wanted:
            if rng.random() >= p:
                continue
            start = d + dt.timedelta(days=rng.randint(1, 200 if service in ("repatriation", "vocational") else 40))
            if start > AS_OF:
                continue
            end = start + dt.timedelta(days=rng.randint(0, 120))
            outcome = "completed" if rng.random() < 0.85 else rng.choice(["ongoing", "declined", "failed"])
            if end > AS_OF or outcome == "ongoing":
                end, outcome = None, "ongoing"
            src = "MSDHS" if rng.random() < 0.75 else "NGO"
            srid = self.b.srid("services", src, "SV")
            self.b.row("services", {"id": f"{src}:{srid}", "source": src, "source_record_id": srid,
                                    "recorded_at": _iso(start), "person_id": v, "case_id": case["id"],
                                    "service": service, "provider": rng.choice(_PROVIDERS[service]),
                                    "from_date": _iso(start), "to_date": _iso(end), "outcome": outcome})
            self.assistance.append({"person_id": v, "case_id": case["id"], "kind": "service", "service": service,
                                    "from": start, "to": end, "outcome": outcome, "province": None})

    # ------------------------------------------------------------ compensation
    def compensation(self, case: dict[str, str], victims: list[str], verdicts: dict[str, tuple[str, dt.date]]) -> None:
        rng = self.rng
        indicted = self.indicted.get(case["id"], [])
        if not indicted or not victims or rng.random() < 0.35:
            return
        first = min((s["on"] for s in self.stages_of.get(case["id"], ()) if s["stage"] == "indictment"), default=None)
        if first is None:
            return
        for v in victims:
            if rng.random() < 0.3:
                continue
            off = rng.choice(indicted)
            claimed = float(rng.randrange(50, 900) * 1000)
            claimed_on = first + dt.timedelta(days=rng.randint(0, 30))
            if claimed_on > AS_OF:
                continue
            verdict = verdicts.get(off)
            awarded = awarded_on = paid = paid_on = None
            if verdict and verdict[0] == "convicted" and rng.random() < 0.88:
                awarded = float(round(claimed * rng.uniform(0.35, 1.0), -3))
                awarded_on = verdict[1]
                r = rng.random()
                pay_on = awarded_on + dt.timedelta(days=rng.randint(30, 500))
                if r < 0.38 and pay_on <= AS_OF:
                    paid, paid_on = awarded, pay_on
                elif r < 0.58 and pay_on <= AS_OF:
                    paid, paid_on = float(round(awarded * rng.uniform(0.1, 0.7), -3)), pay_on
            src = "MSDHS" if rng.random() < 0.7 else "COJ"
            srid = self.b.srid("compensation", src, "CP")
            self.b.row("compensation", {
                "id": f"{src}:{srid}", "source": src, "source_record_id": srid, "recorded_at": _iso(claimed_on),
                "case_id": case["id"], "victim_id": v, "offender_id": off,
                "claimed": f"{claimed:.2f}", "claimed_on": _iso(claimed_on),
                "awarded": "" if awarded is None else f"{awarded:.2f}", "awarded_on": _iso(awarded_on),
                "paid": "" if paid is None else f"{paid:.2f}", "paid_on": _iso(paid_on), "currency": "THB"})
            self.awards.append({"case_id": case["id"], "victim_id": v, "offender_id": off, "claimed": claimed,
                                "claimed_on": claimed_on, "awarded": awarded, "awarded_on": awarded_on,
                                "paid": paid, "paid_on": paid_on})

    # ------------------------------------------------------------ enforcement
    def plant_assets(self) -> None:
        """Offenders with unpaid awards: some get a vehicle or an account sending money on;
        some assets are found, frozen or seized by the memorandum's agencies."""
        rng = self.rng
        owing = sorted({a["offender_id"] for a in self.awards if a["awarded"] and (a["paid"] or 0) < a["awarded"]})
        first_case: dict[str, str] = {}  # each offender's first award's case
        for a in self.awards:
            if a["awarded"]:
                first_case.setdefault(a["offender_id"], a["case_id"])
        for off in owing:
            case_id = first_case[off]
            if rng.random() < 0.5:
                srid = self.b.srid("vehicles", "DLT", "V")
                vid = f"DLT:{srid}"
                c = rng.choice(_PLATE) + rng.choice(_PLATE)
                self.b.row("vehicles", {"id": vid, "source": "DLT", "source_record_id": srid,
                                        "plate": f"{rng.randint(1, 9)}{c} {rng.randint(1, 9999)}",
                                        "plate_province": "กรุงเทพมหานคร", "kind": rng.choice(["pickup", "sedan", "van"]),
                                        "make": rng.choice(["Toyota Hilux Revo", "Honda City", "Toyota Commuter"]),
                                        "colour": rng.choice(["white", "black", "silver"])})
                self.b.row("ownerships", {"source": "DLT", "source_record_id": self.b.srid("ownerships", "DLT", "W"),
                                          "owner_id": off, "vehicle_id": vid})
                self.vehicles[off].add(vid)
            if rng.random() < 0.5:
                aid = self._account(off)
                self.accounts[off].add(aid)
                for _ in range(rng.randint(1, 3)):
                    to = self._account(None)
                    at = dt.datetime.combine(AS_OF - dt.timedelta(days=rng.randint(30, 900)),
                                             dt.time(rng.randrange(24), rng.randrange(60)))
                    self.b.row("transfers", {"source": "AMLO",
                                             "source_record_id": self.b.srid("transfers", "AMLO", "T"),
                                             "from_account": aid, "to_account": to,
                                             "txn_id": f"JTX{len(self.enforcement):05d}{rng.randrange(10**6):06d}",
                                             "amount": f"{rng.randrange(20, 400) * 1000:.2f}", "currency": "THB",
                                             "at": at.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
                                             "channel": "mobile_banking"})
                    self.sends_to[aid].add(to)
            # enforcement on what the graph knows of them
            for vid in sorted(self.vehicles[off]):
                if rng.random() < 0.4:
                    self._enforce(off, case_id, "vehicle", vid, "DLT", rng.choice(["found", "seized"]))
            for aid in sorted(self.accounts[off]):
                if rng.random() < 0.4:
                    self._enforce(off, case_id, "bank_account", aid, "AMLO", rng.choice(["frozen", "seized"]))
            for org in sorted(self.companies[off]):
                if rng.random() < 0.3:
                    self._enforce(off, case_id, "company", org, "LED", "found")
            if rng.random() < 0.15:
                self._enforce(off, case_id, "land", None, "DOL", rng.choice(["found", "seized"]),
                              f"title deed (chanote) no. {rng.randint(1000, 99999)}")

    def _account(self, holder: str | None) -> str:
        rng = self.rng
        srid = self.b.srid("accounts", "AMLO", "B")
        aid = f"AMLO:{srid}"
        self.b.row("accounts", {"id": aid, "source": "AMLO", "source_record_id": srid,
                                "bank_code": rng.choice(["002", "004", "014", "006"]),
                                "account_number": f"{rng.randrange(10**9, 10**10)}", "holder_name": "",
                                "currency": "THB", "country": "THA"})
        if holder:
            self.b.row("holdings", {"source": "AMLO", "source_record_id": self.b.srid("holdings", "AMLO", "H"),
                                    "holder_id": holder, "account_id": aid})
        return aid

    def _enforce(self, off: str, case_id: str, kind: str, asset: str | None, agency: str, action: str,
                 description: str = "") -> None:
        rng = self.rng
        on = AS_OF - dt.timedelta(days=rng.randint(5, 300))
        recovered = float(rng.randrange(20, 500) * 1000) if action in ("seized", "confiscated") else None
        srid = self.b.srid("enforcement", agency, "EN")
        self.b.row("enforcement", {"id": f"{agency}:{srid}", "source": agency, "source_record_id": srid,
                                   "recorded_at": _iso(on), "case_id": case_id, "offender_id": off,
                                   "asset_kind": kind, "asset_id": asset or "", "action": action, "on_date": _iso(on),
                                   "agency": agency, "description": description,
                                   "amount_recovered": "" if recovered is None else f"{recovered:.2f}"})
        self.enforcement.append({"offender_id": off, "case_id": case_id, "asset_kind": kind, "asset_id": asset,
                                 "action": action, "on": on, "recovered": recovered})

    # ------------------------------------------------------------ run
    def run(self) -> dict[str, Any]:
        for case in self.cases:
            verdicts = self.justice(case)
            victims = self.victims(case)
            self.compensation(case, victims, verdicts)
        self.plant_assets()
        return self.truth()

    # ------------------------------------------------------------ truth
    def truth(self) -> dict[str, Any]:
        return {"as_of": AS_OF.isoformat(), "stalled_days": STALLED_DAYS,
                "pipeline": self._pipeline(), "coverage": self._coverage(),
                "compensation_unpaid": self._unpaid(), "indicators": self._indicators()}

    def _first(self) -> dict[str, dict[str, dt.date]]:
        first: dict[str, dict[str, dt.date]] = defaultdict(dict)
        for s in self.stages:
            f = first[s["case_id"]]
            if s["stage"] not in f or s["on"] < f[s["stage"]]:
                f[s["stage"]] = s["on"]
        return first

    def _pipeline(self) -> dict[str, Any]:
        first = self._first()
        convicted = {s["case_id"] for s in self.stages if s["stage"] == "verdict" and s["outcome"] == "convicted"}
        reached = {st: sum(1 for f in first.values() if st in f) for st in JUSTICE_STAGES}
        reached["conviction"] = len(convicted)
        transitions = {}
        for a, b in zip(JUSTICE_STAGES, JUSTICE_STAGES[1:], strict=False):
            days = [(f[b] - f[a]).days for f in first.values() if a in f and b in f]
            if days:
                transitions[f"{a}->{b}"] = {"cases": len(days), "median_days": float(statistics.median(days)),
                                            "mean_days": round(statistics.fmean(days), 2)}
        stalled = []
        for cid, _ in sorted(first.items()):
            evs = self.stages_of[cid]
            top = max(evs, key=lambda s: (s["on"], JUSTICE_STAGES.index(s["stage"])))
            last_day = top["on"]
            finished = is_finished(top["stage"], top["outcome"])
            if not finished and (AS_OF - last_day).days > STALLED_DAYS:
                stalled.append({"case_id": cid, "last_stage": top["stage"], "last_event_on": last_day.isoformat(),
                                "days_since": (AS_OF - last_day).days})
        by_agency: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(["complaint", "conviction"], 0))
        for cid, f in first.items():
            c = self.case_by_id[cid]
            if "complaint" in f:
                by_agency[c["agency"]]["complaint"] += 1
            if cid in convicted:
                by_agency[c["agency"]]["conviction"] += 1
        return {"cases": len(first), "reached": reached, "transitions": transitions, "stalled": stalled,
                "attrition_by_agency": dict(sorted(by_agency.items()))}

    def _coverage(self) -> dict[str, Any]:
        victims = sorted({p for c in self.cases for p, r in self.roles[c["id"]] if r == "victim" and p in self.persons})
        screened = {s["person_id"] for s in self.screenings}
        identified = {s["person_id"] for s in self.screenings if s["outcome"] == "identified"}
        sheltered = {a["person_id"] for a in self.assistance if a["kind"] == "shelter"}
        served = {a["person_id"] for a in self.assistance if a["kind"] == "service"}
        first_id: dict[str, dt.date] = {}
        for s in self.screenings:
            if s["outcome"] == "identified":
                p = s["person_id"]
                first_id[p] = min(first_id.get(p, s["on"]), s["on"])
        first_help: dict[str, dt.date] = {}
        for a in self.assistance:
            p = a["person_id"]
            first_help[p] = min(first_help.get(p, a["from"]), a["from"])
        waits = [(first_help[p] - first_id[p]).days for p in sorted(identified) if p in first_help]
        foreign = sorted(p for p in identified if self.persons[p]["nationality"] not in (None, "THA"))
        repatriated = {a["person_id"] for a in self.assistance
                       if a["service"] == "repatriation" and a["outcome"] == "completed"}
        cases_of: dict[str, set[str]] = defaultdict(set)
        for s in self.screenings:
            if s["outcome"] == "identified":
                cases_of[s["person_id"]].add(s["case_id"])
        return {
            "victims": len(victims), "screened": len(screened & set(victims)),
            "not_screened": sorted(set(victims) - screened),
            "identified": len(identified),
            "not_sheltered": sorted(identified - sheltered),
            "without_services": sorted(identified - served),
            "without_assistance": sorted(identified - sheltered - served),
            "time_to_first_assistance": {"victims": len(waits),
                                         "median_days": float(statistics.median(waits)) if waits else None,
                                         "mean_days": round(statistics.fmean(waits), 2) if waits else None},
            "repatriation": {"foreign_identified": len(foreign),
                             "repatriated": sorted(set(foreign) & repatriated),
                             "not_repatriated": sorted(set(foreign) - repatriated)},
            "repeat_victims": sorted(p for p, cs in cases_of.items() if len(cs) > 1),
        }

    def _unpaid(self) -> list[dict[str, Any]]:
        verdict_on: dict[tuple[str, str], dt.date] = {}
        for s in self.stages:
            if s["stage"] == "verdict" and s["outcome"] == "convicted":
                verdict_on[(s["case_id"], s["person_id"])] = s["on"]
        owed: dict[str, float] = defaultdict(float)
        first_verdict: dict[str, dt.date] = {}
        cases: dict[str, set[str]] = defaultdict(set)
        for a in self.awards:
            key = (a["case_id"], a["offender_id"])
            if a["awarded"] is None or key not in verdict_on:
                continue
            due = a["awarded"] - (a["paid"] or 0.0)
            if due <= 0:
                continue
            off = a["offender_id"]
            owed[off] += due
            cases[off].add(a["case_id"])
            first_verdict[off] = min(first_verdict.get(off, verdict_on[key]), verdict_on[key])
        recovered: dict[str, float] = defaultdict(float)
        for e in self.enforcement:
            recovered[e["offender_id"]] += e["recovered"] or 0.0
        out = []
        for off in sorted(owed, key=lambda o: (-owed[o], o)):
            own_accounts = self.accounts.get(off, set())
            receiving = sorted({t for a in own_accounts for t in self.sends_to.get(a, ())} - own_accounts)
            out.append({"offender_id": off, "owed": round(owed[off], 2), "cases": sorted(cases[off]),
                        "verdict_on": first_verdict[off].isoformat(),
                        "days_since_verdict": (AS_OF - first_verdict[off]).days,
                        "vehicles": sorted(self.vehicles.get(off, ())), "accounts": sorted(own_accounts),
                        "companies": sorted(self.companies.get(off, ())), "receiving_accounts": receiving,
                        "recovered": round(recovered[off], 2)})
        return out

    def _indicators(self) -> dict[str, Any]:
        years: dict[int, dict[str, Any]] = defaultdict(dict)

        def put(y: int, k: str, v: Any) -> None:
            years[y][k] = v

        def count_by(rows: Iterable[tuple[int, Any]]) -> dict[int, int]:
            out: dict[int, set[Any]] = defaultdict(set)
            for y, key in rows:
                out[y].add(key)
            return {y: len(v) for y, v in out.items()}

        st = self.stages
        series = {
            "investigations": count_by((s["on"].year, s["case_id"]) for s in st if s["stage"] == "investigation"),
            "prosecutions": count_by((s["on"].year, (s["case_id"], s["person_id"])) for s in st
                                     if s["stage"] == "indictment"),
            "convictions": count_by((s["on"].year, (s["case_id"], s["person_id"])) for s in st
                                    if s["stage"] == "verdict" and s["outcome"] == "convicted"),
            "acquittals": count_by((s["on"].year, (s["case_id"], s["person_id"])) for s in st
                                   if s["stage"] == "verdict" and s["outcome"] == "acquitted"),
            "sentences": count_by((s["on"].year, (s["case_id"], s["person_id"])) for s in st
                                  if s["stage"] == "sentence"),
            "officials_prosecuted": count_by((s["on"].year, (s["case_id"], s["person_id"])) for s in st
                                             if s["stage"] == "indictment"
                                             and (s["case_id"], s["person_id"]) in self.officials),
        }
        months: dict[int, list[int]] = defaultdict(list)
        for s in st:
            if s["stage"] == "sentence" and s["months"] is not None:
                months[s["on"].year].append(s["months"])
        # victims identified / assisted: a person counts once a year, by their first record of that year
        ident: dict[tuple[int, str], tuple[dt.date, str]] = {}
        for s in self.screenings:
            if s["outcome"] == "identified":
                k = (s["on"].year, s["person_id"])
                if k not in ident or (s["on"], s["case_id"]) < ident[k]:
                    ident[k] = (s["on"], s["case_id"])
        helped: dict[tuple[int, str], tuple[dt.date, str]] = {}
        for a in self.assistance:
            k = (a["from"].year, a["person_id"])
            if k not in helped or (a["from"], a["case_id"]) < helped[k]:
                helped[k] = (a["from"], a["case_id"])
        awarded: dict[int, list[float]] = defaultdict(list)
        paid: dict[int, list[float]] = defaultdict(list)
        for a in self.awards:
            if a["awarded"] is not None and a["awarded_on"] is not None:
                awarded[a["awarded_on"].year].append(a["awarded"])
            if a["paid"] is not None and a["paid_on"] is not None:
                paid[a["paid_on"].year].append(a["paid"])
        all_years = set(years)
        for v in series.values():
            all_years |= set(v)
        all_years |= {y for y, _ in ident} | {y for y, _ in helped} | set(awarded) | set(paid)
        for y in sorted(all_years):
            for ind, per_year in series.items():
                put(y, ind, per_year.get(y, 0))
            m = months.get(y, [])
            put(y, "sentence_months_median", float(statistics.median(m)) if m else None)
            put(y, "sentence_months_mean", round(statistics.fmean(m), 2) if m else None)
            for name, src in (("victims_identified", ident), ("victims_assisted", helped)):
                mine = {p: v for (yy, p), v in src.items() if yy == y}
                put(y, name, len(mine))
                by: dict[str, dict[str, int]] = {"nationality": {}, "sex": {}, "age_group": {},
                                                 "exploitation_type": {}}
                for p, (on, cid) in mine.items():
                    info = self.persons[p]
                    keys = {"nationality": info["nationality"] or "unknown", "sex": info["sex"] or "unknown",
                            "age_group": age_group(info["birth_date"], on),
                            "exploitation_type": self.case_by_id[cid]["exploitation_type"]}
                    for dim, g in keys.items():
                        by[dim][g] = by[dim].get(g, 0) + 1
                put(y, name + "_by", {d: dict(sorted(g.items())) for d, g in by.items()})
            put(y, "compensation_awarded", round(sum(awarded.get(y, [])), 2))
            put(y, "compensation_awarded_count", len(awarded.get(y, [])))
            put(y, "compensation_paid", round(sum(paid.get(y, [])), 2))
            put(y, "compensation_paid_count", len(paid.get(y, [])))
        return {str(y): years[y] for y in sorted(years)}


def _province_code(case: dict[str, str]) -> str | None:
    from . import gazetteer as gz

    name = case.get("province") or ""
    for r in gz.LOCATIONS:
        if r["kind"] == "province" and name in (r["name"], r["id"], r.get("name_th")):
            return str(r["id"])
    return None


def plant_justice(out: Path, b: _Writer, seed: int) -> dict[str, Any]:
    """Write the prosecution and assistance tables for the cases already in ``out`` through
    ``b`` (the generator's bundle writer) and return their truth (``as_of``, ``pipeline``,
    ``coverage``, ``compensation_unpaid``, ``indicators``)."""
    return _Planter(Path(out), b, seed).run()

"""Prosecution and victim assistance through the real Neo4j: a generated bundle with the new
tables loads, `netintel stats --json` equals truth.json's counts, and the indicators, the
pipeline, coverage gaps and unpaid compensation (with the planted payable assets) equal the
generator's truth exactly; viewers get suppressed aggregates only; protection records stay
with the protection unit; a province-scoped user sees only their province everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ApiSettings
from graph import db as gdb
from graph.scope import Scope
from ingest.generate import generate_bundle
from ingest.loader import ingest_bundle
from tests.conftest import op
from tests.test_security import hdr
from views import justice as vj

pytestmark = pytest.mark.neo4j
PASSWORD = "justice-password-1"
SEED, PERSONS = 7, 800


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    d = tmp_path_factory.mktemp("justice")
    truth = generate_bundle(d, seed=SEED, persons=PERSONS)
    return d, truth


@pytest.fixture(scope="module")
def loaded(driver: Any, bundle: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    d, truth = bundle
    gdb.clear_database(driver)
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    assert s.rejected == 0, (d / "rejects.csv").read_text()[:2000]
    return truth


def _province(bundle: tuple[Path, dict[str, Any]]) -> tuple[str, str]:
    """The (code, name) of the province with most trafficking cases that has screenings."""
    from ingest import gazetteer as gz

    d, _ = bundle
    with (d / "cases.csv").open(encoding="utf-8") as fh:
        counts = Counter(r["province"] for r in csv.DictReader(fh) if r["province"] and r["exploitation_type"])
    name = counts.most_common(1)[0][0]
    code = next(r["id"] for r in gz.LOCATIONS if r["kind"] == "province" and r["name"] == name)
    return code, name


@pytest.fixture(scope="module")
def app(loaded: Any, driver: Any, neo4j_settings: Any, bundle: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    a = create_app(ApiSettings(home=tmp_path_factory.mktemp("jhome"), env="development", secret_key="j" * 48),
                   neo4j_settings=neo4j_settings, driver=driver)
    code, _ = _province(bundle)
    u = a.state.users
    for role in ("viewer", "investigator", "analyst", "admin"):
        u.add(role + "1", PASSWORD, role)
    u.add("social", PASSWORD, "investigator")
    u.set_units("social", ["protection"])
    u.add("prov", PASSWORD, "investigator")
    u.set_units("prov", [f"province-{code}"])
    u.add("provview", PASSWORD, "viewer")
    u.set_units("provview", [f"province-{code}"])
    return a


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _get(client: TestClient, app: Any, user: str, url: str, status: int = 200) -> Any:
    r = client.get(url, headers=hdr(app, user))
    assert r.status_code == status, (url, user, r.status_code, r.text[:400])
    return r


# ======================================================== loads, counts equal the truth
def test_bundle_has_the_new_tables_and_stats_equal_truth(loaded: dict[str, Any], bundle: Any, driver: Any,
                                                         neo4j_settings: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import app as cli_app

    d, _ = bundle
    for t in ("screenings", "shelter_stays", "services", "justice_stages", "compensation", "enforcement"):
        assert len((d / f"{t}.csv").read_text(encoding="utf-8").splitlines()) > 10, t
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_settings.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password())
    monkeypatch.setenv("NETINTEL_HOME", str(tmp_path))
    res = CliRunner().invoke(cli_app, ["stats", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == loaded["counts"]
    for lab in ("Screening", "ShelterStay", "Service", "JusticeStage", "Compensation", "Enforcement"):
        assert loaded["counts"]["nodes"][lab] > 0, lab


def test_reloading_changes_nothing(loaded: dict[str, Any], bundle: Any, driver: Any) -> None:
    d, _ = bundle
    s = ingest_bundle(driver, d, rejects_path=d / "rejects2.csv")
    assert s.rejected == 0
    assert gdb.stats(op(driver)) == loaded["counts"]


# ======================================================== answers equal the truth
def _as_of(truth: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(truth["as_of"])


def test_pipeline_equals_truth(loaded: dict[str, Any], driver: Any) -> None:
    t = loaded["pipeline"]
    res = vj.pipeline(op(driver), vj.PipelineQuery(as_of=_as_of(loaded), stalled_days=loaded["stalled_days"]))
    assert {r.stage: r.cases for r in res.attrition} == t["reached"]
    assert {f"{r.from_stage}->{r.to_stage}": {"cases": r.cases, "median_days": r.median_days,
                                               "mean_days": r.mean_days} for r in res.transitions} == t["transitions"]
    stalled = [{"case_id": r.case_id, "last_stage": r.last_stage, "last_event_on": r.last_event_on,
                "days_since": r.days_since} for r in res.stalled]
    assert stalled == t["stalled"] and res.stalled_count == len(t["stalled"]) > 0
    # attrition by agency, complaint -> conviction
    by = vj.pipeline(op(driver), vj.PipelineQuery(as_of=_as_of(loaded), by="agency"))
    got: dict[str, dict[str, int]] = {}
    for r in by.attrition:
        if r.stage in ("complaint", "conviction"):
            got.setdefault(r.group, {})[r.stage] = r.cases  # type: ignore[assignment]
    assert got == t["attrition_by_agency"]
    assert t["reached"]["complaint"] > t["reached"]["conviction"] > 0  # attrition is planted


def test_pipeline_filters(loaded: dict[str, Any], driver: Any) -> None:
    s = op(driver)
    a = _as_of(loaded)
    total = {r.stage: r.cases for r in vj.pipeline(s, vj.PipelineQuery(as_of=a)).attrition}
    parts = [vj.pipeline(s, vj.PipelineQuery.parse(exploitation_type=e, as_of=a))
             for e in ("sexual", "fishing", "forced_labour", "domestic_servitude", "begging", "forced_criminality",
                       "forced_marriage", "organ_removal", "other")]
    assert sum(next((r.cases or 0 for r in p.attrition if r.stage == "complaint"), 0) for p in parts) == total["complaint"]
    by_year = vj.pipeline(s, vj.PipelineQuery.parse(years="2015-2019", as_of=a))
    assert 0 < next(r.cases for r in by_year.attrition if r.stage == "complaint") < total["complaint"]


def test_coverage_equals_truth(loaded: dict[str, Any], driver: Any) -> None:
    t = loaded["coverage"]
    res = vj.assistance_coverage(op(driver))
    s = res.summary
    assert (s["victims"], s["screened"], s["identified"]) == (t["victims"], t["screened"], t["identified"])
    rows = {r.person_id: r for r in res.persons}
    assert sorted(p for p, r in rows.items() if "not screened" in r.gaps) == t["not_screened"]
    assert sorted(p for p, r in rows.items() if "never sheltered" in r.gaps) == t["not_sheltered"]
    assert sorted(p for p, r in rows.items() if "no services" in r.gaps) == t["without_services"]
    assert s["not_screened"] == len(t["not_screened"]) > 0 and s["not_sheltered"] == len(t["not_sheltered"]) > 0
    assert s["without_assistance"] == len(t["without_assistance"])
    w = t["time_to_first_assistance"]
    assert (s["assisted_after_identification"], s["median_days_to_first_assistance"],
            s["mean_days_to_first_assistance"]) == (w["victims"], w["median_days"], w["mean_days"])
    rep = t["repatriation"]
    assert s["foreign_identified"] == rep["foreign_identified"]
    assert sorted(p for p, r in rows.items() if r.foreign and r.repatriated) == rep["repatriated"]
    assert sorted(p for p, r in rows.items() if r.foreign and not r.repatriated) == rep["not_repatriated"]
    assert sorted(p for p, r in rows.items() if len(r.identified_cases) > 1) == t["repeat_victims"]
    assert s["repeat_victims"] == len(t["repeat_victims"])


def test_unpaid_compensation_equals_truth_with_payable_assets(loaded: dict[str, Any], driver: Any) -> None:
    t = loaded["compensation_unpaid"]
    res = vj.compensation_unpaid(op(driver), _as_of(loaded))
    keys = ("offender_id", "owed", "cases", "verdict_on", "days_since_verdict", "vehicles", "accounts", "companies",
            "receiving_accounts", "recovered")
    assert [{k: getattr(r, k) for k in keys} for r in res.data] == t
    # the planted payable assets are there: DLT-registered vehicles, accounts sending money on
    assert any(v.startswith("DLT:") for r in res.data for v in r.vehicles)
    assert any(r.receiving_accounts for r in res.data)
    assert any(r.enforcement for r in res.data) and any(r.recovered > 0 for r in res.data)


def _truth_values(rows: list[Any]) -> dict[str, dict[str, Any]]:
    vals: dict[str, dict[str, Any]] = {}
    for r in rows:
        y = str(r.year)
        if r.dimension == "":
            vals.setdefault(y, {})[r.indicator] = r.value
            if r.indicator.startswith("compensation"):
                vals[y][r.indicator + "_count"] = r.n
        elif r.value:
            vals.setdefault(y, {}).setdefault(r.indicator + "_by", {}).setdefault(r.dimension, {})[r.group] = \
                int(r.value)
    return vals


def test_indicators_equal_truth(loaded: dict[str, Any], driver: Any) -> None:
    res = vj.indicators(op(driver))
    got = _truth_values(res.data)
    assert sorted(got) == sorted(loaded["indicators"])
    for y, d in loaded["indicators"].items():
        for k, v in d.items():
            g = got[y].get(k)
            if isinstance(v, dict):
                assert {dim: grp for dim, grp in (g or {}).items()} == {dim: grp for dim, grp in v.items() if grp}, \
                    (y, k)
            elif v is None:
                assert g is None, (y, k)
            else:
                assert g == pytest.approx(v), (y, k, g, v)
    # change on the year before
    conv = {r.year: r for r in res.data if r.indicator == "convictions" and not r.dimension}
    years = sorted(conv)
    assert conv[years[0]].change is None
    for y in years[1:]:
        assert conv[y].change == conv[y].value - conv[y - 1].value  # type: ignore[operator]
    one = vj.indicators(op(driver), year=years[-1])
    assert {r.year for r in one.data} == {years[-1]}


# ======================================================== viewers: suppressed aggregates only
def test_viewers_get_suppressed_aggregates_and_no_person(client: TestClient, app: Any, loaded: dict[str, Any],
                                                         bundle: Any) -> None:
    d, _ = bundle
    ind = _get(client, app, "viewer1", "/api/indicators").json()
    cells = [r for r in ind["data"] if r["suppressed"]]
    assert cells, "some small cells are planted"
    for r in ind["data"]:
        if r["value"] is not None and r["n"] is not None and r["dimension"]:
            assert r["n"] == 0 or r["n"] >= 5, r
        if r["suppressed"]:
            assert r["value"] is None and r["change"] is None
    cov = _get(client, app, "viewer1", "/api/assistance/coverage").json()
    # the same compartment as an investigator's (restricted cases hidden), and at least 5: shown as is
    inv = _get(client, app, "investigator1", "/api/assistance/coverage").json()
    assert cov["persons"] == [] and abs(cov["summary"]["victims"] - inv["summary"]["victims"]) <= 2
    assert cov["meta"]["disclosure"] == "cell-key" and inv["meta"]["disclosure"] == "exact"
    assert inv["summary"]["victims"] < loaded["coverage"]["victims"]  # restricted cases' victims are not counted
    pipe = _get(client, app, "viewer1", "/api/pipeline").json()
    assert pipe["stalled"] == []
    _get(client, app, "viewer1", "/api/compensation/unpaid", 403)
    # no person id or name appears in anything a viewer gets
    ids = {r["id"] for r in csv.DictReader((d / "persons.csv").open(encoding="utf-8"))}
    code, _ = _province(bundle)
    texts = [json.dumps(ind), json.dumps(cov), json.dumps(pipe),
             _get(client, app, "viewer1", f"/api/provinces/{code}/dashboard").text,
             _get(client, app, "viewer1", "/api/indicators?format=csv").text]
    for text in texts:
        assert not any(i in text for i in ids)


def test_exports_xlsx_csv_pdf(client: TestClient, app: Any) -> None:
    from openpyxl import load_workbook

    res = _get(client, app, "investigator1", "/api/indicators").json()
    rows = list(csv.DictReader(io.StringIO(_get(client, app, "investigator1", "/api/indicators?format=csv").text)))
    assert len(rows) == res["count"]
    conv = [r for r in res["data"] if r["indicator"] == "convictions" and not r["dimension"]]
    csv_conv = [r for r in rows if r["indicator"] == "convictions" and not r["dimension"]]
    assert [float(r["value"]) for r in csv_conv] == [float(r["value"]) for r in conv]
    x = _get(client, app, "investigator1", "/api/indicators?format=xlsx")
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[0].startswith("01 Headline") and "long form" in wb.sheetnames
    head = wb[wb.sheetnames[0]]
    cells = [c.value for c in head[3]]
    assert cells[0] == "year" and "Convictions (defendants)" in cells
    pdf = _get(client, app, "investigator1", "/api/indicators?format=pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    exports = [e for e in app.state.audit.entries(action="export", limit=100) if e.target == "indicators"]
    assert {e.details["format"] for e in exports} >= {"csv", "xlsx", "pdf"}


def test_pages_render_with_the_site_header(client: TestClient, app: Any, bundle: Any) -> None:
    code, name = _province(bundle)
    for url in ("/api/indicators?format=html", "/api/pipeline?format=html&by=agency",
                "/api/assistance/coverage?format=html", "/api/compensation/unpaid?format=html",
                "/api/provinces?format=html", f"/api/provinces/{code}/dashboard?format=html"):
        r = _get(client, app, "social", url)
        assert 'class="site-header"' in r.text and "<script>alert" not in r.text, url
    dash = _get(client, app, "social", f"/api/provinces/{code}/dashboard?format=html").text
    assert name in dash and dash.count("<svg") >= 5


# ======================================================== protection of victims
def test_protection_records_only_for_the_protection_unit(client: TestClient, app: Any, driver: Any,
                                                         bundle: Any) -> None:
    d, _ = bundle
    scr = next(csv.DictReader((d / "screenings.csv").open(encoding="utf-8")))
    stay = next(csv.DictReader((d / "shelter_stays.csv").open(encoding="utf-8")))
    # an investigator without the unit: not found, not in the victim's neighbourhood, no per-victim rows
    for rid in (scr["id"], stay["id"]):
        _get(client, app, "investigator1", f"/api/entities/{rid}", 404)
    nb = _get(client, app, "investigator1", f"/api/entities/{scr['person_id']}/neighbourhood").json()
    assert not any(n["label"] in ("Screening", "ShelterStay", "Service") for n in nb["nodes"])
    assert _get(client, app, "investigator1", "/api/assistance/coverage").json()["persons"] == []
    stats = _get(client, app, "investigator1", "/api/stats").json()
    assert stats["nodes"]["Screening"] == 0 and stats["relationships"]["SCREENED"] == 0
    # the protection unit sees them, and every read is audited
    before = len(app.state.audit.entries(action="read_protected", limit=10_000))
    assert _get(client, app, "social", f"/api/entities/{scr['id']}").json()["id"] == scr["id"]
    nb = _get(client, app, "social", f"/api/entities/{scr['person_id']}/neighbourhood").json()
    assert any(n["label"] == "Screening" for n in nb["nodes"])
    cov = _get(client, app, "social", "/api/assistance/coverage").json()
    assert cov["persons"] and cov["meta"]["protected"] is True
    after = app.state.audit.entries(action="read_protected", limit=10_000)
    assert len(after) == before + 1 and after[0].username == "social"
    assert app.state.audit.entries(action="read_protected_aggregate", limit=10)


# ======================================================== the provincial data centre
def _province_cases(bundle: Any) -> tuple[set[str], set[str]]:
    d, _ = bundle
    _, name = _province(bundle)
    with (d / "cases.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    mine = {r["id"] for r in rows if r["province"] == name}
    return mine, {r["id"] for r in rows} - mine


def test_province_scope_sees_only_its_province_everywhere(client: TestClient, app: Any, driver: Any,
                                                          bundle: Any, loaded: dict[str, Any]) -> None:
    d, _ = bundle
    code, name = _province(bundle)
    mine, others = _province_cases(bundle)
    with (d / "involvements.csv").open(encoding="utf-8") as fh:
        inv = list(csv.DictReader(fh))
    in_mine = {r["party_id"] for r in inv if r["case_id"] in mine}
    only_other = {r["party_id"] for r in inv if r["case_id"] in others} - in_mine
    persons = {r["id"]: r for r in csv.DictReader((d / "persons.csv").open(encoding="utf-8"))}
    outsider = sorted(p for p in only_other if p in persons and persons[p]["full_name_latin"])[0]
    other_case = sorted(others)[0]
    # profiles and networks: hidden ids are not found
    _get(client, app, "prov", f"/api/entities/{outsider}", 404)
    _get(client, app, "prov", f"/api/cases/{other_case}", 404)
    _get(client, app, "prov", f"/api/cases/{sorted(mine)[0]}", 200)
    # search by the outsider's name finds no one outside the province
    hits = _get(client, app, "prov", "/api/search?q=" + persons[outsider]["full_name_latin"]).json()["data"]
    assert not any(h["id"] in only_other or h["id"] in others for h in hits)
    # a network of one of their own cases carries nothing of other provinces
    net = _get(client, app, "prov", f"/api/cases/{sorted(mine)[0]}/network").json()
    assert not any(n["id"] in only_other or n["id"] in others for n in net["nodes"])
    # routes: only journeys of their cases
    routes = _get(client, app, "prov", "/api/routes").json()["data"]
    assert routes and {r["case_id"] for r in routes} <= mine
    # stats: the case count is their province's
    assert _get(client, app, "prov", "/api/stats").json()["nodes"]["Case"] == len(mine)
    # pipeline, stalled cases and indicators: their cases only
    pipe = _get(client, app, "prov", "/api/pipeline").json()
    assert {r["case_id"] for r in pipe["stalled"]} <= mine
    full = vj.pipeline(op(driver), vj.PipelineQuery.parse(province=code))
    assert [r.model_dump() for r in full.attrition] == pipe["attrition"]
    ind = _get(client, app, "prov", "/api/indicators").json()["data"]
    inv_count = Counter()
    with (d / "justice_stages.csv").open(encoding="utf-8") as fh:
        seen = set()
        for r in csv.DictReader(fh):
            if r["stage"] == "investigation" and r["case_id"] in mine and r["case_id"] not in seen:
                seen.add(r["case_id"])
                inv_count[int(r["on_date"][:4])] += 1
    got = {r["year"]: r["value"] for r in ind if r["indicator"] == "investigations" and not r["dimension"]}
    assert {y: v for y, v in got.items() if v} == dict(inv_count)
    # exports carry the same province-only numbers
    rows = list(csv.DictReader(io.StringIO(_get(client, app, "prov", "/api/indicators?format=csv").text)))
    assert {int(r["year"]): float(r["value"]) for r in rows if r["indicator"] == "investigations"
            and not r["dimension"] and float(r["value"])} == {y: float(v) for y, v in inv_count.items()}
    # unpaid compensation: offenders of their cases only
    unpaid = _get(client, app, "prov", "/api/compensation/unpaid").json()["data"]
    assert all(set(r["cases"]) <= mine for r in unpaid)
    # coverage counts only their victims
    cov = _get(client, app, "prov", "/api/assistance/coverage").json()["summary"]
    victims_mine = {r["party_id"] for r in inv if r["case_id"] in mine and r["role"] == "victim"}
    assert cov["victims"] == len(victims_mine & set(persons))
    # the dashboard: their own opens, another province is not found; the list shows only theirs
    _get(client, app, "prov", f"/api/provinces/{code}/dashboard")
    other_code = "TH-10" if code != "TH-10" else "TH-50"
    _get(client, app, "prov", f"/api/provinces/{other_code}/dashboard", 404)
    assert [p["code"] for p in _get(client, app, "prov", "/api/provinces").json()["data"]] == [code]
    # a national user's dashboard of that province shows the same counts
    own = _get(client, app, "prov", f"/api/provinces/{code}/dashboard").json()
    nat = _get(client, app, "investigator1", f"/api/provinces/{code}/dashboard").json()
    assert own["cases"] == nat["cases"] == len(mine)
    assert own["victims"] == nat["victims"]


def test_province_viewer_gets_suppressed_province_aggregates(client: TestClient, app: Any, bundle: Any) -> None:
    code, _ = _province(bundle)
    dash = _get(client, app, "provview", f"/api/provinces/{code}/dashboard").json()
    assert dash["suppressed"] is True and dash["stalled"] == []
    for v in list(dash["cases_by_status"].values()) + list(dash["screenings"].values()):
        assert v is None or v == 0 or v >= 5
    _get(client, app, "provview", "/api/entities/anything", 403)


# ======================================================== bad input
def test_bad_rows_are_rejected_with_reasons_and_good_rows_load(driver: Any, make_bundle: Any,
                                                                loaded: Any) -> None:
    base = {"source": "MSDHS"}
    d = make_bundle({
        "cases": [{"id": "JX-C1", "source": "RTP", "source_record_id": "jx-c1", "case_number": "X/1",
                   "exploitation_type": "fishing", "province": "Ranong"}],
        "persons": [{"id": "JX-P1", "source": "RTP", "source_record_id": "jx-p1", "full_name_latin": "Test Victim"}],
        "shelter_stays": [
            {**base, "source_record_id": "sh-ok", "person_id": "JX-P1", "case_id": "JX-C1", "shelter": "A",
             "shelter_type": "state", "from_date": "2024-01-01", "to_date": "2024-02-01"},
            {**base, "source_record_id": "sh-bad", "person_id": "JX-P1", "case_id": "JX-C1", "shelter": "A",
             "shelter_type": "state", "from_date": "2024-03-01", "to_date": "2024-02-01"}],
        "compensation": [
            {"source": "COJ", "source_record_id": "k-bad", "case_id": "JX-C1", "victim_id": "JX-P1",
             "offender_id": "JX-P1", "awarded": "1000", "paid": "5000"}],
        "justice_stages": [
            {"source": "OAG", "source_record_id": "j-bad", "case_id": "JX-C1", "stage": "lunch",
             "on_date": "2024-01-01", "agency": "OAG"},
            {"source": "OAG", "source_record_id": "j-dangling", "case_id": "NO-SUCH-CASE", "stage": "indictment",
             "on_date": "2024-01-01", "agency": "OAG"}],
        "screenings": [{**base, "source_record_id": "sc-ok", "person_id": "JX-P1", "case_id": "JX-C1",
                        "screened_on": "2024-01-01", "agency": "MSDHS", "outcome": "identified"}],
    }, name="jbad")
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    text = (d / "rejects.csv").read_text(encoding="utf-8")
    assert "shelter_stays.csv,3,to_date" in text and "before/less than from_date" in text
    assert "compensation.csv,2,awarded" in text
    assert "justice_stages.csv,2,stage" in text and "'lunch' is not one of" in text
    assert "justice_stages.csv,3,case_id" in text and "unknown reference" in text
    assert s.files["shelter_stays.csv"].loaded == 1 and s.files["screenings.csv"].loaded == 1
    again = ingest_bundle(driver, d, rejects_path=d / "rejects2.csv")
    assert again.rejected == s.rejected
    n = gdb.read(op(driver), "MATCH (s:ShelterStay)-[:FOR_CASE]->(:`Case` {id: 'JX-C1'}) RETURN count(s) AS c")
    assert n[0]["c"] == 1  # re-running never duplicates


# ======================================================== the CLI commands
def test_cli_report_commands(loaded: dict[str, Any], neo4j_settings: Any, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import app as cli_app

    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_settings.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password())
    monkeypatch.setenv("NETINTEL_HOME", str(tmp_path))
    y = max(loaded["indicators"])
    r = CliRunner().invoke(cli_app, ["report", "indicators", "--year", y, "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["indicator"]: x["value"] for x in rows}["convictions"] == loaded["indicators"][y]["convictions"]
    out = tmp_path / "ind.xlsx"
    r = CliRunner().invoke(cli_app, ["report", "indicators", "--out", str(out)])
    assert r.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    r = CliRunner().invoke(cli_app, ["report", "unpaid", "--as-of", loaded["as_of"], "--format", "json"])
    assert r.exit_code == 0 and [x["offender_id"] for x in json.loads(r.stdout)] == [
        x["offender_id"] for x in loaded["compensation_unpaid"]]
    r = CliRunner().invoke(cli_app, ["report", "pipeline", "--as-of", loaded["as_of"], "--stalled", "-f", "csv"])
    assert r.exit_code == 0 and r.stdout.count("\n") == len(loaded["pipeline"]["stalled"]) + 1
    r = CliRunner().invoke(cli_app, ["report", "coverage", "--format", "json"])
    assert r.exit_code == 0 and {x["measure"]: x["value"] for x in json.loads(r.stdout)}["victims"] == \
        loaded["coverage"]["victims"]
    r = CliRunner().invoke(cli_app, ["report", "dashboard", "TH-10"])
    assert r.exit_code == 0 and json.loads(r.stdout)["province"]["code"] == "TH-10"


def test_a_scope_knows_its_provinces_and_protection(driver: Any) -> None:
    s = Scope.for_user(driver, "u", "investigator", ["province-TH-50", "protection"])
    assert s.provinces == ("TH-50",) and s.protection
    assert not Scope.for_user(driver, "v", "viewer", ["protection"]).protection
    assert Scope.for_user(driver, "a", "admin").protection and Scope.for_user(driver, "a", "admin").provinces == ()

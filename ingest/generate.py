"""Synthetic, realistic netintel bundles with a known truth (``netintel generate``).

:func:`generate_bundle` writes one UTF-8 CSV per table of :mod:`graph.model`
(columns exactly ``table_fields(table)``, in order; empty string for a
missing value) and ``truth.json``: the node/relationship counts a loader
that MERGEs nodes by ``id`` and relationships by ``(type, from, to, source,
source_record_id)`` will produce, the planted broker networks with each
broker's expected Gould–Fernandez role (group = nationality), every
victim's route at country level and the corridors, the planted laundering
patterns with their accounts and transaction ids, and the pairs of records
that are the same person recorded by two agencies.

What is planted
---------------
* **Broker networks** ``BN1…``: a clique of recruiters of one nationality
  (case on the recruitment side), a clique of exploiters of another
  (case on the exploitation side) and one or two brokers who are the only
  ties between them.  A broker of the exploiters' nationality is a
  *gatekeeper*, of the recruiters' a *representative* (undirected networks
  cannot tell these two apart; the analytics report "gatekeeper/
  representative"), of a third nationality a *liaison*.
* **Journeys**: multi-leg, real geography (source region → border crossing →
  transit province(s) → exploitation place; some via Laos, Cambodia or
  Malaysia; ~10 % incomplete, missing the exploitation stage).
* **Money**: sparse background transfers plus every typology of the shared
  conventions (fan_in, fan_out, scatter_gather, gather_scatter, cycle,
  pass_through, structuring) on fresh accounts that noise never touches.
* **Duplicates**: the same person recorded again by another agency (other
  script or romanisation, day/month swapped or typo'd birth date, other
  phone format, missing fields).

Everything is drawn from one ``random.Random(seed)`` and written as it is
generated, so the same seed gives byte-identical files and memory stays
bounded apart from the truth lists (routes and duplicate pairs).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import Counter, deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from core.rules import ascii_to_thai_digits, thai_digits_to_ascii, thai_id_check_digit
from core.rules import buddhist_era_year as be
from graph.model import NODES, REL_TYPES, RELS, TABLES, table_fields

from . import gazetteer as gz
from .names import NAMES, myanmar_name, variant

__all__ = ["generate_bundle", "thai_national_id", "route_of", "TYPOLOGIES"]

TYPOLOGIES = ("fan_in", "fan_out", "scatter_gather", "gather_scatter", "cycle", "pass_through", "structuring")
STRUCTURING_THRESHOLD = 2_000_000.0
_START = dt.date(2015, 1, 1)
_DAYS = (dt.date(2025, 6, 30) - _START).days
_TZ = "+07:00"

# ----------------------------------------------------------------- helpers


def thai_national_id(rng: random.Random, born: int = 1990, province: str = "10") -> str:
    """A valid 13-digit Thai national ID (checksum digit 13).

    The first digit is 1 for people born from 1984 (registered at birth),
    3 before; digits 2–3 are the province code.

    Examples
    --------
    >>> from core.rules import parse_thai_id
    >>> pid = thai_national_id(random.Random(1))
    >>> parse_thai_id(pid) == pid
    True
    """
    first = "1" if born >= 1984 else "3"
    body = first + province[:2].rjust(2, "0") + "".join(str(rng.randrange(10)) for _ in range(9))
    return body + str(thai_id_check_digit(body))


def _collapse(xs: Sequence[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if not out or out[-1] != x:
            out.append(x)
    return out


def route_of(locations: Sequence[str], complete: bool) -> tuple[str, tuple[str, ...], str | None]:
    """Country-level route of a journey (list of location ids, recruitment first).

    ``complete`` says whether the last location is the exploitation place;
    otherwise the destination is ``None``.

    Examples
    --------
    >>> route_of(["MM-17", "BC-MAESAI-TACHILEIK", "TH-74"], True)
    ('MMR', (), 'THA')
    >>> route_of(["CITY-HANOI", "LA-VT", "BC-NONGKHAI-VIENTIANE", "TH-10", "CITY-KKPARK"], True)
    ('VNM', ('LAO', 'THA'), 'MMR')
    """
    cs = [gz.country_of(x) for x in locations]
    src = cs[0]
    dest = cs[-1] if complete else None
    inner = cs[1:-1] if complete else cs[1:]
    transit = _collapse([c for c in _collapse(inner) if c != src and c != dest])
    return src, tuple(transit), dest


def _date(d: dt.date) -> str:
    return d.isoformat()


def _ts(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S") + _TZ


# --------------------------------------------------------------- reference data

_CASE_NO: dict[str, Callable[[int, int], str]] = {
    "RTP": lambda n, y: f"คดีอาญาที่ {n}/{be(y)}",
    "ATPD": lambda n, y: f"ATPD-{y}-{n:04d}",
    "DSI": lambda n, y: f"คดีพิเศษที่ {n}/{be(y)}",
    "OAG": lambda n, y: f"อส.{n}/{be(y)}",
    "COJ": lambda n, y: f"คม.{n}/{be(y)}",
    "AMLO": lambda n, y: f"AMLO-{y}-{n:05d}",
    "MSDHS": lambda n, y: f"พม.{n:04d}/{be(y)}",
    "DOE": lambda n, y: f"DOE/{y}/{n:05d}",
    "IMM": lambda n, y: f"IMM{y % 100:02d}-{n:06d}",
    "DLPW": lambda n, y: f"DLPW-{n}/{be(y)}",
    "NGO": lambda n, y: f"NGO-{y}-{n:03d}",
    "DOPA": lambda n, y: f"DOPA-{y}-{n:05d}",
}
_CASE_AGENCY_WEIGHTS = [("RTP", 34), ("ATPD", 14), ("DSI", 10), ("IMM", 8), ("DOE", 7), ("MSDHS", 8),
                        ("DLPW", 6), ("OAG", 5), ("COJ", 4), ("NGO", 4)]
_OFFENCES = {
    "fishing": "Trafficking in persons for forced labour on fishing vessels (Anti-Trafficking in Persons Act B.E. 2551 s.6)",
    "sexual": "Trafficking in persons for sexual exploitation; procuring for prostitution (Penal Code s.282)",
    "forced_criminality": "Trafficking in persons for forced criminality in online-scam compounds",
    "domestic_servitude": "Trafficking in persons for domestic servitude; forced labour",
    "begging": "Trafficking in persons for begging (ATIP Act s.6); exploitation of children",
    "forced_labour": "Forced labour or services (ATIP Act s.6/1); illegal employment of migrant workers",
}
_STATUSES = ["open", "investigation", "investigation", "prosecution", "trial", "closed", "convicted",
             "convicted", "acquitted"]

# (recruitment choices, [intermediate steps], exploitation choices, mode of each leg or None)
_R = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]
_ROUTES: dict[tuple[str, str], list[_R]] = {
    ("fishing", "MMR"): [
        (("MM-06", "MM-02", "MM-15", "MM-07"), (("BC-RANONG-KAWTHAUNG",),), ("PORT-RANONG", "TH-85")),
        (("MM-13", "MM-15", "MM-02"), (("BC-MAESOT-MYAWADDY",), ("TH-10",)), ("PORT-MAHACHAI", "TH-74")),
        (("MM-15", "MM-05"), (("BC-SANGKHLABURI-PAYATHONZU",), ("TH-71",)), ("PORT-MAHACHAI", "TH-74")),
        (("MM-06", "MM-07"), (("BC-RANONG-KAWTHAUNG",), ("TH-86", "TH-84")), ("PORT-SONGKHLA", "TH-90")),
        (("MM-06", "MM-02"), (("BC-RANONG-KAWTHAUNG",), ("PORT-SONGKHLA",)), ("PORT-BENJINA", "PORT-AMBON")),
    ],
    ("fishing", "KHM"): [
        (("KH-1", "KH-2", "KH-12", "KH-22"), (("BC-ARANYAPRATHET-POIPET",), ("TH-10",)),
         ("PORT-MAHACHAI", "PORT-SONGKHLA", "PORT-PATTANI")),
        (("KH-9", "KH-12"), (("BC-KHLONGYAI-CHAMYEAM",), ("TH-20",)), ("PORT-KANTANG", "TH-74")),
    ],
    ("sexual", "LAO"): [
        (("LA-SV", "LA-KH"), (("BC-MUKDAHAN-SAVANNAKHET",), ("TH-40",)), ("TH-10", "TH-S")),
        (("LA-VT", "LA-VI", "LA-LP"), (("BC-NONGKHAI-VIENTIANE",), ("TH-41",)), ("TH-10", "TH-S", "TH-83")),
        (("LA-KH", "LA-BL"), (("BC-NAKHONPHANOM-THAKHEK",),), ("TH-10", "TH-90")),
    ],
    ("sexual", "THA"): [
        (("TH-57", "TH-50", "TH-40", "TH-34", "TH-41"), (("TH-10",),),
         ("CITY-TOKYO", "CITY-SEOUL", "CITY-DUBAI", "MY-14", "CITY-TAIPEI")),
        (("TH-57", "TH-40", "TH-32"), (("TH-10",),), ("TH-S", "TH-83", "TH-90")),
    ],
    ("sexual", "MMR"): [
        (("MM-17", "MM-04"), (("BC-MAESAI-TACHILEIK",), ("TH-57",)), ("TH-10", "TH-50")),
    ],
    ("sexual", "VNM"): [
        (("CITY-HCMC",), (("KH-12",), ("BC-ARANYAPRATHET-POIPET",)), ("TH-10", "TH-S")),
    ],
    ("forced_criminality", "THA"): [
        (("TH-10", "TH-40", "TH-30", "TH-50"), (("TH-63",), ("BC-MAESOT-MYAWADDY",)),
         ("CITY-KKPARK", "CITY-SHWEKOKKO")),
        (("TH-10", "TH-41"), (("BC-ARANYAPRATHET-POIPET",), ("CITY-POIPET",)), ("CITY-SIHANOUKVILLE",)),
        (("TH-10", "TH-57"), (("BC-CHIANGKHONG-HUAYXAI",),), ("CITY-GTSEZ",)),
    ],
    ("forced_criminality", "VNM"): [
        (("CITY-HANOI",), (("LA-VT",), ("BC-NONGKHAI-VIENTIANE",), ("TH-10",)), ("CITY-KKPARK",)),
    ],
    ("forced_criminality", "CHN"): [
        (("CITY-KUNMING",), (("LA-BK",),), ("CITY-GTSEZ",)),
        (("CITY-KUNMING",), (("TH-10",), ("BC-MAESOT-MYAWADDY",)), ("CITY-SHWEKOKKO",)),
    ],
    ("forced_criminality", "LAO"): [
        (("LA-VT", "LA-LP"), (("LA-BK",),), ("CITY-GTSEZ",)),
    ],
    ("domestic_servitude", "MMR"): [
        (("MM-13", "MM-15"), (("BC-MAESOT-MYAWADDY",), ("TH-63",)), ("TH-10", "TH-12")),
    ],
    ("domestic_servitude", "LAO"): [
        (("LA-VT", "LA-VI"), (("BC-NONGKHAI-VIENTIANE",),), ("TH-10", "TH-13")),
    ],
    ("begging", "KHM"): [
        (("KH-1", "KH-24", "KH-22"), (("BC-ARANYAPRATHET-POIPET",), ("TH-27",)), ("TH-10", "TH-20", "TH-S")),
    ],
    ("forced_labour", "MMR"): [
        (("MM-17",), (("BC-MAESAI-TACHILEIK",), ("TH-57",)), ("TH-50",)),
        (("MM-15", "MM-13"), (("BC-MAESOT-MYAWADDY",),), ("TH-63", "TH-74", "TH-11")),
        (("MM-06", "MM-02"), (("BC-RANONG-KAWTHAUNG",), ("TH-90",), ("BC-SADAO-BUKITKAYUHITAM",)),
         ("MY-02", "MY-10")),
    ],
    ("forced_labour", "KHM"): [
        (("KH-2", "KH-1"), (("BC-ARANYAPRATHET-POIPET",),), ("TH-22", "TH-21", "TH-24")),
    ],
}
# scenario -> (weight, victim nationality weights, victim sex weights M/F, organisation kind)
_SCENARIOS: dict[str, tuple[int, list[tuple[str, int]], float, str]] = {
    "fishing": (22, [("MMR", 70), ("KHM", 30)], 0.95, "fishing_company"),
    "sexual": (24, [("LAO", 40), ("THA", 35), ("MMR", 15), ("VNM", 10)], 0.08, "karaoke_bar"),
    "forced_criminality": (18, [("THA", 50), ("VNM", 15), ("CHN", 15), ("LAO", 20)], 0.6, "online_scam_company"),
    "domestic_servitude": (10, [("MMR", 60), ("LAO", 40)], 0.1, "household"),
    "begging": (8, [("KHM", 100)], 0.5, "begging_gang"),
    "forced_labour": (18, [("MMR", 70), ("KHM", 30)], 0.7, "employer"),
}
# broker network templates: recruiters' nationality, exploiters' nationality, scenario, victims
_BN_TEMPLATES = [
    ("MMR", "THA", "fishing", "MMR"),
    ("LAO", "THA", "sexual", "LAO"),
    ("KHM", "THA", "begging", "KHM"),
    ("THA", "CHN", "forced_criminality", "THA"),
    ("MMR", "MYS", "forced_labour", "MMR"),
    ("KHM", "THA", "fishing", "KHM"),
]
_BROKER_ROLES = ("gatekeeper", "representative", "liaison")
_THIRD = ("THA", "MMR", "LAO", "KHM", "CHN", "VNM")

_BANKS_THA = [("002", 20), ("004", 22), ("014", 20), ("006", 16), ("025", 8), ("011", 6), ("030", 5), ("034", 3)]
_BANKS_FOREIGN = {"MMR": [("KBZ", "MMK"), ("AYA", "MMK"), ("CB", "MMK")],
                  "LAO": [("BCEL", "LAK"), ("LDB", "LAK")],
                  "KHM": [("ABA", "USD"), ("ACLEDA", "KHR"), ("ACLEDA", "USD")],
                  "CHN": [("ICBC", "CNY"), ("BOC", "CNY")], "VNM": [("VCB", "VND")],
                  "MYS": [("MBB", "MYR")]}
_CHANNELS = ["mobile_banking", "mobile_banking", "promptpay", "atm", "branch", "internet_banking"]

_PLATE_CONSONANTS = "กขคฆงจฉชญณดตถทธนบปผพภมยรลวศษสหอ"  # letters seen on private plates
_VEHICLES = [("pickup", ["Toyota Hilux Revo", "Isuzu D-Max", "Ford Ranger", "Mitsubishi Triton"]),
             ("van", ["Toyota Commuter", "Toyota Hiace", "Hyundai H-1"]),
             ("car", ["Toyota Vios", "Honda City", "Honda Civic", "Toyota Camry", "Mazda 2"]),
             ("truck", ["Hino 500", "Isuzu FRR"]),
             ("motorcycle", ["Honda Wave 110i", "Yamaha Fino", "Honda Click"])]
_COLOURS = ["white", "black", "silver", "grey", "red", "blue", "brown"]
_NICKNAMES = [("เอ", "A"), ("บอย", "Boy"), ("ต้อม", "Tom"), ("แดง", "Daeng"), ("เสือ", "Suea"), ("ดำ", "Dam"),
              ("หนุ่ม", "Num"), ("เก่ง", "Keng"), ("โจ้", "Jo"), ("อ้วน", "Uan"), ("เล็ก", "Lek"), ("ป้อม", "Pom")]
_CHN_NAMES = [("王伟", "Wang Wei"), ("李强", "Li Qiang"), ("张磊", "Zhang Lei"), ("刘洋", "Liu Yang"),
              ("陈杰", "Chen Jie"), ("杨勇", "Yang Yong"), ("赵军", "Zhao Jun"), ("黄涛", "Huang Tao"),
              ("周敏", "Zhou Min"), ("吴静", "Wu Jing"), ("徐丽", "Xu Li"), ("孙燕", "Sun Yan")]
_VNM_NAMES = [("Nguyễn Văn Hùng", "Nguyen Van Hung"), ("Trần Thị Lan", "Tran Thi Lan"),
              ("Lê Văn Nam", "Le Van Nam"), ("Phạm Thị Hoa", "Pham Thi Hoa"), ("Hoàng Văn Minh", "Hoang Van Minh"),
              ("Vũ Thị Mai", "Vu Thi Mai"), ("Đặng Văn Tuấn", "Dang Van Tuan"), ("Bùi Thị Hạnh", "Bui Thi Hanh")]
_MYS_NAMES = [("Ahmad bin Ismail", "Ahmad bin Ismail"), ("Mohd Faizal bin Hassan", "Mohd Faizal bin Hassan"),
              ("Tan Chee Keong", "Tan Chee Keong"), ("Lim Wei Ming", "Lim Wei Ming"),
              ("Siti Aminah binti Yusof", "Siti Aminah binti Yusof"), ("Rajesh a/l Kumar", "Rajesh a/l Kumar")]
_ORG_NAMES = {
    "fishing_company": [("บริษัท {w} ฟิชชิ่ง จำกัด", "{W} Fishing Co., Ltd."),
                        ("ห้างหุ้นส่วนจำกัด {w}ประมง", "{W} Pramong Ltd. Part."),
                        ("บริษัท {w}ซีฟู้ด จำกัด", "{W} Seafood Co., Ltd.")],
    "karaoke_bar": [("ร้านคาราโอเกะ {w}", "{W} Karaoke"), ("{w} อาบอบนวด", "{W} Massage Parlour"),
                    ("ร้าน {w} ผับ", "{W} Pub")],
    "online_scam_company": [("{W} Technology Co., Ltd.", "{W} Technology Co., Ltd."),
                            ("{W} Investment Group", "{W} Investment Group")],
    "household": [("ครัวเรือน {w}", "{W} household")],
    "begging_gang": [("กลุ่ม {w}", "{W} group")],
    "employer": [("บริษัท {w} อุตสาหกรรม จำกัด", "{W} Industry Co., Ltd."),
                 ("โรงงาน {w}", "{W} Factory"), ("ไร่ {w}", "{W} Plantation")],
    "recruitment_agency": [("บริษัท {w} จัดหางาน จำกัด", "{W} Recruitment Co., Ltd."),
                           ("{W} Manpower Agency", "{W} Manpower Agency")],
    "shell_company": [("บริษัท {w} เทรดดิ้ง จำกัด", "{W} Trading Co., Ltd."),
                      ("บริษัท {w} โฮลดิ้ง จำกัด", "{W} Holding Co., Ltd."),
                      ("{W} Global Ltd.", "{W} Global Ltd.")],
}
_ORG_WORDS = [("ทองคำ", "Thongkham"), ("รุ่งเรือง", "Rungruang"), ("ศรีสมุทร", "Sri Samut"), ("มหาชัย", "Mahachai"),
              ("สยาม", "Siam"), ("โชคดี", "Chokdee"), ("เจริญ", "Charoen"), ("ทะเลทอง", "Thale Thong"),
              ("มิตรภาพ", "Mittraphap"), ("อันดามัน", "Andaman"), ("ดาวเหนือ", "Dao Nuea"), ("พัฒนา", "Phatthana"),
              ("เพชรสยาม", "Phet Siam"), ("โกลเด้น", "Golden"), ("ไทยรุ่ง", "Thai Rung"), ("ศรีสุข", "Srisuk")]
_ORG_AGENCY = {"fishing_company": "DOE", "karaoke_bar": "RTP", "online_scam_company": "DSI", "household": "MSDHS",
               "begging_gang": "RTP", "employer": "DOE", "recruitment_agency": "DOE", "shell_company": "AMLO"}


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


# ----------------------------------------------------------------- writer


class _Bundle:
    """Open CSV writers, per-(table, source) record counters and the truth counts."""

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.fh: dict[str, TextIO] = {}
        self.w: dict[str, Any] = {}
        self.cols: dict[str, tuple[str, ...]] = {}
        for t in TABLES:
            cols = tuple(f.name for f in table_fields(t))
            fh = (out / f"{t}.csv").open("w", encoding="utf-8", newline="")
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            self.fh[t], self.w[t], self.cols[t] = fh, w, cols
        self.seq: Counter[tuple[str, str]] = Counter()
        self.nodes: Counter[str] = Counter()
        self.rels: Counter[str] = Counter()
        self._label = {n.table: n.label for n in NODES}
        self._embedded: dict[str, list[tuple[str, str]]] = {}
        for r in RELS:
            if r.embedded:
                self._embedded.setdefault(r.table, []).append((r.to_field, r.type))
        self._reltype = {r.table: r.type for r in RELS if not r.embedded and r.ingested}

    def srid(self, table: str, source: str, prefix: str) -> str:
        self.seq[(table, source)] += 1
        return f"{prefix}{self.seq[(table, source)]:07d}"

    def row(self, table: str, r: dict[str, Any]) -> None:
        self.w[table].writerow(["" if r.get(c) is None else str(r.get(c)) for c in self.cols[table]])
        if table in self._label:
            self.nodes[self._label[table]] += 1
            for col, rtype in self._embedded.get(table, ()):
                if r.get(col):
                    self.rels[rtype] += 1
        else:
            self.rels[r.get("type") or self._reltype[table]] += 1

    def close(self) -> None:
        for fh in self.fh.values():
            fh.close()


# --------------------------------------------------------------- generator


class _Gen:
    def __init__(self, out: Path, seed: int, persons: int, progress: Callable[[int], None] | None) -> None:
        self.rng = random.Random(seed)
        self.out, self.seed = out, seed
        self.b = _Bundle(out)
        self.target = persons
        self.n_persons = 0
        self.progress = progress
        self._reported = 0
        self.routes: list[dict[str, Any]] = []
        self.corr_victims: Counter[tuple[str, tuple[str, ...], str]] = Counter()
        self.corr_cases: dict[tuple[str, tuple[str, ...], str], set[str]] = {}
        self.laundering: list[dict[str, Any]] = []
        self.duplicates: list[list[str]] = []
        self.brokers: list[dict[str, Any]] = []
        self.networks: list[dict[str, Any]] = []
        self.noise_pool: deque[tuple[str, str]] = deque(maxlen=400)  # (account id, currency)
        self.txn = 0
        self.case_no: Counter[tuple[str, int]] = Counter()

    # ------------------------------------------------------------ basics
    def day(self, lo: dt.date = _START, span: int = _DAYS) -> dt.date:
        return lo + dt.timedelta(days=self.rng.randrange(max(1, span)))

    def _tick(self) -> None:
        self.n_persons += 1
        if self.progress and self.n_persons - self._reported >= 1000:
            self.progress(self.n_persons - self._reported)
            self._reported = self.n_persons

    def left(self) -> int:
        return self.target - self.n_persons

    # ------------------------------------------------------------ names
    def _name(self, nat: str, sex: str) -> dict[str, str]:
        rng = self.rng
        key = "given_F" if sex == "F" else "given_M"
        if nat == "MMR":
            native, latin = myanmar_name(rng, sex)
            return {"full_native": native, "full_latin": latin, "given": native, "family": "",
                    "given_latin": latin, "family_latin": ""}
        if nat in NAMES:
            g = rng.choice(NAMES[nat][key])
            f = rng.choice(NAMES[nat]["family"])
            if nat == "KHM":  # Khmer order: family name first
                return {"full_native": f"{f[0]} {g[0]}", "full_latin": f"{f[1]} {g[1]}", "given": g[0],
                        "family": f[0], "given_latin": g[1], "family_latin": f[1]}
            return {"full_native": f"{g[0]} {f[0]}", "full_latin": f"{g[1]} {f[1]}", "given": g[0],
                    "family": f[0], "given_latin": g[1], "family_latin": f[1]}
        pool = {"CHN": _CHN_NAMES, "VNM": _VNM_NAMES, "MYS": _MYS_NAMES}.get(nat, _MYS_NAMES)
        native, latin = rng.choice(pool)
        return {"full_native": native, "full_latin": latin, "given": "", "family": "",
                "given_latin": "", "family_latin": ""}

    def _phone(self, nat: str, style: int | None = None) -> str:
        rng = self.rng
        if nat in ("THA", "MMR", "LAO", "KHM") and (nat == "THA" or rng.random() < 0.6):
            d = rng.choice("689") + str(rng.randrange(10)) + "".join(str(rng.randrange(10)) for _ in range(7))
            return self._fmt_th(d, style)
        cc = {"MMR": "95 9", "LAO": "856 20", "KHM": "855 1", "CHN": "86 13", "VNM": "84 9", "MYS": "60 1"}.get(
            nat, "60 1")
        return f"+{cc}" + " " + "".join(str(rng.randrange(10)) for _ in range(7))

    def _fmt_th(self, d: str, style: int | None = None) -> str:
        """A Thai mobile number (9 digits after the leading 0) in one of the real-world formats."""
        s = self.rng.randrange(6) if style is None else style
        if s == 0:
            return f"0{d[:2]}-{d[2:5]}-{d[5:]}"
        if s == 1:
            return f"0{d}"
        if s == 2:
            return f"+66 {d[:2]} {d[2:5]} {d[5:]}"
        if s == 3:
            return f"+66{d}"
        if s == 4:
            return ascii_to_thai_digits(f"0{d[:2]}-{d[2:5]}-{d[5:]}")
        return f"0{d[:2]} {d[2:5]} {d[5:]}"

    @staticmethod
    def _reformat_phone(p: str, rng: random.Random) -> str:
        digits = "".join(ch for ch in thai_digits_to_ascii(p) if ch.isdigit())
        if p.startswith("+") and not p.startswith("+66"):
            return "00" + digits if rng.random() < 0.5 else "+" + digits
        d = digits[2:] if digits.startswith("66") else digits[1:]
        return rng.choice([f"0{d}", f"+66 {d[:2]} {d[2:5]} {d[5:]}", f"0{d[:2]}-{d[2:5]}-{d[5:]}", f"+66{d}"])

    def _birth(self, role: str) -> dt.date:
        lo, hi = (1995, 2008) if role == "victim" else (1960, 1995)
        return dt.date(self.rng.randint(lo, hi), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def _fmt_birth(self, d: dt.date, agency: str) -> str:
        r = self.rng.random()
        thai_agency = agency in ("DOPA", "MSDHS", "OAG", "COJ", "RTP")
        if thai_agency and r < 0.35:
            return f"{be(d.year):04d}-{d.month:02d}-{d.day:02d}"  # Buddhist era
        if r < 0.5:
            return f"{d.day:02d}/{d.month:02d}/{d.year}"
        if thai_agency and r < 0.6:
            return f"{d.day:02d}/{d.month:02d}/{be(d.year)}"
        return d.isoformat()

    # ------------------------------------------------------------ rows
    def person(self, nat: str, sex: str, agency: str, role: str, lives: str | None = None,
               alias: bool = False) -> dict[str, Any]:
        """Write one person record and return its identity (kept for duplicates)."""
        rng = self.rng
        nm = self._name(nat, sex)
        born = self._birth(role)
        srid = self.b.srid("persons", agency, "P")
        pid = f"{agency}:{srid}"
        phones = [self._phone(nat) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
        if nat == "THA":
            prov = (lives or "TH-10").split("-")[1] if (lives or "").startswith("TH-") else "10"
            prov = prov if prov.isdigit() else "20"
            nid, passport = thai_national_id(rng, born.year, prov), ""
            if role == "victim" and rng.random() < 0.15:
                nid = ""
        else:
            nid = ""
            prefix = {"MMR": "M", "LAO": "P", "KHM": "N", "CHN": "E", "VNM": "C", "MYS": "A"}.get(nat, "X")
            passport = (prefix + rng.choice("ABCD") + f"{rng.randrange(10**6, 10**7)}") if rng.random() < 0.7 else ""
        ident = {"id": pid, "nat": nat, "sex": sex, "born": born, "name": nm, "phones": phones,
                 "nid": nid, "passport": passport, "lives": lives, "agency": agency, "role": role}
        self._write_person(ident, agency, srid, native=rng.random() < 0.75 or nat == "THA", alias=alias)
        return ident

    def _write_person(self, p: dict[str, Any], agency: str, srid: str, native: bool, alias: bool = False,
                      latin_override: str | None = None, birth: str | None = None, phones: list[str] | None = None,
                      drop: Sequence[str] = ()) -> None:
        nm = p["name"]
        latin = latin_override or nm["full_latin"]
        row: dict[str, Any] = {
            "id": p["id"],
            "source": agency, "source_record_id": srid,
            "recorded_at": _date(self.day(dt.date(2016, 1, 1), 3400)),
            "full_name": nm["full_native"] if native else latin.upper() if agency in ("IMM", "DOE") else latin,
            "given_name": nm["given"] if native else "",
            "family_name": nm["family"] if native else "",
            "full_name_latin": latin,
            "birth_date": birth if birth is not None else self._fmt_birth(p["born"], agency),
            "sex": p["sex"], "nationality": p["nat"],
            "national_id": p["nid"], "passport_no": p["passport"],
            "phones": ";".join(phones if phones is not None else p["phones"]),
            "lives_at": p["lives"] or "",
        }
        if alias and p["nat"] == "THA":
            nick = self.rng.choice(_NICKNAMES)
            row["aliases"] = f"{nick[0]};{nick[1]}"
        if p["lives"] and gz.location(p["lives"])["kind"] != "country":
            loc = gz.location(p["lives"])
            row["address"] = f"{self.rng.randint(1, 399)}/{self.rng.randint(1, 99)} " + (
                loc["name_th"] if p["nat"] == "THA" else loc["name"])
        for k in drop:
            row[k] = ""
        self.b.row("persons", row)
        self._tick()

    def duplicate(self, p: dict[str, Any], case_id: str, role: str) -> str:
        """Record person ``p`` again under another agency, with realistic differences."""
        rng = self.rng
        agency = rng.choice([a for a in ("MSDHS", "IMM", "DOE", "NGO", "OAG", "DLPW", "RTP") if a != p["agency"]])
        srid = self.b.srid("persons", agency, "P")
        did = f"{agency}:{srid}"
        latin = variant(p["name"]["full_latin"], rng) if rng.random() < 0.7 else p["name"]["full_latin"]
        native = p["nat"] == "THA" and rng.random() < 0.5 or rng.random() < 0.3
        b = p["born"]
        r = rng.random()
        if r < 0.35 and b.day <= 12 and b.day != b.month:
            birth = f"{b.month:02d}/{b.day:02d}/{b.year}"  # day/month swapped
        elif r < 0.6:
            typo = b.replace(day=min(28, max(1, b.day + rng.choice((-1, 1)))))
            birth = typo.isoformat()
        elif r < 0.75:
            birth = ""
        else:
            birth = f"{be(b.year)}-{b.month:02d}-{b.day:02d}"
        phones = [self._reformat_phone(x, rng) for x in p["phones"]]
        drop = [k for k in ("national_id", "passport_no", "lives_at", "address") if rng.random() < 0.4]
        self._write_person({**p, "id": did}, agency, srid, native=native, latin_override=latin, birth=birth,
                           phones=phones, drop=drop)
        self.duplicates.append([p["id"], did])
        self.involve(did, case_id, role, agency)
        return did

    def case(self, agency: str, etype: str, loc: str, opened: dt.date) -> str:
        rng = self.rng
        srid = self.b.srid("cases", agency, "C")
        cid = f"{agency}:{srid}"
        self.case_no[(agency, opened.year)] += 1
        status = rng.choice(_STATUSES)
        closed = ""
        if status in ("closed", "convicted", "acquitted"):
            closed = _date(opened + dt.timedelta(days=rng.randint(60, 1400)))
        prov = gz.province_of(loc)
        self.b.row("cases", {
            "id": cid, "source": agency, "source_record_id": srid, "recorded_at": _date(opened),
            "case_number": _CASE_NO[agency](self.case_no[(agency, opened.year)], opened.year),
            "agency": agency, "offence": _OFFENCES.get(etype, "Money laundering (AMLA B.E. 2542)"),
            "exploitation_type": etype if etype in _OFFENCES else "",
            "opened_on": _date(opened), "closed_on": closed, "status": status,
            "province": gz.location(prov)["name"] if prov else "", "location_id": loc,
            "restricted_to": "ATPD-unit-2" if agency == "DSI" and rng.random() < 0.1 else "",
        })
        return cid

    def involve(self, party: str, case_id: str, role: str, source: str | None = None) -> None:
        src = source or case_id.split(":", 1)[0]
        self.b.row("involvements", {"source": src, "source_record_id": self.b.srid("involvements", src, "I"),
                                    "party_id": party, "case_id": case_id, "role": role})

    def associate(self, a: str, b: str, kind: str, source: str, when: dt.date) -> None:
        row: dict[str, Any] = {"source": source, "source_record_id": self.b.srid("associations", source, "A"),
                               "person_id": a, "other_id": b, "kind": kind}
        if kind == "contact":
            first = dt.datetime.combine(when, dt.time(self.rng.randrange(24), self.rng.randrange(60)))
            row["call_count"] = self.rng.randint(3, 240)
            row["first_contact"] = _ts(first)
            row["last_contact"] = _ts(first + dt.timedelta(days=self.rng.randint(5, 300), minutes=17))
        self.b.row("associations", row)

    def org(self, kind: str, country: str = "THA") -> str:
        rng = self.rng
        agency = _ORG_AGENCY.get(kind, "DOE")
        srid = self.b.srid("organisations", agency, "O")
        th, en = rng.choice(_ORG_NAMES[kind])
        w = rng.choice(_ORG_WORDS)
        self.b.row("organisations", {
            "id": f"{agency}:{srid}", "source": agency, "source_record_id": srid,
            "name": th.format(w=w[0], W=w[1]), "name_latin": en.format(w=w[0], W=w[1]), "kind": kind,
            "registration_no": f"0{rng.randrange(10**11, 10**12)}" if country == "THA" else "",
            "country": country})
        return f"{agency}:{srid}"

    def affiliate(self, person: str, org: str, rtype: str, role: str, source: str) -> None:
        self.b.row("affiliations", {"source": source, "source_record_id": self.b.srid("affiliations", source, "F"),
                                    "person_id": person, "org_id": org, "type": rtype, "role": role})

    def account(self, holder: str | None, holder_name: str, nat: str = "THA", source: str = "AMLO",
                thb: bool = False) -> tuple[str, str]:
        rng = self.rng
        if thb or nat not in _BANKS_FOREIGN or rng.random() < 0.6:
            bank, cur, country = _weighted(rng, _BANKS_THA), "THB", "THA"
            number = f"{rng.randrange(10**9, 10**10)}"
        else:
            bank, cur = rng.choice(_BANKS_FOREIGN[nat])
            country = nat
            number = f"{rng.randrange(10**11, 10**12)}"
        srid = self.b.srid("accounts", source, "B")
        aid = f"{source}:{srid}"
        self.b.row("accounts", {"id": aid, "source": source, "source_record_id": srid, "bank_code": bank,
                                "account_number": number, "holder_name": holder_name, "currency": cur,
                                "country": country})
        if holder:
            self.b.row("holdings", {"source": source, "source_record_id": self.b.srid("holdings", source, "H"),
                                    "holder_id": holder, "account_id": aid})
        return aid, cur

    def transfer(self, a: str, b: str, amount: float, cur: str, at: dt.datetime, source: str = "AMLO") -> str:
        self.txn += 1
        tid = f"TX{self.txn:09d}"
        self.b.row("transfers", {"source": source, "source_record_id": self.b.srid("transfers", source, "T"),
                                 "from_account": a, "to_account": b, "txn_id": tid, "amount": f"{amount:.2f}",
                                 "currency": cur, "at": _ts(at), "channel": self.rng.choice(_CHANNELS)})
        return tid

    def vehicle(self, owner: str, case_id: str, at: dt.date, source: str) -> None:
        rng = self.rng
        kind, makes = rng.choice(_VEHICLES)
        prov = gz.location(rng.choice(["TH-10", "TH-74", "TH-63", "TH-57", "TH-20", "TH-90", "TH-85", "TH-27"]))
        c = rng.choice(_PLATE_CONSONANTS) + rng.choice(_PLATE_CONSONANTS)
        if kind == "truck":
            plate = f"{rng.randint(70, 79)}-{rng.randint(1000, 9999)}"
        elif kind == "motorcycle":
            plate = f"{rng.randint(1, 9)}{c} {rng.randint(1, 9999)}"
        else:
            plate = f"{rng.randint(1, 9)}{c} {rng.randint(1, 9999)}" if rng.random() < 0.7 else f"{c} {rng.randint(1, 9999)}"
        srid = self.b.srid("vehicles", source, "V")
        vid = f"{source}:{srid}"
        self.b.row("vehicles", {"id": vid, "source": source, "source_record_id": srid, "plate": plate,
                                "plate_province": prov["name_th"], "kind": kind, "make": rng.choice(makes),
                                "colour": rng.choice(_COLOURS)})
        self.b.row("ownerships", {"source": source, "source_record_id": self.b.srid("ownerships", source, "W"),
                                  "owner_id": owner, "vehicle_id": vid})
        self.b.row("vehicle_uses", {"source": source, "source_record_id": self.b.srid("vehicle_uses", source, "U"),
                                    "vehicle_id": vid, "case_id": case_id, "at": _date(at)})

    # ------------------------------------------------------------ journeys
    def journey(self, person: str, case_id: str, etype: str, nat: str, end: dt.date,
                force_complete: bool = False) -> str | None:
        """Write the legs of a victim's journey; return the exploitation location (or None)."""
        rng = self.rng
        templates = _ROUTES.get((etype, nat))
        if not templates:
            return None
        rec, steps, exploit = rng.choice(templates)
        locs = [rng.choice(rec)] + [rng.choice(s) for s in steps] + [rng.choice(exploit)]
        complete = force_complete or rng.random() >= 0.1 or len(locs) < 3
        if not complete:
            locs = locs[:-1]
        src = case_id.split(":", 1)[0]
        when = end - dt.timedelta(days=rng.randint(20, 600))
        for i in range(1, len(locs)):
            when += dt.timedelta(days=rng.randint(1, 12))
            to = locs[i]
            kind = gz.location(to)["kind"]
            frm_c, to_c = gz.country_of(locs[i - 1]), gz.country_of(to)
            if to_c in ("JPN", "KOR", "ARE", "TWN") or (to == "MY-14" and frm_c == "THA"):
                mode = "air"
            elif kind == "port" or to == "BC-RANONG-KAWTHAUNG":
                mode = "boat"
            elif kind == "border_crossing" and rng.random() < 0.3:
                mode = "foot"
            else:
                mode = "road"
            stage = "exploitation" if complete and i == len(locs) - 1 else "transit"
            self.b.row("journeys", {"source": src, "source_record_id": self.b.srid("journeys", src, "J"),
                                    "from_location": locs[i - 1], "to_location": to, "person_id": person,
                                    "case_id": case_id, "leg": i, "stage": stage, "at": _date(when), "mode": mode})
        s, t, d = route_of(locs, complete)
        self.routes.append({"person_id": person, "case_id": case_id, "source": s, "transit": list(t),
                            "destination": d, "complete": complete})
        if complete and d is not None:
            key = (s, t, d)
            self.corr_victims[key] += 1
            self.corr_cases.setdefault(key, set()).add(case_id)
        return locs[-1] if complete else None

    # ------------------------------------------------------------ planted networks
    def network(self, k: int) -> None:
        rng = self.rng
        rec_nat, exp_nat, etype, vic_nat = _BN_TEMPLATES[k % len(_BN_TEMPLATES)]
        bn = f"BN{k + 1}"
        n_brokers = 2 if k % 2 == 1 else 1
        roles = [_BROKER_ROLES[(k + j) % 3] for j in range(n_brokers)]
        third = next(c for c in _THIRD if c not in (rec_nat, exp_nat))
        opened = self.day(dt.date(2016, 1, 1), _DAYS - 400)
        tmpl = rng.choice(_ROUTES[(etype, vic_nat)])
        rec_loc = tmpl[0][0]
        exp_loc = rng.choice(tmpl[2])
        home_rec = rec_loc if rec_loc in [r["id"] for r in gz.LOCATIONS] else None
        rec_case = self.case(rng.choice(["IMM", "RTP", "ATPD"]), etype,
                             tmpl[1][0][0] if tmpl[1] else rec_loc, opened)
        exp_case = self.case(rng.choice(["DSI", "ATPD", "RTP"]), etype, exp_loc,
                             opened + dt.timedelta(days=rng.randint(10, 200)))
        src_r, src_e = rec_case.split(":")[0], exp_case.split(":")[0]
        recruiters = [self.person(rec_nat, rng.choice("MF"), src_r, "recruiter", home_rec, alias=True)["id"]
                      for _ in range(rng.randint(3, 4))]
        exp_home = exp_loc if gz.country_of(exp_loc) == exp_nat else None
        exploiters = [self.person(exp_nat, "M" if rng.random() < 0.7 else "F", src_e, "employer", exp_home,
                                  alias=True)["id"] for _ in range(rng.randint(3, 4))]
        brokers = []
        for role in roles:
            bnat = {"gatekeeper": exp_nat, "representative": rec_nat, "liaison": third}[role]
            bid = self.person(bnat, "M", src_e, "broker", None, alias=True)["id"]
            brokers.append(bid)
            self.brokers.append({"id": bid, "network": bn, "nationality": bnat, "role": role,
                                 "bridges": sorted({rec_nat, exp_nat})})
        for r in recruiters:
            self.involve(r, rec_case, "recruiter")
        for e in exploiters:
            self.involve(e, exp_case, "employer")
        for b in brokers:
            self.involve(b, rec_case, "broker")
            self.involve(b, exp_case, "broker")
        for grp, src in ((recruiters, src_r), (exploiters, src_e)):
            for i, a in enumerate(grp):
                for c in grp[i + 1:]:
                    self.associate(a, c, rng.choice(["associate", "associate", "family", "contact"]), src, opened)
        for b in brokers:
            for x in recruiters + exploiters:
                self.associate(b, x, "contact", src_e, opened - dt.timedelta(days=rng.randint(30, 300)))
        for i, a in enumerate(brokers):
            for c in brokers[i + 1:]:
                self.associate(a, c, "associate", src_e, opened)
        agency_org = self.org("recruitment_agency", rec_nat if rec_nat == "THA" else "THA")
        for r in recruiters:
            self.affiliate(r, agency_org, "MEMBER_OF", "recruiter", "DOE")
        employer = self.org(_SCENARIOS[etype][3], gz.country_of(exp_loc))
        self.affiliate(exploiters[0], employer, "DIRECTS", "director", src_e)
        for e in exploiters[1:]:
            self.affiliate(e, employer, "EMPLOYED_BY", rng.choice(["manager", "supervisor", "skipper"]), src_e)
        self.involve(employer, exp_case, "employer")
        self.vehicle(brokers[0], exp_case, opened, src_e)
        for p in recruiters + exploiters + brokers:
            if rng.random() < 0.5:
                self.account(p, "", "THA", src_e)
        # victims (journeys end at the exploiters' place)
        for _ in range(rng.randint(4, 7)):
            v = self.person(vic_nat, "F" if etype == "sexual" else rng.choice("MMF"), src_e, "victim",
                            home_rec)["id"]
            self.involve(v, exp_case, "victim")
            self.involve(v, rec_case, "victim")
            self.journey(v, exp_case, etype, vic_nat, opened + dt.timedelta(days=5), force_complete=False)
        self.networks.append({"id": bn, "members": recruiters + exploiters + brokers, "brokers": brokers,
                              "case_ids": [rec_case, exp_case], "_exploiters": exploiters})

    # ------------------------------------------------------------ laundering
    def launder(self, kind: str, k: int) -> None:
        rng = self.rng
        net = self.networks[k % len(self.networks)] if self.networks else None
        shell = self.org("shell_company")
        if net:
            self.affiliate(net["_exploiters"][0], shell, "DIRECTS", "director", "AMLO")
        hub, _ = self.account(shell, "", thb=True)
        t0 = dt.datetime.combine(self.day(dt.date(2017, 1, 1), _DAYS - 800), dt.time(9, rng.randrange(60)))

        def fresh(n: int) -> list[str]:
            return [self.account(None, self._name(rng.choice(["THA", "MMR", "LAO", "KHM"]), "M")["full_latin"],
                                 thb=True)[0] for _ in range(n)]

        def step(h: float) -> dt.datetime:
            return t0 + dt.timedelta(hours=h)

        txns: list[str] = []
        accounts: list[str] = [hub]
        total = 0.0
        if kind in ("fan_in", "fan_out"):
            others = fresh(rng.randint(6, 8))
            for i, o in enumerate(others):
                amt = round(rng.uniform(30_000, 250_000), 2)
                total += amt
                a, b = (o, hub) if kind == "fan_in" else (hub, o)
                txns.append(self.transfer(a, b, amt, "THB", step(i * rng.uniform(1, 7))))
            accounts += others
        elif kind == "scatter_gather":
            mids, dest = fresh(rng.randint(3, 5)), fresh(1)[0]
            for i, m in enumerate(mids):
                amt = round(rng.uniform(200_000, 900_000), 2)
                total += amt
                txns.append(self.transfer(hub, m, amt, "THB", step(i)))
                txns.append(self.transfer(m, dest, round(amt * 0.98, 2), "THB", step(i + 6 + rng.uniform(0, 20))))
            accounts += mids + [dest]
        elif kind == "gather_scatter":
            ins, outs = fresh(rng.randint(3, 4)), fresh(rng.randint(3, 4))
            for i, a in enumerate(ins):
                amt = round(rng.uniform(100_000, 500_000), 2)
                total += amt
                txns.append(self.transfer(a, hub, amt, "THB", step(i * 2)))
            for i, b in enumerate(outs):
                txns.append(self.transfer(hub, b, round(total / len(outs) * 0.97, 2), "THB", step(12 + i * 3)))
            accounts += ins + outs
        elif kind == "cycle":
            ring = [hub] + fresh(rng.randint(2, 5))
            amt = round(rng.uniform(300_000, 3_000_000), 2)
            total = amt
            h = 0.0
            for i, a in enumerate(ring):
                h += rng.uniform(2, 20)  # a ring of ≤ 6 closes within 5 days
                txns.append(self.transfer(a, ring[(i + 1) % len(ring)], amt, "THB", step(h)))
                amt = round(amt * rng.uniform(0.95, 0.995), 2)
            accounts = ring
        elif kind == "pass_through":
            sender, receiver = fresh(2)
            for i in range(rng.randint(2, 3)):
                amt = round(rng.uniform(100_000, 1_500_000), 2)
                total += amt
                base = i * 24 * rng.randint(3, 10)
                txns.append(self.transfer(sender, hub, amt, "THB", step(base)))
                txns.append(self.transfer(hub, receiver, round(amt * rng.uniform(0.92, 0.99), 2), "THB",
                                          step(base + rng.uniform(0.5, 20))))
            accounts += [sender, receiver]
        elif kind == "structuring":
            dests = fresh(rng.randint(1, 2))
            for i in range(rng.randint(3, 5)):
                amt = round(rng.uniform(0.81, 0.99) * STRUCTURING_THRESHOLD, 2)
                total += amt
                txns.append(self.transfer(hub, rng.choice(dests), amt, "THB", step(i * rng.uniform(20, 38))))
            accounts += dests
        if net:  # AMLO opens a money-laundering file on the director of the shell company
            case = self.case("AMLO", "money_laundering", "TH-10", t0.date() + dt.timedelta(days=rng.randint(30, 300)))
            self.involve(net["_exploiters"][0], case, "financier")
            self.involve(shell, case, "suspect")
        self.laundering.append({"kind": kind, "accounts": accounts, "transfers": txns, "amount": round(total, 2)})

    # ------------------------------------------------------------ background
    def background(self) -> None:
        rng = self.rng
        etype = _weighted(rng, [(k, v[0]) for k, v in _SCENARIOS.items()])
        _, nats, p_male, okind = _SCENARIOS[etype]
        vic_nat = _weighted(rng, nats)
        tmpl = rng.choice(_ROUTES[(etype, vic_nat)])
        exp_loc = rng.choice(tmpl[2])
        agency = _weighted(rng, _CASE_AGENCY_WEIGHTS)
        opened = self.day()
        cid = self.case(agency, etype, exp_loc, opened)
        budget = self.left()
        n_sus = min(budget, rng.randint(1, 3))
        people: list[dict[str, Any]] = []
        sus_roles = ["suspect", "recruiter", "transporter", "harbourer", "employer", "financier"]
        for _ in range(n_sus):
            nat = rng.choice(["THA", "THA", "THA", vic_nat])
            p = self.person(nat, "M" if rng.random() < 0.75 else "F", agency, "suspect",
                            exp_loc if gz.country_of(exp_loc) == nat else None, alias=rng.random() < 0.4)
            role = rng.choice(sus_roles)
            self.involve(p["id"], cid, role)
            people.append(p)
        sus_ids = [p["id"] for p in people]
        for i, a in enumerate(sus_ids):
            for c in sus_ids[i + 1:]:
                if rng.random() < 0.6:
                    self.associate(a, c, rng.choice(["associate", "contact", "family", "partner"]), agency, opened)
        victims: list[dict[str, Any]] = []
        for _ in range(min(self.left(), rng.randint(1, 6))):
            home = tmpl[0][0] if gz.country_of(tmpl[0][0]) == vic_nat else None
            v = self.person(vic_nat, "M" if rng.random() < p_male else "F", agency, "victim", home)
            self.involve(v["id"], cid, "victim")
            victims.append(v)
            if rng.random() < 0.85:
                self.journey(v["id"], cid, etype, vic_nat, opened)
        if len(victims) >= 2 and rng.random() < 0.3:
            self.associate(victims[0]["id"], victims[1]["id"], "family", agency, opened)
        if self.left() > 0 and rng.random() < 0.25:
            w = self.person("THA", rng.choice("MF"), agency, "witness", exp_loc if exp_loc.startswith("TH") else None)
            self.involve(w["id"], cid, "witness")
        # the same people recorded again by other agencies
        for p in people + victims:
            if self.left() > 0 and rng.random() < 0.06:
                self.duplicate(p, cid, "victim" if p["role"] == "victim" else "suspect")
        if people and rng.random() < 0.5:
            org = self.org(okind, gz.country_of(exp_loc))
            self.affiliate(people[0]["id"], org, rng.choice(["DIRECTS", "EMPLOYED_BY", "MEMBER_OF"]),
                           "owner", agency)
            for v in victims[:3]:
                self.affiliate(v["id"], org, "EMPLOYED_BY", "worker", agency)
            if rng.random() < 0.4:
                self.involve(org, cid, "employer")
        if people and rng.random() < 0.35:
            self.vehicle(people[0]["id"], cid, opened, agency)
        # accounts and sparse background transfers
        for p in people + victims[:2]:
            if rng.random() < 0.6:
                acc = self.account(p["id"], p["name"]["full_latin"], p["nat"], "AMLO" if rng.random() < 0.3 else agency)
                self.noise_pool.append(acc)
        n_noise = rng.randint(0, 3)
        for _ in range(n_noise):
            if len(self.noise_pool) < 10:
                break
            a, b = rng.sample(list(self.noise_pool), 2)
            if a[1] != b[1]:
                continue
            at = dt.datetime.combine(self.day(), dt.time(rng.randrange(24), rng.randrange(60)))
            amt = round(min(rng.lognormvariate(8.5, 1.2), 400_000.0), 2) if a[1] == "THB" else round(
                rng.uniform(50, 5000) * (1000 if a[1] in ("MMK", "LAK", "KHR", "VND") else 1), 2)
            self.transfer(a[0], b[0], amt, a[1], at, "AMLO")

    # ------------------------------------------------------------ driver
    def run(self) -> dict[str, Any]:
        for r in gz.LOCATIONS:
            self.b.row("locations", r)
        n_bn = max(2, min(500, self.target // 300))
        for k in range(n_bn):
            if self.left() < 25:
                break
            self.network(k)
        per_kind = max(1, min(300, self.target // 1500))
        for k in range(per_kind):
            for kind in TYPOLOGIES:
                self.launder(kind, k * len(TYPOLOGIES) + TYPOLOGIES.index(kind))
        while self.left() > 0:
            self.background()
        if self.progress and self.n_persons > self._reported:
            self.progress(self.n_persons - self._reported)
        justice = self.justice()
        self.b.close()
        ranked = sorted(self.corr_victims.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][2], list(kv[0][1])))
        corridors = [{"source": s, "transit": list(t), "destination": d, "victims": n,
                      "cases": len(self.corr_cases[(s, t, d)])}
                     for (s, t, d), n in ranked]
        nodes = {label: self.b.nodes.get(label, 0) for label in (n.label for n in NODES)}
        # every relationship type of the model, as `netintel stats` reports them (SAME_AS is
        # created by entity resolution, not by ingest, so a freshly loaded bundle has none)
        rels = {t: self.b.rels.get(t, 0) for t in REL_TYPES}
        return {
            "version": 1,
            "counts": {"nodes": nodes, "relationships": rels},
            "brokers": self.brokers,
            "broker_networks": [{k: v for k, v in n.items() if not k.startswith("_")} for n in self.networks],
            "routes": self.routes,
            "corridors": corridors,
            "laundering": self.laundering,
            "duplicates": self.duplicates,
            **justice,
        }

    def justice(self) -> dict[str, Any]:
        """Prosecution and victim-assistance histories of the cases written so far
        (:mod:`ingest.justice_gen`), and their truth."""
        from .justice_gen import plant_justice

        for fh in self.b.fh.values():
            fh.flush()
        return plant_justice(self.out, self.b, self.seed)


def generate_bundle(out: Path | str, seed: int = 42, persons: int = 1000,
                    progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write a synthetic bundle (one CSV per table) and ``truth.json`` into ``out``.

    Parameters
    ----------
    out : Path or str
        Folder to write to (created if needed; existing table files are overwritten).
    seed : int
        Random seed; the same seed and size give byte-identical files.
    persons : int
        Exact number of rows of ``persons.csv`` (duplicates included).
    progress : callable, optional
        Called with the number of person rows written since the previous call.

    Returns
    -------
    dict
        The truth (also written to ``out/truth.json``): ``seed, persons,
        version, counts, brokers, broker_networks, routes, corridors,
        laundering, duplicates``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     truth = generate_bundle(d, seed=1, persons=300)
    >>> truth["counts"]["nodes"]["Person"]
    300
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    out = Path(out)
    gen = _Gen(out, seed, persons, progress)
    body = gen.run()
    truth = {"seed": seed, "persons": persons, **body}
    with (out / "truth.json").open("w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return truth


# ---------------------------------------------------------------- agencies' own layouts
#: netintel codes → the codes of the agency layouts shipped in ``ingest/mappings``
_RTP_STATUS = {"open": "1", "investigation": "2", "prosecution": "3", "trial": "4", "closed": "5",
               "convicted": "6", "acquitted": "7"}
_RTP_EXPLOITATION = {"sexual": "ค้าประเวณี", "forced_labour": "แรงงานบังคับ", "fishing": "ประมง",
                     "domestic_servitude": "งานบ้าน", "begging": "ขอทาน", "forced_marriage": "บังคับแต่งงาน",
                     "forced_criminality": "บังคับกระทำความผิด", "organ_removal": "อื่นๆ", "other": "อื่นๆ"}
_RTP_ROLE = {"suspect": "ผู้ต้องหา", "victim": "ผู้เสียหาย", "witness": "พยาน", "recruiter": "ผู้จัดหา",
             "transporter": "ผู้ขนส่ง", "broker": "นายหน้า", "harbourer": "ผู้ให้ที่พักพิง",
             "financier": "ผู้สนับสนุนทางการเงิน", "employer": "นายจ้าง", "official": "เจ้าหน้าที่รัฐ",
             "other": "อื่นๆ"}
_RTP_NATIONALITY = {"THA": "ไทย", "MMR": "เมียนมา", "LAO": "ลาว", "KHM": "กัมพูชา", "VNM": "เวียดนาม",
                    "CHN": "จีน", "MYS": "มาเลเซีย"}
_RTP_SEX = {"M": "ชาย", "F": "หญิง", "X": "ไม่ระบุ"}
_AMLO_CHANNEL = {"branch": "1", "atm": "2", "internet_banking": "3", "mobile_banking": "4",
                 "cash_deposit": "5", "promptpay": "6"}
RTP_REGISTER_COLUMNS = ("ลำดับ", "เลขคดี", "สถานีตำรวจ", "วันที่รับแจ้ง", "จังหวัด", "ข้อหา",
                        "ลักษณะการแสวงประโยชน์", "สถานะคดี", "ชื่อ-สกุล", "เลขประจำตัวประชาชน",
                        "เลขหนังสือเดินทาง", "สัญชาติ", "เพศ", "วันเกิด", "ฐานะในคดี", "โทรศัพท์", "หมายเหตุ")
AMLO_REPORT_COLUMNS = ("เลขที่รายงาน", "วันเวลาที่ทำธุรกรรม", "ประเภทธุรกรรม", "ช่องทาง",
                       "ธนาคารผู้โอน", "เลขที่บัญชีผู้โอน", "ชื่อบัญชีผู้โอน",
                       "ธนาคารผู้รับโอน", "เลขที่บัญชีผู้รับโอน", "ชื่อบัญชีผู้รับโอน",
                       "จำนวนเงิน", "สกุลเงิน", "หมายเหตุ")


def _be_date(text: str) -> str:
    """A bundle's date (any accepted form) → ``15/01/2567`` (day/month/Buddhist-era year,
    as Thai registers write it)."""
    from core.rules import parse_date

    if not text.strip():
        return ""
    d = parse_date(text)
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def _be_datetime(text: str) -> str:
    """A bundle's date-time → ``15/01/2567 10:30`` (Bangkok time)."""
    from ingest.normalise import parse_datetime

    t = parse_datetime(text).astimezone(dt.timezone(dt.timedelta(hours=7)))
    return f"{t.day:02d}/{t.month:02d}/{t.year + 543} {t.hour:02d}:{t.minute:02d}"


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def generate_agency_files(bundle: Path | str, out: Path | str, limit: int | None = None) -> dict[str, Any]:
    """Write a bundle's cases and transfers again in two agencies' own layouts.

    * ``rtp_case_register.xlsx``: the police's case register — one row per
      person of a case (Thai headers, Buddhist-era dates, the register's
      status and role codes); loads with ``ingest/mappings/rtp_case_register.yml``.
    * ``amlo_transaction_report.csv``: AMLO's transaction report — one row per
      transfer with both accounts (Buddhist-era date and time, amounts with
      thousands separators, channel codes); loads with
      ``ingest/mappings/amlo_transaction_report.yml``.

    Returns the counts a load of the two files through their mappings gives
    (``{"rtp": {...}, "amlo": {...}}``), also written to ``agency_truth.json``.
    """
    import openpyxl

    bundle, out = Path(bundle), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cases = {r["id"]: r for r in _read_rows(bundle / "cases.csv")}
    persons = {r["id"]: r for r in _read_rows(bundle / "persons.csv")}
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("ทะเบียนคดี")
    ws.append(list(RTP_REGISTER_COLUMNS))
    per_case: dict[str, int] = {}
    n_rows = 0
    for inv in _read_rows(bundle / "involvements.csv"):
        p, c = persons.get(inv["party_id"]), cases.get(inv["case_id"])
        if p is None or c is None:
            continue
        per_case[c["case_number"]] = per_case.get(c["case_number"], 0) + 1
        ws.append([str(per_case[c["case_number"]]), c["case_number"], f"สภ.{c['province'] or 'เมือง'}",
                   _be_date(c["opened_on"]), c["province"], c["offence"],
                   _RTP_EXPLOITATION.get(c["exploitation_type"], ""), _RTP_STATUS.get(c["status"], ""),
                   p["full_name"] or p["full_name_latin"], p["national_id"], p["passport_no"],
                   _RTP_NATIONALITY.get(p["nationality"], p["nationality"]), _RTP_SEX.get(p["sex"], ""),
                   _be_date(p["birth_date"]), _RTP_ROLE[inv["role"]], p["phones"].split(";")[0], ""])
        n_rows += 1
        if limit and n_rows >= limit:
            break
    wb.save(out / "rtp_case_register.xlsx")
    accounts = {r["id"]: r for r in _read_rows(bundle / "accounts.csv")}
    holder: dict[tuple[str, str], str] = {}  # one name per account, as AMLO's register keeps it
    n_tx = 0
    with (out / "amlo_transaction_report.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(AMLO_REPORT_COLUMNS)
        for t in _read_rows(bundle / "transfers.csv"):
            a, b = accounts.get(t["from_account"]), accounts.get(t["to_account"])
            if a is None or b is None:
                continue
            n_tx += 1
            ha = holder.setdefault((a["bank_code"], a["account_number"]), a["holder_name"])
            hb = holder.setdefault((b["bank_code"], b["account_number"]), b["holder_name"])
            w.writerow([t["txn_id"], _be_datetime(t["at"]), "01", _AMLO_CHANNEL.get(t["channel"], "1"),
                        a["bank_code"], a["account_number"], ha,
                        b["bank_code"], b["account_number"], hb,
                        f"{float(t['amount']):,.2f}", t["currency"], ""])
            if limit and n_tx >= limit:
                break
    truth = {"rtp": {"Case": len(per_case), "Person": n_rows, "INVOLVED_IN": n_rows},
             "amlo": {"BankAccount": len(holder), "TRANSFERRED": n_tx}}
    (out / "agency_truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth

"""Reference locations: countries, provinces, cities, border crossings, ports.

Real places of the Mekong / Thailand trafficking geography with approximate
(≈0.05–0.1°) centroids.  Ids follow the shared conventions: countries are
ISO 3166-1 alpha-3 (``THA``), provinces/states ISO 3166-2 (``TH-74``),
border crossings ``BC-...``, ports ``PORT-...`` and cities ``CITY-...``
(Pattaya keeps its ISO 3166-2 code ``TH-S``).  Every row has a ``parent_id``
(→ ``LOCATED_IN``) except countries.

In each row ``iso3`` / ``iso2`` are the codes of the *country* the place is in
(so ``iso3`` is an index on country for every location).

:data:`LOCATIONS` holds rows in the ``locations`` table format of
:mod:`graph.model` (``source`` = ``GAZ``); helpers answer which country a
location is in and what encloses it.
"""

from __future__ import annotations

__all__ = [
    "LOCATIONS",
    "COUNTRY_ISO2",
    "location",
    "country_of",
    "parent_of",
    "ancestors",
    "province_of",
    "by_kind",
    "in_country",
    "BORDER_CROSSINGS",
]

# id -> (alpha-2, English name, Thai name, lat, lon)
_COUNTRIES: dict[str, tuple[str, str, str, float, float]] = {
    "THA": ("TH", "Thailand", "ไทย", 15.87, 100.99),
    "MMR": ("MM", "Myanmar", "เมียนมา", 21.91, 95.96),
    "LAO": ("LA", "Lao PDR", "ลาว", 19.86, 102.50),
    "KHM": ("KH", "Cambodia", "กัมพูชา", 12.57, 104.99),
    "MYS": ("MY", "Malaysia", "มาเลเซีย", 4.21, 101.98),
    "VNM": ("VN", "Viet Nam", "เวียดนาม", 14.06, 108.28),
    "CHN": ("CN", "China", "จีน", 35.86, 104.20),
    "IDN": ("ID", "Indonesia", "อินโดนีเซีย", -0.79, 113.92),
    "JPN": ("JP", "Japan", "ญี่ปุ่น", 36.20, 138.25),
    "KOR": ("KR", "Republic of Korea", "เกาหลีใต้", 35.91, 127.77),
    "TWN": ("TW", "Taiwan", "ไต้หวัน", 23.70, 120.96),
    "ARE": ("AE", "United Arab Emirates", "สหรัฐอาหรับเอมิเรตส์", 23.42, 53.85),
}

COUNTRY_ISO2: dict[str, str] = {k: v[0] for k, v in _COUNTRIES.items()}

# (id, kind, English, Thai, lat, lon, parent)
_PLACES: list[tuple[str, str, str, str, float, float, str]] = [
    # --- Thailand: provinces (ISO 3166-2) ---
    ("TH-10", "province", "Bangkok", "กรุงเทพมหานคร", 13.75, 100.50, "THA"),
    ("TH-11", "province", "Samut Prakan", "สมุทรปราการ", 13.60, 100.60, "THA"),
    ("TH-12", "province", "Nonthaburi", "นนทบุรี", 13.86, 100.51, "THA"),
    ("TH-13", "province", "Pathum Thani", "ปทุมธานี", 14.02, 100.53, "THA"),
    ("TH-14", "province", "Phra Nakhon Si Ayutthaya", "พระนครศรีอยุธยา", 14.35, 100.57, "THA"),
    ("TH-20", "province", "Chon Buri", "ชลบุรี", 13.36, 100.98, "THA"),
    ("TH-21", "province", "Rayong", "ระยอง", 12.68, 101.28, "THA"),
    ("TH-22", "province", "Chanthaburi", "จันทบุรี", 12.61, 102.10, "THA"),
    ("TH-23", "province", "Trat", "ตราด", 12.24, 102.52, "THA"),
    ("TH-24", "province", "Chachoengsao", "ฉะเชิงเทรา", 13.69, 101.07, "THA"),
    ("TH-27", "province", "Sa Kaeo", "สระแก้ว", 13.82, 102.07, "THA"),
    ("TH-30", "province", "Nakhon Ratchasima", "นครราชสีมา", 14.97, 102.10, "THA"),
    ("TH-31", "province", "Buri Ram", "บุรีรัมย์", 14.99, 103.10, "THA"),
    ("TH-32", "province", "Surin", "สุรินทร์", 14.88, 103.49, "THA"),
    ("TH-33", "province", "Si Sa Ket", "ศรีสะเกษ", 15.12, 104.32, "THA"),
    ("TH-34", "province", "Ubon Ratchathani", "อุบลราชธานี", 15.24, 104.85, "THA"),
    ("TH-38", "province", "Bueng Kan", "บึงกาฬ", 18.36, 103.65, "THA"),
    ("TH-40", "province", "Khon Kaen", "ขอนแก่น", 16.44, 102.83, "THA"),
    ("TH-41", "province", "Udon Thani", "อุดรธานี", 17.41, 102.79, "THA"),
    ("TH-43", "province", "Nong Khai", "หนองคาย", 17.88, 102.74, "THA"),
    ("TH-48", "province", "Nakhon Phanom", "นครพนม", 17.41, 104.78, "THA"),
    ("TH-49", "province", "Mukdahan", "มุกดาหาร", 16.54, 104.72, "THA"),
    ("TH-50", "province", "Chiang Mai", "เชียงใหม่", 18.79, 98.98, "THA"),
    ("TH-57", "province", "Chiang Rai", "เชียงราย", 19.91, 99.83, "THA"),
    ("TH-58", "province", "Mae Hong Son", "แม่ฮ่องสอน", 19.30, 97.97, "THA"),
    ("TH-63", "province", "Tak", "ตาก", 16.88, 99.13, "THA"),
    ("TH-65", "province", "Phitsanulok", "พิษณุโลก", 16.82, 100.26, "THA"),
    ("TH-70", "province", "Ratchaburi", "ราชบุรี", 13.54, 99.82, "THA"),
    ("TH-71", "province", "Kanchanaburi", "กาญจนบุรี", 14.02, 99.53, "THA"),
    ("TH-74", "province", "Samut Sakhon", "สมุทรสาคร", 13.55, 100.27, "THA"),
    ("TH-75", "province", "Samut Songkhram", "สมุทรสงคราม", 13.41, 100.00, "THA"),
    ("TH-77", "province", "Prachuap Khiri Khan", "ประจวบคีรีขันธ์", 11.81, 99.80, "THA"),
    ("TH-80", "province", "Nakhon Si Thammarat", "นครศรีธรรมราช", 8.43, 99.96, "THA"),
    ("TH-83", "province", "Phuket", "ภูเก็ต", 7.88, 98.39, "THA"),
    ("TH-84", "province", "Surat Thani", "สุราษฎร์ธานี", 9.14, 99.33, "THA"),
    ("TH-85", "province", "Ranong", "ระนอง", 9.96, 98.64, "THA"),
    ("TH-86", "province", "Chumphon", "ชุมพร", 10.49, 99.18, "THA"),
    ("TH-90", "province", "Songkhla", "สงขลา", 7.19, 100.60, "THA"),
    ("TH-91", "province", "Satun", "สตูล", 6.62, 100.07, "THA"),
    ("TH-92", "province", "Trang", "ตรัง", 7.56, 99.61, "THA"),
    ("TH-94", "province", "Pattani", "ปัตตานี", 6.87, 101.25, "THA"),
    ("TH-95", "province", "Yala", "ยะลา", 6.54, 101.28, "THA"),
    ("TH-96", "province", "Narathiwat", "นราธิวาส", 6.43, 101.82, "THA"),
    ("TH-S", "city", "Pattaya", "พัทยา", 12.93, 100.88, "TH-20"),
    # --- Myanmar: states and regions ---
    ("MM-01", "province", "Sagaing", "สะกาย", 21.88, 95.98, "MMR"),
    ("MM-02", "province", "Bago", "พะโค", 17.34, 96.48, "MMR"),
    ("MM-03", "province", "Magway", "มะกเว", 20.15, 94.93, "MMR"),
    ("MM-04", "province", "Mandalay", "มัณฑะเลย์", 21.97, 96.08, "MMR"),
    ("MM-05", "province", "Tanintharyi", "ตะนาวศรี", 12.47, 98.90, "MMR"),
    ("MM-06", "province", "Yangon", "ย่างกุ้ง", 16.87, 96.20, "MMR"),
    ("MM-07", "province", "Ayeyarwady", "อิรวดี", 16.78, 94.73, "MMR"),
    ("MM-11", "province", "Kachin", "คะฉิ่น", 25.38, 97.40, "MMR"),
    ("MM-13", "province", "Kayin", "กะเหรี่ยง", 16.89, 97.63, "MMR"),
    ("MM-15", "province", "Mon", "มอญ", 16.49, 97.63, "MMR"),
    ("MM-16", "province", "Rakhine", "ยะไข่", 20.15, 92.90, "MMR"),
    ("MM-17", "province", "Shan", "ฉาน", 21.00, 97.50, "MMR"),
    ("CITY-MYAWADDY", "city", "Myawaddy", "เมียวดี", 16.69, 98.51, "MM-13"),
    ("CITY-SHWEKOKKO", "city", "Shwe Kokko", "ชเวโก๊กโก่", 16.84, 98.52, "MM-13"),
    ("CITY-KKPARK", "other", "KK Park (Myawaddy)", "เคเคพาร์ค", 16.59, 98.56, "MM-13"),
    ("CITY-TACHILEIK", "city", "Tachileik", "ท่าขี้เหล็ก", 20.45, 99.88, "MM-17"),
    ("CITY-KAWTHAUNG", "city", "Kawthaung", "เกาะสอง", 9.98, 98.55, "MM-05"),
    # --- Lao PDR: provinces ---
    ("LA-VT", "province", "Vientiane Capital", "นครหลวงเวียงจันทน์", 17.97, 102.60, "LAO"),
    ("LA-VI", "province", "Vientiane Province", "แขวงเวียงจันทน์", 18.92, 102.45, "LAO"),
    ("LA-SV", "province", "Savannakhet", "สะหวันนะเขต", 16.55, 104.75, "LAO"),
    ("LA-CH", "province", "Champasak", "จำปาศักดิ์", 15.12, 105.80, "LAO"),
    ("LA-BK", "province", "Bokeo", "บ่อแก้ว", 20.29, 100.41, "LAO"),
    ("LA-LP", "province", "Luang Prabang", "หลวงพระบาง", 19.89, 102.14, "LAO"),
    ("LA-KH", "province", "Khammouane", "คำม่วน", 17.40, 104.83, "LAO"),
    ("LA-SL", "province", "Salavan", "สาละวัน", 15.72, 106.42, "LAO"),
    ("LA-BL", "province", "Bolikhamxai", "บอลิคำไซ", 18.38, 103.66, "LAO"),
    ("CITY-GTSEZ", "other", "Golden Triangle Special Economic Zone", "เขตเศรษฐกิจพิเศษสามเหลี่ยมทองคำ",
     20.35, 100.10, "LA-BK"),
    # --- Cambodia: provinces ---
    ("KH-1", "province", "Banteay Meanchey", "บันทายมีชัย", 13.59, 102.97, "KHM"),
    ("KH-2", "province", "Battambang", "พระตะบอง", 13.10, 103.20, "KHM"),
    ("KH-9", "province", "Koh Kong", "เกาะกง", 11.62, 102.98, "KHM"),
    ("KH-12", "province", "Phnom Penh", "พนมเปญ", 11.56, 104.92, "KHM"),
    ("KH-17", "province", "Siem Reap", "เสียมราฐ", 13.36, 103.86, "KHM"),
    ("KH-18", "province", "Preah Sihanouk", "พระสีหนุ", 10.63, 103.52, "KHM"),
    ("KH-20", "province", "Svay Rieng", "สวายเรียง", 11.09, 105.80, "KHM"),
    ("KH-22", "province", "Oddar Meanchey", "อุดรมีชัย", 14.18, 103.52, "KHM"),
    ("KH-24", "province", "Pailin", "ไพลิน", 12.85, 102.61, "KHM"),
    ("CITY-POIPET", "city", "Poipet", "ปอยเปต", 13.66, 102.56, "KH-1"),
    ("CITY-SIHANOUKVILLE", "city", "Sihanoukville", "สีหนุวิลล์", 10.63, 103.51, "KH-18"),
    ("CITY-BAVET", "city", "Bavet", "บาเวต", 11.07, 106.13, "KH-20"),
    # --- Malaysia ---
    ("MY-01", "province", "Johor", "ยะโฮร์", 1.93, 103.36, "MYS"),
    ("MY-02", "province", "Kedah", "เกดะห์", 6.12, 100.37, "MYS"),
    ("MY-07", "province", "Penang", "ปีนัง", 5.41, 100.33, "MYS"),
    ("MY-09", "province", "Perlis", "เปอร์ลิส", 6.44, 100.20, "MYS"),
    ("MY-10", "province", "Selangor", "สลังงอร์", 3.07, 101.52, "MYS"),
    ("MY-14", "province", "Kuala Lumpur", "กัวลาลัมเปอร์", 3.14, 101.69, "MYS"),
    # --- Viet Nam, China, Indonesia (a few places) ---
    ("CITY-HANOI", "city", "Ha Noi", "ฮานอย", 21.03, 105.85, "VNM"),
    ("CITY-HCMC", "city", "Ho Chi Minh City", "โฮจิมินห์", 10.82, 106.63, "VNM"),
    ("CITY-KUNMING", "city", "Kunming", "คุนหมิง", 25.04, 102.71, "CHN"),
    ("PORT-BENJINA", "port", "Benjina (Aru Islands)", "เบนจินา", -6.07, 134.28, "IDN"),
    ("PORT-AMBON", "port", "Ambon", "อัมบน", -3.69, 128.18, "IDN"),
    # --- destinations overseas ---
    ("CITY-TOKYO", "city", "Tokyo", "โตเกียว", 35.68, 139.69, "JPN"),
    ("CITY-SEOUL", "city", "Seoul", "โซล", 37.57, 126.98, "KOR"),
    ("CITY-TAIPEI", "city", "Taipei", "ไทเป", 25.03, 121.57, "TWN"),
    ("CITY-DUBAI", "city", "Dubai", "ดูไบ", 25.20, 55.27, "ARE"),
    # --- border crossings (Thai side) ---
    ("BC-MAESOT-MYAWADDY", "border_crossing", "Mae Sot – Myawaddy Friendship Bridge",
     "ด่านพรมแดนแม่สอด", 16.70, 98.52, "TH-63"),
    ("BC-MAESAI-TACHILEIK", "border_crossing", "Mae Sai – Tachileik", "ด่านพรมแดนแม่สาย", 20.45, 99.88, "TH-57"),
    ("BC-RANONG-KAWTHAUNG", "border_crossing", "Ranong – Kawthaung", "ด่านระนอง", 9.97, 98.58, "TH-85"),
    ("BC-ARANYAPRATHET-POIPET", "border_crossing", "Aranyaprathet – Poipet (Ban Khlong Luek)",
     "ด่านพรมแดนบ้านคลองลึก อรัญประเทศ", 13.66, 102.55, "TH-27"),
    ("BC-NONGKHAI-VIENTIANE", "border_crossing", "Nong Khai – First Thai–Lao Friendship Bridge",
     "ด่านสะพานมิตรภาพไทย-ลาว หนองคาย", 17.88, 102.72, "TH-43"),
    ("BC-MUKDAHAN-SAVANNAKHET", "border_crossing", "Mukdahan – Savannakhet (Second Friendship Bridge)",
     "ด่านสะพานมิตรภาพ 2 มุกดาหาร", 16.60, 104.74, "TH-49"),
    ("BC-NAKHONPHANOM-THAKHEK", "border_crossing", "Nakhon Phanom – Thakhek (Third Friendship Bridge)",
     "ด่านสะพานมิตรภาพ 3 นครพนม", 17.48, 104.74, "TH-48"),
    ("BC-CHIANGKHONG-HUAYXAI", "border_crossing", "Chiang Khong – Huay Xai (Fourth Friendship Bridge)",
     "ด่านสะพานมิตรภาพ 4 เชียงของ", 20.23, 100.45, "TH-57"),
    ("BC-SADAO-BUKITKAYUHITAM", "border_crossing", "Sadao – Bukit Kayu Hitam", "ด่านสะเดา", 6.53, 100.42, "TH-90"),
    ("BC-KHLONGYAI-CHAMYEAM", "border_crossing", "Khlong Yai (Hat Lek) – Cham Yeam", "ด่านหาดเล็ก คลองใหญ่",
     11.65, 102.91, "TH-23"),
    ("BC-SANGKHLABURI-PAYATHONZU", "border_crossing", "Three Pagodas Pass (Sangkhla Buri – Payathonzu)",
     "ด่านเจดีย์สามองค์", 15.30, 98.40, "TH-71"),
    ("BC-SUNGAIKOLOK-RANTAUPANJANG", "border_crossing", "Sungai Kolok – Rantau Panjang", "ด่านสุไหงโก-ลก",
     6.03, 101.97, "TH-96"),
    # --- ports ---
    ("PORT-MAHACHAI", "port", "Mahachai fishing port (Samut Sakhon)", "ท่าเรือประมงมหาชัย", 13.54, 100.28, "TH-74"),
    ("PORT-SONGKHLA", "port", "Songkhla fishing port", "ท่าเทียบเรือประมงสงขลา", 7.21, 100.59, "TH-90"),
    ("PORT-RANONG", "port", "Ranong fishing port", "ท่าเทียบเรือประมงระนอง", 9.95, 98.60, "TH-85"),
    ("PORT-PATTANI", "port", "Pattani fishing port", "ท่าเทียบเรือประมงปัตตานี", 6.88, 101.28, "TH-94"),
    ("PORT-LAEMCHABANG", "port", "Laem Chabang", "ท่าเรือแหลมฉบัง", 13.08, 100.88, "TH-20"),
    ("PORT-KANTANG", "port", "Kantang port (Trang)", "ท่าเรือกันตัง", 7.40, 99.51, "TH-92"),
    ("PORT-SIHANOUKVILLE", "port", "Sihanoukville Autonomous Port", "ท่าเรือสีหนุวิลล์", 10.64, 103.50, "KH-18"),
    ("PORT-KAWTHAUNG", "port", "Kawthaung jetty", "ท่าเรือเกาะสอง", 9.98, 98.54, "MM-05"),
]

BORDER_CROSSINGS: tuple[str, ...] = tuple(p[0] for p in _PLACES if p[1] == "border_crossing")


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for cid, (a2, name, th, lat, lon) in _COUNTRIES.items():
        rows.append({"id": cid, "source": "GAZ", "source_record_id": cid, "kind": "country", "name": name,
                     "name_th": th, "iso2": a2, "iso3": cid, "lat": f"{lat:.2f}", "lon": f"{lon:.2f}",
                     "parent_id": ""})
    parents = {p[0]: p[6] for p in _PLACES}
    for pid, kind, name, th, lat, lon, parent in _PLACES:
        country = parent
        while country not in _COUNTRIES:
            country = parents[country]
        rows.append({"id": pid, "source": "GAZ", "source_record_id": pid, "kind": kind, "name": name,
                     "name_th": th, "iso2": COUNTRY_ISO2[country], "iso3": country,
                     "lat": f"{lat:.2f}", "lon": f"{lon:.2f}", "parent_id": parent})
    return rows


#: Rows in the ``locations`` table format (source ``GAZ``, source_record_id = id).
LOCATIONS: list[dict[str, str]] = _rows()
_BY_ID: dict[str, dict[str, str]] = {r["id"]: r for r in LOCATIONS}


def location(location_id: str) -> dict[str, str]:
    """The gazetteer row of a location id (KeyError if unknown).

    Examples
    --------
    >>> location("TH-74")["name"]
    'Samut Sakhon'
    """
    return _BY_ID[location_id]


def parent_of(location_id: str) -> str | None:
    """The enclosing location id, or None for a country."""
    return _BY_ID[location_id]["parent_id"] or None


def ancestors(location_id: str) -> list[str]:
    """Enclosing location ids, nearest first, ending with the country.

    Examples
    --------
    >>> ancestors("BC-MAESOT-MYAWADDY")
    ['TH-63', 'THA']
    """
    out: list[str] = []
    p = parent_of(location_id)
    while p is not None:
        out.append(p)
        p = parent_of(p)
    return out



def country_of(location_id: str) -> str:
    """ISO alpha-3 code of the country a location is in (a country is its own).

    Examples
    --------
    >>> country_of("CITY-MYAWADDY"), country_of("BC-MAESOT-MYAWADDY"), country_of("KHM")
    ('MMR', 'THA', 'KHM')
    """
    return _BY_ID[location_id]["iso3"]


def province_of(location_id: str) -> str | None:
    """The province-level id enclosing (or equal to) a location, None for countries."""
    for lid in [location_id, *ancestors(location_id)]:
        if _BY_ID[lid]["kind"] == "province":
            return lid
    return None


def by_kind(kind: str) -> list[str]:
    """Ids of every location of one kind (``country``, ``province``, ``border_crossing`` ...)."""
    return [r["id"] for r in LOCATIONS if r["kind"] == kind]


def in_country(country: str, kind: str | None = None) -> list[str]:
    """Ids of the locations inside ``country`` (optionally of one kind)."""
    return [r["id"] for r in LOCATIONS
            if r["iso3"] == country and r["kind"] != "country" and (kind is None or r["kind"] == kind)]

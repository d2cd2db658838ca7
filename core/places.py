"""United Nations naming of countries and areas, shared by the views and the exports.

Where the data's names differ from UN usage (UNTERM, the M49 list of
"countries or areas"), maps and tables use these; ``kind`` "area" marks an
area that is never called a country (Taiwan Province of China, the Chinese SARs).

>>> UN_NAMES["TWN"][0], UN_NAMES["TWN"][2]
('Taiwan Province of China', 'area')
"""

from __future__ import annotations

__all__ = ["UN_NAMES", "un_name"]

#: ISO3 → (English, Thai, kind)
UN_NAMES: dict[str, tuple[str, str, str]] = {
    "TWN": ("Taiwan Province of China", "ไต้หวัน มณฑลของจีน", "area"),
    "LAO": ("Lao People's Democratic Republic", "สาธารณรัฐประชาธิปไตยประชาชนลาว", "country"),
    "KOR": ("Republic of Korea", "สาธารณรัฐเกาหลี", "country"),
    "PRK": ("Democratic People's Republic of Korea", "สาธารณรัฐประชาธิปไตยประชาชนเกาหลี", "country"),
    "VNM": ("Viet Nam", "เวียดนาม", "country"),
    "HKG": ("China, Hong Kong SAR", "เขตบริหารพิเศษฮ่องกง", "area"),
    "MAC": ("China, Macao SAR", "เขตบริหารพิเศษมาเก๊า", "area"),
    "USA": ("United States of America", "สหรัฐอเมริกา", "country"),
    "GBR": ("United Kingdom", "สหราชอาณาจักร", "country"),
    "RUS": ("Russian Federation", "สหพันธรัฐรัสเซีย", "country"),
    "IRN": ("Iran (Islamic Republic of)", "อิหร่าน", "country"),
    "SYR": ("Syrian Arab Republic", "ซีเรีย", "country"),
    "TZA": ("United Republic of Tanzania", "แทนซาเนีย", "country"),
    "BOL": ("Bolivia (Plurinational State of)", "โบลิเวีย", "country"),
    "VEN": ("Venezuela (Bolivarian Republic of)", "เวเนซุเอลา", "country"),
    "MDA": ("Republic of Moldova", "มอลโดวา", "country"),
    "TUR": ("Türkiye", "ตุรกี", "country"),
}


def un_name(code: str, lang: str = "en") -> str | None:
    """The UN name of ``code`` in ``lang`` (``en``/``th``), or None when the data's name stands."""
    hit = UN_NAMES.get(code)
    return None if hit is None else (hit[1] if lang == "th" else hit[0])

"""Readable English and Thai names for what the model declares.

Pages show a field, a label, a relationship type or a choice (role, stage,
mode ...) with these words instead of the raw identifier, in the model's own
order (:func:`fields_in_order`).  Anything the model declares that is not
listed here still gets a readable English name derived from its identifier
(``full_name_latin`` → "Full name latin"), so a new field never shows up raw.
"""

from __future__ import annotations

from .model import NODES, PROVENANCE_FIELDS, Field, node_spec

__all__ = ["FIELDS", "LABELS", "RELS", "CHOICES", "field_label", "label_name", "rel_name", "choice_name",
           "fields_in_order", "humanise"]

#: field name → (English, Thai)
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("Id", "รหัส"),
    "full_name": ("Full name", "ชื่อ-สกุล"),
    "given_name": ("Given name", "ชื่อ"),
    "family_name": ("Family name", "นามสกุล"),
    "full_name_latin": ("Name (Latin script)", "ชื่อ (อักษรโรมัน)"),
    "aliases": ("Aliases", "ชื่อเล่น/ชื่ออื่น"),
    "birth_date": ("Date of birth", "วันเกิด"),
    "sex": ("Sex", "เพศ"),
    "nationality": ("Nationality", "สัญชาติ"),
    "national_id": ("Thai national ID", "เลขประจำตัวประชาชน"),
    "passport_no": ("Passport number", "เลขหนังสือเดินทาง"),
    "phones": ("Phones", "โทรศัพท์"),
    "address": ("Address", "ที่อยู่"),
    "case_number": ("Case number", "เลขคดี"),
    "agency": ("Agency", "หน่วยงาน"),
    "offence": ("Offence", "ข้อหา"),
    "exploitation_type": ("Exploitation", "รูปแบบการแสวงประโยชน์"),
    "opened_on": ("Opened", "วันเปิดคดี"),
    "closed_on": ("Closed", "วันปิดคดี"),
    "status": ("Status", "สถานะ"),
    "province": ("Province", "จังหวัด"),
    "restricted_to": ("Restricted to", "จำกัดสิทธิ์เฉพาะ"),
    "name": ("Name", "ชื่อ"),
    "name_latin": ("Name (Latin script)", "ชื่อ (อักษรโรมัน)"),
    "name_th": ("Name (Thai)", "ชื่อภาษาไทย"),
    "kind": ("Kind", "ประเภท"),
    "registration_no": ("Registration number", "เลขทะเบียนนิติบุคคล"),
    "country": ("Country", "ประเทศ"),
    "plate": ("Plate", "ทะเบียนรถ"),
    "plate_province": ("Plate province", "จังหวัดทะเบียน"),
    "make": ("Make", "ยี่ห้อ"),
    "colour": ("Colour", "สี"),
    "bank_code": ("Bank", "ธนาคาร"),
    "account_number": ("Account number", "เลขบัญชี"),
    "holder_name": ("Account holder", "ชื่อเจ้าของบัญชี"),
    "currency": ("Currency", "สกุลเงิน"),
    "iso2": ("ISO code (2)", "รหัส ISO (2)"),
    "iso3": ("ISO code (3)", "รหัส ISO (3)"),
    "lat": ("Latitude", "ละติจูด"),
    "lon": ("Longitude", "ลองจิจูด"),
    "role": ("Role", "บทบาท"),
    "from_date": ("From", "ตั้งแต่"),
    "to_date": ("To", "ถึง"),
    "at": ("Date", "วันที่"),
    "mode": ("Transport", "การเดินทาง"),
    "stage": ("Stage", "ขั้นตอน"),
    "leg": ("Leg", "ช่วงที่"),
    "amount": ("Amount", "จำนวนเงิน"),
    "channel": ("Channel", "ช่องทาง"),
    "txn_id": ("Transaction", "รายการ"),
    "call_count": ("Calls", "จำนวนการโทร"),
    "first_contact": ("First contact", "ติดต่อครั้งแรก"),
    "last_contact": ("Last contact", "ติดต่อครั้งล่าสุด"),
    "first_seen": ("First recorded", "บันทึกครั้งแรก"),
    "last_seen": ("Last recorded", "บันทึกล่าสุด"),
    "source": ("Agency", "หน่วยงานที่บันทึก"),
    "source_record_id": ("Record", "เลขที่บันทึก"),
    "score": ("Score", "คะแนน"),
    "judgement": ("Judgement", "ผลการพิจารณา"),
}

#: node label → (English, Thai)
LABELS: dict[str, tuple[str, str]] = {
    "Case": ("Case", "คดี"),
    "Person": ("Person", "บุคคล"),
    "Organisation": ("Organisation", "องค์กร"),
    "Vehicle": ("Vehicle", "ยานพาหนะ"),
    "BankAccount": ("Bank account", "บัญชีธนาคาร"),
    "Location": ("Place", "สถานที่"),
}

#: relationship type → (English, Thai)
RELS: dict[str, tuple[str, str]] = {
    "INVOLVED_IN": ("Involved in", "เกี่ยวข้องในคดี"),
    "ASSOCIATED_WITH": ("Associated with", "ความสัมพันธ์"),
    "MEMBER_OF": ("Member of", "เป็นสมาชิก"),
    "EMPLOYED_BY": ("Employed by", "เป็นลูกจ้าง"),
    "DIRECTS": ("Directs", "เป็นกรรมการ"),
    "HOLDS": ("Holds account", "ถือบัญชี"),
    "TRANSFERRED": ("Transferred", "โอนเงิน"),
    "OWNS": ("Owns", "เป็นเจ้าของ"),
    "USED": ("Used in", "ใช้ในคดี"),
    "MOVED": ("Journey leg", "การเดินทาง"),
    "LOCATED_IN": ("Located in", "ตั้งอยู่ใน"),
    "OCCURRED_AT": ("Occurred at", "เกิดเหตุที่"),
    "LIVES_AT": ("Lives at", "อาศัยอยู่ที่"),
    "SAME_AS": ("Possible duplicate", "อาจเป็นบุคคลเดียวกัน"),
}

#: choice value (roles, stages, modes, association kinds, statuses, sexes) → (English, Thai)
CHOICES: dict[str, tuple[str, str]] = {
    "suspect": ("Suspect", "ผู้ต้องหา"),
    "victim": ("Victim", "ผู้เสียหาย"),
    "witness": ("Witness", "พยาน"),
    "recruiter": ("Recruiter", "ผู้จัดหา"),
    "transporter": ("Transporter", "ผู้ขนส่ง"),
    "broker": ("Broker", "นายหน้า"),
    "harbourer": ("Harbourer", "ผู้ให้ที่พักพิง"),
    "financier": ("Financier", "ผู้สนับสนุนทางการเงิน"),
    "employer": ("Employer", "นายจ้าง"),
    "official": ("Official", "เจ้าหน้าที่รัฐ"),
    "other": ("Other", "อื่น ๆ"),
    "recruitment": ("Recruitment", "การจัดหา"),
    "transit": ("Transit", "การขนส่งผ่าน"),
    "exploitation": ("Exploitation", "การแสวงประโยชน์"),
    "road": ("Road", "ทางถนน"),
    "boat": ("Boat", "ทางเรือ"),
    "air": ("Air", "ทางอากาศ"),
    "foot": ("On foot", "เดินเท้า"),
    "rail": ("Rail", "ทางรถไฟ"),
    "family": ("Family", "ครอบครัว"),
    "partner": ("Partner", "คู่ครอง"),
    "associate": ("Associate", "ผู้ร่วมงาน"),
    "contact": ("Contact (calls)", "ผู้ติดต่อ (การโทร)"),
    "open": ("Open", "เปิด"),
    "investigation": ("Investigation", "สอบสวน"),
    "prosecution": ("Prosecution", "ฟ้องคดี"),
    "trial": ("Trial", "พิจารณาคดี"),
    "closed": ("Closed", "ปิดคดี"),
    "convicted": ("Convicted", "ลงโทษ"),
    "acquitted": ("Acquitted", "ยกฟ้อง"),
    "pending": ("Pending review", "รอพิจารณา"),
    "accepted": ("Accepted", "ยืนยันแล้ว"),
    "rejected": ("Rejected", "ปฏิเสธแล้ว"),
    "M": ("Male", "ชาย"),
    "F": ("Female", "หญิง"),
    "X": ("Other", "อื่น ๆ"),
}


def humanise(identifier: str) -> str:
    """``full_name_latin`` → ``"Full name latin"``; ``BankAccount`` → ``"Bank account"``.

    >>> humanise("full_name_latin"), humanise("BankAccount")
    ('Full name latin', 'Bank account')
    """
    import re

    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", identifier).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def _pair(table: dict[str, tuple[str, str]], key: str) -> tuple[str, str]:
    return table.get(key) or (humanise(key), "")


def field_label(name: str) -> tuple[str, str]:
    """(English, Thai) name of a field; Thai is empty when not declared."""
    return _pair(FIELDS, name)


def label_name(node_label: str) -> tuple[str, str]:
    return _pair(LABELS, node_label)


def rel_name(rel_type: str) -> tuple[str, str]:
    return _pair(RELS, rel_type)


def choice_name(value: str) -> tuple[str, str]:
    return _pair(CHOICES, value)


def fields_in_order(node_label: str) -> list[Field]:
    """The stored fields of a label in the model's declared order (names first, then
    identity, then the rest), without the provenance columns and references."""
    spec = node_spec(node_label)
    if spec is None:
        return []
    return [f for f in spec.fields if f.store and f.name not in PROVENANCE_FIELDS and f.name != "id"]


def _check() -> None:
    known = {n.label for n in NODES}
    assert set(LABELS) <= known, set(LABELS) - known


_check()

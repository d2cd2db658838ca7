"""Real, common personal names of Thailand, Myanmar, Laos and Cambodia.

Each entry is ``(native_script, romanised)``: Thai, Myanmar (Burmese), Lao
and Khmer Unicode with the romanisation that agencies usually write.  Used by
the synthetic data generator and, as a dictionary of known pairs, by entity
resolution (Thai ↔ Latin name matching).

Myanmar names have no family name: ``NAMES["MMR"]["family"]`` is empty and
``given_M`` / ``given_F`` hold *syllables* from which a name of one to three
syllables is built (:func:`myanmar_name`), e.g. ``("အောင်", "Aung")`` +
``("ကျော်", "Kyaw")`` → ``("အောင်ကျော်", "Aung Kyaw")``.

:data:`ROMANISATION_VARIANTS` lists alternative spellings that different
agencies use for the same name; :func:`variant` picks one (from that table,
or by common transliteration rules such as ch↔j, ph↔p, w↔v, ee↔i, oo↔u).
"""

from __future__ import annotations

import random
import re

__all__ = [
    "NAMES",
    "SCRIPT_OF",
    "ROMANISATION_VARIANTS",
    "variant",
    "variants",
    "myanmar_name",
    "native_to_latin",
]

Pair = tuple[str, str]

_THA_M: list[Pair] = [
    ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasert"), ("วิชัย", "Wichai"),
    ("สุชาติ", "Suchat"), ("ชัยวัฒน์", "Chaiwat"), ("ณัฐพล", "Nattaphon"), ("ธนากร", "Thanakorn"),
    ("อนุชา", "Anucha"), ("บุญมี", "Boonmee"), ("สมบัติ", "Sombat"), ("ประยุทธ", "Prayut"),
    ("สมพงษ์", "Somphong"), ("สุรชัย", "Surachai"), ("วีระ", "Weera"), ("กิตติ", "Kitti"),
    ("ธีระ", "Thira"), ("นพดล", "Noppadon"), ("พงศกร", "Phongsakorn"), ("อภิชาติ", "Apichat"),
    ("เกียรติศักดิ์", "Kiattisak"), ("ชาญชัย", "Chanchai"), ("ทองดี", "Thongdee"), ("บุญเลิศ", "Boonlert"),
    ("ประสิทธิ์", "Prasit"), ("มานพ", "Manop"), ("วิโรจน์", "Wirot"), ("ศักดิ์ชัย", "Sakchai"),
    ("สมหมาย", "Sommai"), ("สุริยา", "Suriya"), ("อำนาจ", "Amnat"), ("เอกชัย", "Ekkachai"),
    ("ไพโรจน์", "Phairot"), ("ธวัชชัย", "Thawatchai"), ("จักรพันธ์", "Chakkaphan"), ("ปิยะ", "Piya"),
    ("วัชระ", "Watchara"), ("สมเกียรติ", "Somkiat"), ("ยุทธนา", "Yutthana"), ("สุเมธ", "Sumet"),
    ("อดิศักดิ์", "Adisak"), ("ชัยยา", "Chaiya"),
]
_THA_F: list[Pair] = [
    ("สมหญิง", "Somying"), ("มาลี", "Malee"), ("สุดา", "Suda"), ("วันเพ็ญ", "Wanphen"),
    ("นภาพร", "Napaporn"), ("สุภาพร", "Supaporn"), ("กาญจนา", "Kanchana"), ("รัตนา", "Rattana"),
    ("ศิริพร", "Siriporn"), ("พรทิพย์", "Pornthip"), ("อรุณี", "Arunee"), ("จันทร์เพ็ญ", "Chanphen"),
    ("ประภา", "Prapha"), ("นงลักษณ์", "Nongluck"), ("บุษบา", "Butsaba"), ("ปราณี", "Pranee"),
    ("ลำดวน", "Lamduan"), ("สมใจ", "Somjai"), ("วิไล", "Wilai"), ("อัญชลี", "Anchalee"),
    ("ดวงใจ", "Duangjai"), ("เพ็ญศรี", "Pensri"), ("สายสุนีย์", "Saisunee"), ("ทองใบ", "Thongbai"),
    ("ณัฐธิดา", "Natthida"), ("ปิยะนุช", "Piyanut"), ("จิราพร", "Jiraporn"), ("อารีย์", "Aree"),
    ("เยาวลักษณ์", "Yaowalak"), ("สุนิสา", "Sunisa"), ("กนกวรรณ", "Kanokwan"), ("ชลธิชา", "Chonthicha"),
    ("ธิดารัตน์", "Thidarat"), ("พัชรี", "Patcharee"), ("มณี", "Manee"), ("รุ่งนภา", "Rungnapa"),
    ("วรรณา", "Wanna"), ("ศศิธร", "Sasithorn"), ("สุกัญญา", "Sukanya"), ("อรอุมา", "On-uma"),
    ("ขวัญใจ", "Khwanjai"), ("น้ำฝน", "Namfon"),
]
_THA_FAM: list[Pair] = [
    ("ใจดี", "Jaidee"), ("สุขสวัสดิ์", "Suksawat"), ("ศรีสุข", "Srisuk"), ("แก้วมณี", "Kaewmanee"),
    ("บุญมา", "Boonma"), ("ทองคำ", "Thongkham"), ("รักไทย", "Rakthai"), ("มั่นคง", "Mankhong"),
    ("วงศ์สวัสดิ์", "Wongsawat"), ("สุวรรณ", "Suwan"), ("เพชรรัตน์", "Phetcharat"), ("ชัยมงคล", "Chaimongkol"),
    ("ศรีวงศ์", "Sriwong"), ("แสงทอง", "Saengthong"), ("พรหมมา", "Phromma"), ("จันทร์แก้ว", "Chankaew"),
    ("ทองดี", "Thongdee"), ("บุญเรือง", "Boonruang"), ("สมบูรณ์", "Somboon"), ("อินทร์แก้ว", "Inkaew"),
    ("ปัญญาดี", "Panyadee"), ("คำแก้ว", "Khamkaew"), ("ศรีสวัสดิ์", "Srisawat"), ("ยอดเพชร", "Yodphet"),
    ("วงศ์ใหญ่", "Wongyai"), ("ทองสุข", "Thongsuk"), ("นาคสวัสดิ์", "Naksawat"), ("บุญประเสริฐ", "Boonprasert"),
    ("รุ่งเรือง", "Rungruang"), ("เจริญสุข", "Charoensuk"), ("มีสุข", "Meesuk"), ("แซ่ตั้ง", "Saetang"),
    ("แซ่ลิ้ม", "Saelim"), ("กิตติวงศ์", "Kittiwong"), ("ประเสริฐสุข", "Prasertsuk"), ("พึ่งบุญ", "Phuengboon"),
    ("สายทอง", "Saithong"), ("ขุนทอง", "Khunthong"), ("ศรีประเสริฐ", "Sriprasert"), ("บุญยืน", "Boonyuen"),
]

# Myanmar: syllables (no family names).
_MMR_M: list[Pair] = [
    ("အောင်", "Aung"), ("ကျော်", "Kyaw"), ("မင်း", "Min"), ("ထွန်း", "Tun"), ("ဝင်း", "Win"),
    ("ဇော်", "Zaw"), ("မျိုး", "Myo"), ("စိုး", "Soe"), ("လှ", "Hla"), ("မောင်", "Maung"),
    ("နိုင်", "Naing"), ("ထက်", "Htet"), ("ပိုင်", "Paing"), ("ဖြိုး", "Phyo"), ("သူ", "Thu"),
    ("ရဲ", "Ye"), ("သိန်း", "Thein"), ("သန်း", "Than"), ("ဦး", "Oo"), ("မြင့်", "Myint"),
    ("လင်း", "Lin"), ("သူရ", "Thura"), ("ဇေယျ", "Zeya"), ("နောင်", "Naung"), ("ကောင်း", "Kaung"),
    ("ဝေ", "Wai"), ("စည်သူ", "Sithu"), ("ဟိန်း", "Hein"), ("ညီ", "Nyi"), ("တင့်", "Tint"),
    ("တင်", "Tin"), ("နေ", "Nay"), ("လွင်", "Lwin"), ("ခန့်", "Khant"), ("သက်", "Thet"),
    ("ဆွေ", "Swe"), ("မြတ်", "Myat"), ("ထူး", "Htoo"), ("ဗိုလ်", "Bo"), ("လှိုင်", "Hlaing"),
    ("ဇင်", "Zin"), ("ကို", "Ko"),
]
_MMR_F: list[Pair] = [
    ("ခင်", "Khin"), ("မြ", "Mya"), ("အေး", "Aye"), ("စု", "Su"), ("နွယ်", "Nwe"),
    ("ဇင်", "Zin"), ("မာ", "Mar"), ("လှိုင်", "Hlaing"), ("ယု", "Yu"), ("သီရိ", "Thiri"),
    ("ဖြူ", "Phyu"), ("ငြိမ်း", "Nyein"), ("ချို", "Cho"), ("မေ", "May"), ("မိုး", "Moe"),
    ("သန္တာ", "Thandar"), ("အိ", "Ei"), ("ဝေ", "Wai"), ("ထေး", "Htay"), ("စန်း", "San"),
    ("ယဉ်", "Yin"), ("သင်း", "Thin"), ("နှင်း", "Hnin"), ("ဇာ", "Zar"), ("ပြည့်", "Pyae"),
    ("ခိုင်", "Khaing"), ("ငွေ", "Ngwe"), ("နု", "Nu"), ("လွင်", "Lwin"), ("ထွေး", "Htwe"),
    ("ဝင့်", "Wint"), ("သီတာ", "Thida"), ("စန္ဒာ", "Sanda"), ("မြင့်", "Myint"), ("သူဇာ", "Thuzar"),
    ("ဖူး", "Phoo"), ("ကြည်", "Kyi"), ("ဥမ္မာ", "Ohmar"), ("တင်", "Tin"), ("ရွှေ", "Shwe"),
    ("ပန်း", "Pan"), ("ချစ်", "Chit"),
]

_LAO_M: list[Pair] = [
    ("ສົມຊາຍ", "Somxay"), ("ບຸນມີ", "Bounmy"), ("ສົມສັກ", "Somsack"), ("ຄຳສີ", "Khamsy"),
    ("ພອນສະຫວັນ", "Phonesavanh"), ("ສີສຸກ", "Sisouk"), ("ທອງລຸນ", "Thongloun"), ("ບຸນເຫຼືອ", "Bounleua"),
    ("ສຸກສະຫວັນ", "Souksavanh"), ("ຄຳຫຼ້າ", "Khamla"), ("ສົມເພັດ", "Somphet"), ("ບຸນທະວີ", "Bounthavy"),
    ("ຄຳແພງ", "Khampheng"), ("ແສງເພັດ", "Sengphet"), ("ທອງສະຫວັນ", "Thongsavanh"), ("ວັນໄຊ", "Vanxay"),
    ("ຄຳສອນ", "Khamsone"), ("ພູວົງ", "Phouvong"), ("ສອນໄຊ", "Sonexay"), ("ໄຊຊະນະ", "Saysana"),
    ("ແກ້ວ", "Keo"), ("ສຸພັນ", "Souphanh"), ("ບຸນຍົງ", "Bounyong"), ("ບຸນທັນ", "Bounthanh"),
    ("ສົມພອນ", "Somphone"), ("ຄຳພອນ", "Khamphone"), ("ສຸລິຍາ", "Souliya"), ("ວິໄລສັກ", "Vilaysack"),
    ("ອານຸສັກ", "Anousack"), ("ພຸດທະສອນ", "Phoutthasone"), ("ສີສະຫວາດ", "Sisavath"), ("ບົວໄລ", "Boualay"),
    ("ທອງພັນ", "Thongphanh"), ("ສົມບັດ", "Sombath"), ("ໄຊສົມບູນ", "Xaysomboun"), ("ວົງພະຈັນ", "Vongphachanh"),
    ("ຈັນທະລັງສີ", "Chanthalangsy"), ("ຄຳເພົາ", "Khamphao"), ("ສຸລິວົງ", "Soulivong"), ("ເພັດສະໝອນ", "Phetsamone"),
]
_LAO_F: list[Pair] = [
    ("ແສງຈັນ", "Sengchanh"), ("ມະນີວັນ", "Manivanh"), ("ສຸດາ", "Souda"), ("ນາລີ", "Naly"),
    ("ຈັນທະລາ", "Chanthala"), ("ບົວພັນ", "Bouaphanh"), ("ວັນເພັງ", "Vanpheng"), ("ພອນທິບ", "Phonethip"),
    ("ສີດາ", "Sida"), ("ມາລີ", "Mali"), ("ອຳໄພ", "Amphay"), ("ດາລາ", "Dala"),
    ("ແກ້ວມະນີ", "Keomany"), ("ວິໄລວັນ", "Vilayvanh"), ("ສົມໃຈ", "Somchay"), ("ຄຳຜຸຍ", "Khamphouy"),
    ("ນ້ອຍ", "Noy"), ("ບຸນຍົງ", "Bounyong"), ("ພອນສະຫວັນ", "Phonesavanh"), ("ເພັດສະໝອນ", "Phetsamone"),
    ("ສຸກສະຫວັນ", "Souksavanh"), ("ຈັນສະໝອນ", "Chansamone"), ("ອາລຸນີ", "Alouny"), ("ສີວິໄລ", "Sivilay"),
    ("ວັນນະລີ", "Vannaly"), ("ພູມມາລີ", "Phoummaly"), ("ນິດຕະຍາ", "Nittaya"), ("ສຸລິຍາ", "Souliya"),
    ("ດວງຈັນ", "Douangchanh"), ("ມະໄລ", "Malay"), ("ເກດສະໜາ", "Ketsana"), ("ບົວຄຳ", "Bouakham"),
    ("ຄຳແສງ", "Khamseng"), ("ທິບພະວັນ", "Thipphavanh"), ("ແສງດາວ", "Sengdao"), ("ວົງເດືອນ", "Vongdeuane"),
    ("ສົມສະໄໝ", "Somsamai"), ("ອິນປັນ", "Inpanh"), ("ຈັນທອນ", "Chanthone"), ("ມຸກດາ", "Mukda"),
]
_LAO_FAM: list[Pair] = [
    ("ພົມມະວົງ", "Phommavong"), ("ສີສຸລາດ", "Sisoulath"), ("ວົງສາ", "Vongsa"), ("ແກ້ວວົງ", "Keovong"),
    ("ຈັນທະວົງ", "Chanthavong"), ("ສີຫາລາດ", "Sihalath"), ("ພົມມະຈັນ", "Phommachanh"), ("ອິນທະວົງ", "Inthavong"),
    ("ສຸວັນນະວົງ", "Souvannavong"), ("ໄຊຍະວົງ", "Xayavong"), ("ພິລາວົງ", "Philavong"), ("ແສງສຸລິຍາ", "Sengsouliya"),
    ("ຄຳມະນີ", "Khammany"), ("ບຸບຜາ", "Bouppha"), ("ສີພັນດອນ", "Siphandone"), ("ພົມວິຫານ", "Phomvihane"),
    ("ສີສະຫວາດ", "Sisavath"), ("ດວງປັນຍາ", "Douangpanya"), ("ລາດຊະວົງ", "Latsavong"), ("ແສງມະນີ", "Sengmany"),
    ("ວົງພະຈັນ", "Vongphachanh"), ("ພູມມະລາ", "Phoummala"), ("ສີຫາວົງ", "Sihavong"), ("ຈັນທະລາ", "Chanthala"),
    ("ຄຳວົງສາ", "Khamvongsa"), ("ບຸນຍະວົງ", "Bounyavong"), ("ອິນທະລາດ", "Inthalath"), ("ແສງອາລຸນ", "Sengaloun"),
    ("ສຸລິວົງ", "Soulivong"), ("ທຳມະວົງ", "Thammavong"), ("ໄຊຍະສອນ", "Xayasone"), ("ວົງດາລາ", "Vongdala"),
    ("ພົມມະສັກ", "Phommasack"), ("ຄຳພູວົງ", "Khamphouvong"), ("ມະນີວົງ", "Manivong"), ("ລັດຕະນະ", "Luttana"),
    ("ສີລາວົງ", "Silavong"), ("ອຸດົມສຸກ", "Oudomsouk"), ("ດວງສະຫວັນ", "Douangsavanh"), ("ສີປະເສີດ", "Siprasoeuth"),
]

_KHM_M: list[Pair] = [
    ("សុខ", "Sok"), ("ចាន់", "Chan"), ("វណ្ណា", "Vanna"), ("សុផល", "Sophal"), ("ដារ៉ា", "Dara"),
    ("សំណាង", "Samnang"), ("ពិសិដ្ឋ", "Piseth"), ("វិចិត្រ", "Vichet"), ("រិទ្ធី", "Rithy"), ("សុវណ្ណ", "Sovann"),
    ("ចន្ថា", "Chantha"), ("សុខា", "Sokha"), ("កុសល", "Kosal"), ("សម្បត្តិ", "Sambath"), ("ប៊ុនធឿន", "Bunthoeun"),
    ("វាសនា", "Veasna"), ("ភក្ដី", "Pheakdey"), ("រដ្ឋា", "Rotha"), ("សុធា", "Sothea"), ("ណារិទ្ធ", "Narith"),
    ("វិសាល", "Visal"), ("មករា", "Makara"), ("ភិរុណ", "Phirun"), ("សុភ័ក្រ", "Sopheak"), ("ហេង", "Heng"),
    ("សេង", "Seng"), ("គីម", "Kim"), ("វុធី", "Vuthy"), ("ប៊ុនណា", "Bunna"), ("ឆាយ", "Chhay"),
    ("រតនៈ", "Ratanak"), ("សំបូរ", "Sambo"), ("សំផស្ស", "Samphors"), ("គីមហុង", "Kimhong"), ("សុវណ្ណរិទ្ធ", "Sovannarith"),
    ("ឡេង", "Leng"), ("វណ្ណៈ", "Vannak"), ("សុធី", "Sothy"), ("សារឿន", "Saroeun"), ("លី", "Ly"),
]
_KHM_F: list[Pair] = [
    ("សុភា", "Sophea"), ("បុប្ផា", "Bopha"), ("ស្រីមុំ", "Sreymom"), ("ដាលីន", "Dalin"), ("សុគន្ធា", "Sokunthea"),
    ("ចិន្តា", "Chenda"), ("ធារី", "Theary"), ("ផល្លា", "Phalla"), ("ស្រីនាង", "Sreyneang"), ("គន្ធា", "Kunthea"),
    ("លក្ខិណា", "Leakhena"), ("ម្លិះ", "Malis"), ("ពិសី", "Pisey"), ("រចនា", "Rachana"), ("រស្មី", "Raksmey"),
    ("ស្រីពៅ", "Sreypov"), ("វណ្ណី", "Vanny"), ("ណាវី", "Navy"), ("កល្យាណ", "Kalyan"), ("សុម៉ាលី", "Somaly"),
    ("លីណា", "Lina"), ("សុខលៀង", "Sokleang"), ("ណារី", "Nary"), ("ធីតា", "Thida"), ("សុភាព", "Sopheap"),
    ("ចន្ទ្រា", "Chantrea"), ("មុនីកា", "Monika"), ("ស្រីល័ក្ខ", "Sreyleak"), ("កញ្ញា", "Kanha"), ("នារី", "Neary"),
    ("មាលា", "Mealea"), ("ដារ៉ាវី", "Daravy"), ("សុវណ្ណី", "Sovanny"), ("ចាន់ធី", "Chanthy"), ("កុលាប", "Kolab"),
    ("ផាន់នី", "Phanny"), ("សុខនី", "Sokny"), ("ស្រីនិច", "Sreynich"), ("ចាន់ថា", "Chantha"), ("សុខា", "Sokha"),
]
_KHM_FAM: list[Pair] = [
    ("សុខ", "Sok"), ("ចាន់", "Chan"), ("គីម", "Kim"), ("ហេង", "Heng"), ("លី", "Ly"),
    ("សេង", "Seng"), ("ជា", "Chea"), ("កែវ", "Keo"), ("មាស", "Meas"), ("ងួន", "Nguon"),
    ("ពេជ្រ", "Pich"), ("ប្រាក់", "Prak"), ("សំ", "Sam"), ("ទូច", "Touch"), ("ឡុង", "Long"),
    ("ឈឹម", "Chhim"), ("ហ៊ុន", "Hun"), ("ម៉ៅ", "Mao"), ("ញឹម", "Nhem"), ("អ៊ុក", "Ouk"),
    ("ផាន", "Phan"), ("ទេព", "Tep"), ("យឹម", "Yim"), ("សន", "Sorn"), ("ខៀវ", "Khieu"),
    ("ម៉ី", "Mey"), ("វង្ស", "Vong"), ("គង់", "Kong"), ("លឹម", "Lim"), ("នួន", "Nuon"),
    ("ប៉ែន", "Pen"), ("ស៊ីម", "Sim"), ("ឈុន", "Chhun"), ("អ៊ឹម", "Im"), ("អ៊ុំ", "Oum"),
    ("ស្វាយ", "Svay"), ("អ៊ុយ", "Uy"), ("ថាច់", "Thach"), ("អេង", "Eng"), ("យិន", "Yin"),
]

#: nationality (ISO alpha-3) → {"given_M", "given_F", "family"} → [(native, romanised), ...]
NAMES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "THA": {"given_M": _THA_M, "given_F": _THA_F, "family": _THA_FAM},
    "MMR": {"given_M": _MMR_M, "given_F": _MMR_F, "family": []},
    "LAO": {"given_M": _LAO_M, "given_F": _LAO_F, "family": _LAO_FAM},
    "KHM": {"given_M": _KHM_M, "given_F": _KHM_F, "family": _KHM_FAM},
}

#: nationality → Unicode script name prefix of its native names (``unicodedata.name``)
SCRIPT_OF: dict[str, str] = {"THA": "THAI", "MMR": "MYANMAR", "LAO": "LAO", "KHM": "KHMER"}

#: Alternative romanisations seen across agencies (the key is the form used in NAMES).
ROMANISATION_VARIANTS: dict[str, tuple[str, ...]] = {
    "Somchai": ("Somchay", "Som-chai", "Somchaai"),
    "Jaidee": ("Chaidee", "Jai-dee", "Jaidi", "Chaidi"),
    "Somsak": ("Somsack", "Som-sak"),
    "Prasert": ("Prasoet", "Prasirt", "Prasert"),
    "Wichai": ("Vichai", "Wichay"),
    "Suchat": ("Suchart", "Souchat"),
    "Chaiwat": ("Chaiwaut", "Chaiyawat"),
    "Nattaphon": ("Nattapon", "Natthaphon", "Nuttapon"),
    "Thanakorn": ("Tanakorn", "Thanakon"),
    "Boonmee": ("Bunmi", "Boonmi", "Bunmee"),
    "Sombat": ("Sombut", "Sombath"),
    "Somphong": ("Sompong", "Somphon"),
    "Weera": ("Wira", "Veera"),
    "Thira": ("Teera", "Theera"),
    "Noppadon": ("Nopphadon", "Noppadol"),
    "Apichat": ("Aphichat", "Apichart"),
    "Kiattisak": ("Kiatisak", "Kiettisak"),
    "Thongdee": ("Thongdi", "Tongdee"),
    "Boonlert": ("Bunloet", "Boonlerd"),
    "Prasit": ("Prasith", "Prasitt"),
    "Wirot": ("Wiroj", "Virot"),
    "Thawatchai": ("Tawatchai", "Thawatchay"),
    "Watchara": ("Wachara", "Vatchara"),
    "Somkiat": ("Somkiet", "Somkeat"),
    "Yutthana": ("Yuttana", "Yutthanaa"),
    "Somying": ("Som-ying", "Somyingk"),
    "Malee": ("Mali", "Malie"),
    "Wanphen": ("Wanpen", "Vanphen"),
    "Napaporn": ("Naphaphon", "Napaphorn"),
    "Supaporn": ("Suphaphon", "Supaphorn"),
    "Rattana": ("Ratana", "Rattanaa"),
    "Siriporn": ("Siriphon", "Siriphorn"),
    "Pornthip": ("Phonthip", "Porntip"),
    "Nongluck": ("Nongluk", "Nonglak"),
    "Pranee": ("Prani", "Pranie"),
    "Somjai": ("Somchai", "Som-jai"),
    "Wilai": ("Wilay", "Vilai"),
    "Anchalee": ("Anchali", "Unchalee"),
    "Duangjai": ("Duangchai", "Duang-jai"),
    "Jiraporn": ("Chiraphon", "Jiraphorn"),
    "Patcharee": ("Phatchari", "Patcharie"),
    "Sukanya": ("Sukunya", "Sookanya"),
    "Suksawat": ("Sooksawat", "Suksawad"),
    "Srisuk": ("Sisuk", "Sri-suk"),
    "Kaewmanee": ("Kaeomani", "Kaewmani"),
    "Boonma": ("Bunma", "Boon-ma"),
    "Thongkham": ("Tongkham", "Thongkam"),
    "Wongsawat": ("Wongsawad", "Vongsawat"),
    "Suwan": ("Suwanna", "Suvan"),
    "Chaimongkol": ("Chaimongkhon", "Chaimongkon"),
    "Saengthong": ("Sangthong", "Saeng-thong"),
    "Boonruang": ("Bunruang", "Boonrueang"),
    "Somboon": ("Sombun", "Somboun"),
    "Charoensuk": ("Charoenksuk", "Jaroensuk"),
    "Rungruang": ("Rungrueang", "Roongruang"),
    # Myanmar syllables
    "Aung": ("Aug", "Ong"),
    "Kyaw": ("Kyau", "Chaw", "Kyao"),
    "Tun": ("Htun", "Tunn"),
    "Win": ("Winn", "Wynn"),
    "Zaw": ("Zau", "Zhaw"),
    "Myo": ("Myoe", "Mio"),
    "Soe": ("So", "Soh"),
    "Htet": ("Het", "Htett"),
    "Phyo": ("Pyo", "Phyoe"),
    "Thein": ("Thane", "Thien"),
    "Myint": ("Myin", "Mying"),
    "Naing": ("Naine", "Nyaing"),
    "Khin": ("Khinn", "Kin"),
    "Mya": ("Myah", "Mia"),
    "Aye": ("Aee", "Aye'"),
    "Nwe": ("Nway", "Nwai"),
    "Thandar": ("Thanda", "Thander"),
    "Hnin": ("Nhin", "Hnine"),
    "Khaing": ("Khine", "Khaign"),
    "Thida": ("Thidar", "Theda"),
    # Lao
    "Somxay": ("Somsay", "Somchay", "Somxai"),
    "Bounmy": ("Bounmi", "Bunmi", "Boonmy"),
    "Somsack": ("Somsak", "Somsuck"),
    "Phonesavanh": ("Phonsavan", "Phonesavan", "Ponsavanh"),
    "Souksavanh": ("Souksavan", "Suksavan"),
    "Khamla": ("Khamlaa", "Kham-la"),
    "Sisouk": ("Sisuk", "Srisouk"),
    "Vilaysack": ("Vilaysak", "Wilaisak"),
    "Phommavong": ("Phommavongsa", "Pommavong"),
    "Chanthavong": ("Chanthavongsa", "Chantavong"),
    "Xayavong": ("Sayavong", "Xaiyavong"),
    "Souvannavong": ("Souvanavong", "Suvannavong"),
    "Manivanh": ("Manivan", "Manyvanh"),
    "Souda": ("Suda", "Souddaa"),
    "Chanthala": ("Chantala", "Janthala"),
    # Khmer
    "Sok": ("Sokh", "Sauk"),
    "Sophal": ("Sophall", "Sopal"),
    "Piseth": ("Piset", "Pisith"),
    "Vichet": ("Vichhet", "Vicheth"),
    "Sambath": ("Sambat", "Sambatt"),
    "Veasna": ("Veasnaa", "Vasna"),
    "Pheakdey": ("Pheakdei", "Peakdey", "Pheakdy"),
    "Sopheak": ("Sopheakh", "Sophak"),
    "Sophea": ("Sopheap", "Sophia"),
    "Bopha": ("Bophaa", "Bupha"),
    "Sreymom": ("Srey Mom", "Sreymum"),
    "Sokunthea": ("Sokunthear", "Sokuntea"),
    "Chea": ("Chear", "Chia"),
    "Meas": ("Mias", "Meah"),
    "Pich": ("Pech", "Petch"),
    "Khieu": ("Khiev", "Kheiu"),
    "Nguon": ("Nguan", "Nuon"),
}

# Clean a stray non-Latin character should one slip in above.
ROMANISATION_VARIANTS = {
    k: tuple(x for x in v if x.isascii() and x != k) for k, v in ROMANISATION_VARIANTS.items()
}

_RULES: tuple[tuple[str, str], ...] = (
    ("ch", "j"), ("j", "ch"), ("ph", "p"), ("th", "t"), ("kh", "k"), ("w", "v"), ("v", "w"),
    ("ee", "i"), ("oo", "u"), ("ou", "u"), ("ay", "ai"), ("ai", "ay"), ("x", "s"), ("rn", "n"),
    ("orn", "on"), ("ng", "nk"),
)


def _rule_variants(latin: str) -> list[str]:
    out: list[str] = []
    low = latin.lower()
    for a, b in _RULES:
        i = low.find(a)
        if i < 0:
            continue
        new = low[:i] + b + low[i + len(a):]
        if new != low:
            out.append(new[:1].upper() + new[1:])
    if len(latin) > 5:  # hyphenated form
        mid = len(latin) // 2
        out.append(latin[:mid] + "-" + latin[mid:].lower())
    return list(dict.fromkeys(out))


def variants(latin: str) -> list[str]:
    """Known and rule-based alternative romanisations of one name (the name itself excluded).

    Examples
    --------
    >>> "Chaidee" in variants("Jaidee")
    True
    """
    known = list(ROMANISATION_VARIANTS.get(latin, ()))
    return list(dict.fromkeys(known + [v for v in _rule_variants(latin) if v != latin]))


def variant(latin: str, rng: random.Random) -> str:
    """One alternative spelling of ``latin`` (a single name or several words).

    Known variants (:data:`ROMANISATION_VARIANTS`) are preferred; otherwise a
    transliteration rule is applied.  Multi-word names change one word.

    Examples
    --------
    >>> import random
    >>> variant("Somchai", random.Random(1)) != "Somchai"
    True
    """
    words = latin.split(" ")
    idx = [i for i, w in enumerate(words) if variants(w)]
    if not idx:
        return latin
    i = rng.choice(idx)
    words[i] = rng.choice(variants(words[i]))
    return " ".join(words)


def myanmar_name(rng: random.Random, sex: str, syllables: int | None = None) -> tuple[str, str]:
    """A Myanmar name of 1–3 syllables: ``(native, romanised)``, e.g. ``("အောင်ကျော်", "Aung Kyaw")``.

    Examples
    --------
    >>> import random
    >>> native, latin = myanmar_name(random.Random(0), "M", 2)
    >>> len(latin.split()) == 2
    True
    """
    pool = NAMES["MMR"]["given_F" if sex == "F" else "given_M"]
    n = syllables or rng.choice((2, 2, 3, 3, 3, 1))
    picks = [rng.choice(pool) for _ in range(n)]
    # avoid an immediate repeated syllable ("Aung Aung" is real but rare)
    for k in range(1, n):
        while picks[k] == picks[k - 1]:
            picks[k] = rng.choice(pool)
    return "".join(p[0] for p in picks), " ".join(p[1] for p in picks)


_NATIVE_TO_LATIN: dict[str, str] = {}
for _nat in NAMES.values():
    for _lst in _nat.values():
        for _n, _l in _lst:
            _NATIVE_TO_LATIN.setdefault(_n, _l)


def native_to_latin(native: str) -> str | None:
    """Romanisation of a native-script name made of known names/syllables, or None.

    Tries the whole string, then space-separated words, then (for Myanmar)
    a greedy longest-match split into known syllables.

    Examples
    --------
    >>> native_to_latin("สมชาย ใจดี")
    'Somchai Jaidee'
    >>> native_to_latin("အောင်ကျော်")
    'Aung Kyaw'
    """
    native = native.strip()
    if native in _NATIVE_TO_LATIN:
        return _NATIVE_TO_LATIN[native]
    words = re.split(r"\s+", native)
    if len(words) > 1:
        parts = [native_to_latin(w) for w in words]
        return None if any(p is None for p in parts) else " ".join(p for p in parts if p)
    out: list[str] = []
    i = 0
    keys = sorted(_NATIVE_TO_LATIN, key=len, reverse=True)
    while i < len(native):
        for k in keys:
            if native.startswith(k, i):
                out.append(_NATIVE_TO_LATIN[k])
                i += len(k)
                break
        else:
            return None
    return " ".join(out)

"""What the demo is made of: places in Kazakhstan's regions, the people of a site, typical
models with their calibres, and markings in Cyrillic. Plain data, no I/O."""

from __future__ import annotations

import random
import struct
import zlib
from typing import Any

from workflows.process import FOUNDER

PASSWORD = "demo-password-2026"  # noqa: S105 (printed on purpose: demo accounts only)

# (id, kind, region): the places of the site, each named below in the three languages
PLACES = [
    ("UNIT-ALM", "unit", "Алматы"),
    ("UNIT-AST", "unit", "Астана"),
    ("UNIT-SHY", "unit", "Шымкент"),
    ("UNIT-KRG", "unit", "Қарағанды облысы"),
    ("UNIT-UKK", "unit", "Шығыс Қазақстан облысы"),
    ("WH-ALM", "warehouse", "Алматы"),
    ("WH-KRG", "warehouse", "Қарағанды облысы"),
    ("CSE-ALM", "forensics", "Алматы"),
    ("PLANT-TMR", "plant", "Қарағанды облысы"),
]
# Each place's name in every page and statement language; its own name is the Russian one.
PLACE_NAMES = {
    "UNIT-ALM": {
        "ru": "УП г. Алматы, Медеуский РУВД",
        "kk": "Алматы қ. ПБ, Медеу АІІБ",
        "en": "Almaty Police Directorate, Medeu district police",
    },
    "UNIT-AST": {
        "ru": "ДП г. Астаны, УП района «Есиль»",
        "kk": "Астана қ. ПД, «Есіл» ауданының ПБ",
        "en": "Astana Police Department, Esil district police",
    },
    "UNIT-SHY": {
        "ru": "ДП г. Шымкента, Абайский РУВД",
        "kk": "Шымкент қ. ПД, Абай АІІБ",
        "en": "Shymkent Police Department, Abay district police",
    },
    "UNIT-KRG": {
        "ru": "ДП Карагандинской области, Октябрьский РУВД",
        "kk": "Қарағанды облысы ПД, Октябрь АІІБ",
        "en": "Karaganda Region Police Department, Oktyabrsky district police",
    },
    "UNIT-UKK": {
        "ru": "ДП ВКО, УП г. Усть-Каменогорска",
        "kk": "ШҚО ПД, Өскемен қ. ПБ",
        "en": "East Kazakhstan Police Department, Ust-Kamenogorsk city police",
    },
    "WH-ALM": {
        "ru": "Артиллерийский склад ДП г. Алматы",
        "kk": "Алматы қ. ПД артиллериялық қоймасы",
        "en": "Artillery warehouse of the Almaty Police Department",
    },
    "WH-KRG": {
        "ru": "Артиллерийский склад ДП Карагандинской области",
        "kk": "Қарағанды облысы ПД артиллериялық қоймасы",
        "en": "Artillery warehouse of the Karaganda Region Police Department",
    },
    "CSE-ALM": {
        "ru": "Институт судебных экспертиз по г. Алматы",
        "kk": "Алматы қ. бойынша Сот сараптамалары институты",
        "en": "Institute of Forensic Examinations, Almaty",
    },
    "PLANT-TMR": {
        "ru": "Металлургический комбинат, г. Темиртау",
        "kk": "Металлургиялық комбинат, Теміртау қ.",
        "en": "Metallurgical plant, Temirtau",
    },
}
UNITS = [p[0] for p in PLACES if p[1] == "unit"]
COMMISSION = "TK-ALM"
COMMISSION_NAME = "Техническая комиссия ДП г. Алматы"
COMMISSION_NAMES = {
    "ru": COMMISSION_NAME,
    "kk": "Алматы қ. ПД техникалық комиссиясы",
    "en": "Technical commission of the Almaty Police Department",
}

# username -> (role, name); the commission's members and who signs acts follow
PEOPLE = {
    "admin": ("administrator", FOUNDER),  # as `custody init` names the first administrator
    # the second administrator (`custody init` makes both): what makes a signer is proposed
    # by one and confirmed by the other (workflows.dual)
    "admin2": ("administrator", "Второй администратор"),
    "unit.serikbaev": ("unit_officer", "Серікбаев Нұрлан Асқарұлы"),
    "sklad.omarov": ("warehouse_clerk", "Омаров Ерлан Маратович"),
    "expert.sadykova": ("forensic_examiner", "Садықова Әсел Бауыржанқызы"),
    "chair.nurlanov": ("commission_member", "Нурланов Қайрат Серікұлы"),
    "member.abenova": ("commission_member", "Абенова Гүлнар Өмірзаққызы"),
    "member.kim": ("commission_member", "Ким Виктор Алексеевич"),
    "plant.ivanov": ("plant_representative", "Иванов Сергей Петрович"),
    "official.zhakupov": ("official", "Жақыпов Ержан Талғатұлы"),
    "auditor.li": ("auditor", "Ли Марина Сергеевна"),
    "kassa.amanova": ("paymaster", "Аманова Сәуле Ерланқызы"),
    "kassa.bekov": ("paymaster", "Беков Данияр Маратұлы"),
}
# username -> the places they act at (workflows.access); the administrator and the auditor
# act at none. One officer stands for the site's five units, one clerk for both warehouses.
WAREHOUSES = [p[0] for p in PLACES if p[1] == "warehouse"]
PLACES_OF = {
    "unit.serikbaev": UNITS,
    "sklad.omarov": [*WAREHOUSES, "PLANT-TMR"],
    "expert.sadykova": ["CSE-ALM"],
    "chair.nurlanov": [*WAREHOUSES, "PLANT-TMR"],
    "member.abenova": [*WAREHOUSES, "PLANT-TMR"],
    "member.kim": [*WAREHOUSES, "PLANT-TMR"],
    "plant.ivanov": ["PLANT-TMR"],
    "official.zhakupov": [p[0] for p in PLACES],
    "kassa.amanova": [*UNITS, *WAREHOUSES],
    "kassa.bekov": [*UNITS, *WAREHOUSES],
}
# place -> the person on duty there as staff (the supervision register), beside the units'
STAFF_OF = {
    **dict.fromkeys(WAREHOUSES, "sklad.omarov"),
    "CSE-ALM": "expert.sadykova",
    "PLANT-TMR": "plant.ivanov",  # told of an appeal on an item in a batch there (r19)
}
MEMBERS = [("chair.nurlanov", "chair"), ("member.abenova", "member"), ("member.kim", "member")]
# What the statements print of the people present: full names and posts.
POSITIONS = {
    "chair.nurlanov": "заместитель начальника ДП г. Алматы, полковник полиции",
    "member.abenova": "начальник отдела тылового обеспечения, подполковник полиции",
    "member.kim": "старший инспектор отдела вооружения, майор полиции",
    "plant.ivanov": "главный инженер металлургического комбината",
    "expert.baimukhanov": "эксперт-взрывотехник, капитан полиции",
}
FULL_NAMES = {person: name for person, (_, name) in PEOPLE.items()} | {
    "expert.baimukhanov": "Баймуханов Данияр Ерболович"
}
SIGNERS = ("expert.sadykova", "official.zhakupov", "chair.nurlanov", "member.abenova", "member.kim")

# model, type, calibre, maker, country, rifled, weight in grams, marking letters
MODELS = [
    ("АКМ", "автомат", "7.62x39", "Ижмаш", "СССР", True, 3100, "ВЕ"),
    ("АК-74", "автомат", "5.45x39", "Ижмаш", "СССР", True, 3300, "ЛМ"),
    ("ПМ", "пистолет", "9x18", "Ижмех", "СССР", True, 730, "ТЕ"),
    ("ТТ", "пистолет", "7.62x25", "Тульский оружейный завод", "СССР", True, 850, "ПА"),
    ("ИЖ-27", "ружьё охотничье", "12/70", "Ижмех", "Россия", False, 3300, "Н"),
    ("Сайга-12К", "карабин гладкоствольный", "12/76", "Ижмаш", "Россия", False, 3600, "С"),
    ("СКС", "карабин", "7.62x39", "Тульский оружейный завод", "СССР", True, 3850, "ЗХ"),
    (
        "Мосина обр. 1891/30",
        "винтовка",
        "7.62x54R",
        "Тульский оружейный завод",
        "СССР",
        True,
        4000,
        "ГА",
    ),
]
SOURCES = ["confiscated", "confiscated", "confiscated", "surrendered", "found"]
AMMUNITION = [
    ("патроны 7.62x39", "7.62x39", 1200, 19_800),
    ("патроны 5.45x39", "5.45x39", 2000, 21_400),
    ("ручные гранаты РГД-5", None, 40, 12_400),
]


def firearm(rng: random.Random, n: int, unit: str) -> dict[str, Any]:
    """An intake of a typical firearm; every eleventh one has its marking ground off (R10)."""
    model, kind, calibre, maker, country, rifled, weight, letters = rng.choice(MODELS)
    unmarked = n % 11 == 10
    return {
        "category": "firearm",
        "source": rng.choice(SOURCES),
        "location": unit,
        "weight_g": weight + rng.randrange(-50, 50),
        "rifled": rifled,
        "marking": None if unmarked else f"{letters} {rng.randrange(1000, 999_999):06d}",
        "marking_place": None if unmarked else "ствольная коробка",
        "unmarked": unmarked,
        "details": {
            "type": kind,
            "model": model,
            "calibre": calibre,
            "manufacturer": maker,
            "country": country,
            "year": rng.randrange(1949, 1991) if country == "СССР" else rng.randrange(1995, 2015),
        },
    }


def photo(seed: int) -> bytes:
    """A small real PNG (8x8, one colour per seed): the demo's stand-in for marking photos."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    colour = bytes(((seed * 67) % 256, (seed * 131) % 256, (seed * 29) % 256))
    rows = b"".join(b"\x00" + colour * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )

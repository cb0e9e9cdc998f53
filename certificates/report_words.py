"""The words a report is printed in (Russian, Kazakh, English): titles, the national report's
paragraph, the names of the OSCE and UNODC fields, months. Codes without a word here are
printed through certificates.words (categories, sources), else as the ledger has them."""

from __future__ import annotations

from typing import Final

from certificates.words import UnknownLanguage, words

_WORDS: Final[dict[str, dict[str, str]]] = {
    "ru": {
        "row.surrendered": "Сдано добровольно",
        "row.confiscated": "Конфисковано по решениям",
        "row.found": "Обнаружено",
        "row.surplus": "Излишки государства",
        "title.annual": "Годовой отчёт о стрелковом оружии и лёгких вооружениях за {year} год",
        "place": "Место",
        "all_places": "все подразделения",
        "time_zone": "Часовой пояс",
        "checkpoint": "Контрольная точка журнала",
        "checkpoint.size": "записей",
        "paragraph": (
            "В {year} году добровольно сдано {surrendered} единиц оружия, в том числе "
            "{surrendered_rifled} нарезного. По решениям судов и уполномоченных должностных "
            "лиц конфисковано {confiscated} единиц оружия, в том числе {confiscated_rifled} "
            "нарезного. Обнаружено {found} единиц, в том числе {found_rifled} нарезного; "
            "излишков государства принято {surplus}, в том числе {surplus_rifled} нарезного. "
            "Всего уничтожено {destroyed} единиц оружия, в том числе {destroyed_rifled} "
            "нарезного. Возвращено владельцам {returned}; на конец года хранится как "
            "вещественные доказательства {held}. Уничтожено {rounds_destroyed} боеприпасов "
            "({lots_destroyed} партий), получено {scrap} кг лома."
        ),
        "table.national": "Показатели отчёта",
        "table.osce": "ОБСЕ: обмен информацией о СОЛВ (FSC.DEC/20/00), изъятое и уничтоженное",
        "table.unodc": "УНП ООН: ежегодный вопросник о незаконных потоках оружия (IAFQ)",
        "table.by_place": "По подразделениям",
        "table.by_month": "Оружие по месяцам",
        "col.figure": "Показатель",
        "col.total": "Всего",
        "col.rifled": "В т.ч. нарезное",
        "col.value": "Значение",
        "registered": "Принято на учёт",
        "destroyed": "Уничтожено",
        "returned_to_owner": "Возвращено владельцам",
        "held_as_evidence_at_year_end": "Вещественные доказательства на конец года",
        "lots_registered": "Партий боеприпасов принято",
        "rounds_registered": "Боеприпасов принято, шт.",
        "lots_destroyed": "Партий боеприпасов уничтожено",
        "rounds_destroyed": "Боеприпасов уничтожено, шт.",
        "scrap_weight_kg": "Лом после сжигания, кг",
        "explosive_used_kg": "ВВ или топливо, кг",
        "osce.seized": "SALW seized — изъято (конфисковано и обнаружено)",
        "osce.surplus": "SALW identified as surplus — признано излишками",
        "osce.destroyed": "SALW destroyed — уничтожено",
        "osce.method": "Method of destruction — способ уничтожения",
        "osce.method.value": "переплавка в печи",
        "unodc.seized": "Firearms seized — изъято по решениям",
        "unodc.found": "Firearms found — обнаружено",
        "unodc.surrendered": "Firearms surrendered — сдано добровольно",
        "unodc.destroyed": "Firearms destroyed — уничтожено",
        "unodc.ammunition_seized": "Ammunition seized (units) — боеприпасы, шт.",
        "unodc.ammunition_destroyed": "Ammunition destroyed (units) — уничтожено боеприпасов",
        "verify": "Проверка без доверия к базе: custody verify-report ФАЙЛ",
        "months": "янв фев мар апр май июн июл авг сен окт ноя дек",
    },
    "kk": {
        "row.surrendered": "Өз еркімен тапсырылды",
        "row.confiscated": "Шешім бойынша тәркіленді",
        "row.found": "Табылды",
        "row.surplus": "Мемлекеттің артық қаруы",
        "title.annual": "{year} жылғы атыс қаруы мен жеңіл қару туралы жылдық есеп",
        "place": "Орны",
        "all_places": "барлық бөлімшелер",
        "time_zone": "Уақыт белдеуі",
        "checkpoint": "Журналдың бақылау нүктесі",
        "checkpoint.size": "жазба",
        "paragraph": (
            "{year} жылы {surrendered} қару өз еркімен тапсырылды, оның ішінде "
            "{surrendered_rifled} ойық ұңғылы. Сот және уәкілетті лауазымды адамдардың "
            "шешімдерімен {confiscated} қару тәркіленді, оның ішінде {confiscated_rifled} "
            "ойық ұңғылы. {found} қару табылды, оның ішінде {found_rifled} ойық ұңғылы; "
            "мемлекеттің артық қаруы {surplus}, оның ішінде {surplus_rifled} ойық ұңғылы. "
            "Барлығы {destroyed} қару жойылды, оның ішінде {destroyed_rifled} ойық ұңғылы. "
            "Иелеріне {returned} қайтарылды; жыл соңында {held} заттай дәлел ретінде "
            "сақталады. {rounds_destroyed} оқ-дәрі ({lots_destroyed} партия) жойылды, "
            "{scrap} кг сынық алынды."
        ),
        "table.national": "Есеп көрсеткіштері",
        "table.osce": "ЕҚЫҰ: АҚЖҚ туралы ақпарат алмасу (FSC.DEC/20/00), алынған және жойылған",
        "table.unodc": "БҰҰ ЕҚБ: қарудың заңсыз ағындары туралы жылдық сауалнама (IAFQ)",
        "table.by_place": "Бөлімшелер бойынша",
        "table.by_month": "Айлар бойынша қару",
        "col.figure": "Көрсеткіш",
        "col.total": "Барлығы",
        "col.rifled": "Оның ішінде ойық ұңғылы",
        "col.value": "Мәні",
        "registered": "Есепке алынды",
        "destroyed": "Жойылды",
        "returned_to_owner": "Иелеріне қайтарылды",
        "held_as_evidence_at_year_end": "Жыл соңындағы заттай дәлелдер",
        "lots_registered": "Қабылданған оқ-дәрі партиялары",
        "rounds_registered": "Қабылданған оқ-дәрі, дана",
        "lots_destroyed": "Жойылған оқ-дәрі партиялары",
        "rounds_destroyed": "Жойылған оқ-дәрі, дана",
        "scrap_weight_kg": "Өртеуден кейінгі сынық, кг",
        "explosive_used_kg": "Жарылғыш зат немесе отын, кг",
        "osce.seized": "SALW seized — алынды (тәркіленген және табылған)",
        "osce.surplus": "SALW identified as surplus — артық деп танылды",
        "osce.destroyed": "SALW destroyed — жойылды",
        "osce.method": "Method of destruction — жою тәсілі",
        "osce.method.value": "пеште балқыту",
        "unodc.seized": "Firearms seized — шешіммен алынды",
        "unodc.found": "Firearms found — табылды",
        "unodc.surrendered": "Firearms surrendered — өз еркімен тапсырылды",
        "unodc.destroyed": "Firearms destroyed — жойылды",
        "unodc.ammunition_seized": "Ammunition seized (units) — оқ-дәрі, дана",
        "unodc.ammunition_destroyed": "Ammunition destroyed (units) — жойылған оқ-дәрі",
        "verify": "Дерекқорға сенбей тексеру: custody verify-report ФАЙЛ",
        "months": "қаң ақп нау сәу мам мау шіл там қыр қаз қар жел",
    },
    "en": {
        "row.surrendered": "Voluntarily surrendered",
        "row.confiscated": "Confiscated by decision",
        "row.found": "Found",
        "row.surplus": "State surplus",
        "title.annual": "Annual report on small arms and light weapons, {year}",
        "place": "Place",
        "all_places": "all units",
        "time_zone": "Time zone",
        "checkpoint": "Ledger checkpoint",
        "checkpoint.size": "entries",
        "paragraph": (
            "In {year}, there were {surrendered} weapons voluntarily surrendered, including "
            "{surrendered_rifled} rifled weapons. Courts and empowered officials confiscated "
            "{confiscated} weapons, including {confiscated_rifled} rifled weapons. "
            "{found} weapons were found, including {found_rifled} rifled; {surplus} state "
            "surplus weapons were taken in, including {surplus_rifled} rifled. A total of "
            "{destroyed} weapons were destroyed, including {destroyed_rifled} rifled weapons. "
            "{returned} were returned to their owners; {held} were held as evidence at the end "
            "of the year. {rounds_destroyed} rounds of ammunition ({lots_destroyed} lots) were "
            "destroyed, giving {scrap} kg of scrap."
        ),
        "table.national": "The report's figures",
        "table.osce": "OSCE information exchange on SALW (FSC.DEC/20/00): seized and destroyed",
        "table.unodc": "UNODC Illicit Arms Flows Questionnaire (IAFQ), annual",
        "table.by_place": "By place",
        "table.by_month": "Weapons by month",
        "col.figure": "Figure",
        "col.total": "Total",
        "col.rifled": "Of which rifled",
        "col.value": "Value",
        "registered": "Registered",
        "destroyed": "Destroyed",
        "returned_to_owner": "Returned to owner",
        "held_as_evidence_at_year_end": "Held as evidence at year end",
        "lots_registered": "Ammunition lots registered",
        "rounds_registered": "Rounds registered",
        "lots_destroyed": "Ammunition lots destroyed",
        "rounds_destroyed": "Rounds destroyed",
        "scrap_weight_kg": "Scrap from burning, kg",
        "explosive_used_kg": "Explosive or fuel used, kg",
        "osce.seized": "SALW seized (confiscated and found)",
        "osce.surplus": "SALW identified as surplus",
        "osce.destroyed": "SALW destroyed",
        "osce.method": "Method of destruction",
        "osce.method.value": "melting in a furnace",
        "unodc.seized": "Firearms seized",
        "unodc.found": "Firearms found",
        "unodc.surrendered": "Firearms surrendered",
        "unodc.destroyed": "Firearms destroyed",
        "unodc.ammunition_seized": "Ammunition seized (units)",
        "unodc.ammunition_destroyed": "Ammunition destroyed (units)",
        "verify": "Checked without trusting the database: custody verify-report FILE",
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    },
}


def report_words(lang: str) -> dict[str, str]:
    """The report's words and the statements' (categories, sources) in `lang`.
    Raises UnknownLanguage."""
    if lang not in _WORDS:
        raise UnknownLanguage(f"no report language {lang!r}: choose {', '.join(_WORDS)}")
    return {**words(lang), **_WORDS[lang]}

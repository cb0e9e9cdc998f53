"""The words a statement is printed in: Russian, Kazakh and English.

Codes from the ledger (categories, sources, registry results, roles, facts) are printed in the
statement's language; anything without a word here is printed as the ledger has it.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("ru", "kk", "en")

_WORDS: Final[dict[str, dict[str, str]]] = {
    "ru": {
        "title.furnace": "Акт уничтожения оружия путём переплавки",
        "title.burn": "Акт уничтожения боеприпасов",
        "batch": "Партия",
        "place": "Место",
        "installation": "Установка",
        "destroyed_at": "Дата и время уничтожения",
        "commission": "Комиссия",
        "present": "Присутствовали",
        "method": "Способ уничтожения",
        "method.furnace": (
            "неметаллические части удалены и сожжены; оружие деформировано механически; "
            "стволы разрезаны газовой горелкой вдоль и поперёк, прочие части разрезаны; "
            "переплавлено в печи"
        ),
        "method.burn": (
            "взрыватели, средства воспламенения и детонаторы извлечены; бумажная и картонная "
            "упаковка удалена; порох выжжен в металлическом бункере с подачей по желобу"
        ),
        "items": "Перечень уничтоженного",
        "col.n": "№",
        "col.id": "Учётный №",
        "col.marking": "Маркировка / бирка",
        "col.category": "Вид",
        "col.model": "Модель",
        "col.calibre": "Калибр",
        "col.quantity": "Кол-во",
        "col.source": "Источник",
        "col.decision": "Решение",
        "col.registry": "Пулегильзотека",
        "col.weight": "Масса, кг",
        "facts": "Сведения об уничтожении",
        "signatures": "Подписи членов комиссии",
        "sig.person": "Член комиссии",
        "sig.key": "Ключ",
        "sig.time": "Подписано",
        "sig.none": "Подписей нет",
        "status.final": "Акт окончательный: подписан кворумом комиссии",
        "status.pending": "Акт не окончательный: кворум подписей не собран",
        "utc": "UTC",
        "evidence": (
            "Доказательства приложены к файлу (evidence.json); проверка без сети: "
            "custody verify-statement ФАЙЛ.pdf"
        ),
        "checkpoint": "Контрольная точка журнала",
        "page": "стр.",
        "firearm": "огнестрельное",
        "gas": "газовое",
        "edged": "холодное",
        "part": "часть оружия",
        "ammunition": "боеприпасы",
        "confiscated": "конфисковано",
        "surrendered": "сдано добровольно",
        "found": "найдено",
        "surplus": "излишки",
        "no_match": "совпадений нет",
        "match": "совпадение",
        "not_testable": "не испытывалось",
        "commission_member": "член комиссии",
        "chair": "председатель комиссии",
        "sig.role": "Роль",
        "plant_representative": "представитель предприятия",
        "expert": "эксперт",
        "fact.charge_weight_g": "Масса загрузки, кг",
        "fact.scrap_weight_g": "Масса полученного лома, кг",
        "fact.items_weight_g": "Масса предметов по учёту, кг",
        "fact.difference_g": "Расхождение, кг",
        "fact.tolerance_g": "Допуск, кг",
        "fact.method": "Способ",
        "fact.quantity": "Количество, шт.",
        "fact.explosive_type": "Тип ВВ или топлива",
        "fact.explosive_amount": "Количество ВВ или топлива, г",
        "removed.fuses": "Извлечено взрывателей, шт.",
        "removed.firing_devices": "Извлечено средств воспламенения, шт.",
        "removed.detonators": "Извлечено детонаторов, шт.",
        "discrepancies": "Расхождения и их урегулирование",
        "disc.id": "Расхождение",
        "disc.reason": "Причина",
        "reason.weight": "масса загрузки не сходится с массой предметов по учёту сверх допуска",
        "disc.recorded_at": "Выявлено",
        "disc.resolution": "Урегулировано как",
        "resolution.found": "найдено: разница объяснена",
        "resolution.corrected": "исправлено: учётная запись была ошибочной",
        "resolution.open": "не урегулировано",
        "disc.resolved_at": "Дата урегулирования",
        "disc.note": "Пояснение",
        "disc.corrected_charge_g": "Исправленная масса загрузки, кг",
    },
    "kk": {
        "title.furnace": "Қаруды балқыту арқылы жою актісі",
        "title.burn": "Оқ-дәрілерді жою актісі",
        "batch": "Партия",
        "place": "Орны",
        "installation": "Қондырғы",
        "destroyed_at": "Жойылған күні мен уақыты",
        "commission": "Комиссия",
        "present": "Қатысқандар",
        "method": "Жою тәсілі",
        "method.furnace": (
            "металл емес бөліктері алынып, өртелді; қару механикалық түрде деформацияланды; "
            "ұңғылар газ оттығымен бойынан және көлденеңінен кесілді, басқа бөліктері "
            "кесілді; пеште балқытылды"
        ),
        "method.burn": (
            "оталғыштар, тұтандыру құралдары мен детонаторлар алынды; қағаз және картон "
            "қаптамасы алынды; оқ-дәрі науа арқылы берілетін металл бункерде өртелді"
        ),
        "items": "Жойылғандардың тізбесі",
        "col.n": "№",
        "col.id": "Есептік №",
        "col.marking": "Таңбасы / белгі",
        "col.category": "Түрі",
        "col.model": "Үлгісі",
        "col.calibre": "Калибрі",
        "col.quantity": "Саны",
        "col.source": "Көзі",
        "col.decision": "Шешім",
        "col.registry": "Оқ-гильза есебі",
        "col.weight": "Салмағы, кг",
        "facts": "Жою туралы мәліметтер",
        "signatures": "Комиссия мүшелерінің қолдары",
        "sig.person": "Комиссия мүшесі",
        "sig.key": "Кілт",
        "sig.time": "Қол қойылды",
        "sig.none": "Қолдар жоқ",
        "status.final": "Акт түпкілікті: комиссияның кворумы қол қойды",
        "status.pending": "Акт түпкілікті емес: қолдардың кворумы жиналмаған",
        "utc": "UTC",
        "evidence": (
            "Дәлелдер файлға тіркелген (evidence.json); желісіз тексеру: "
            "custody verify-statement ФАЙЛ.pdf"
        ),
        "checkpoint": "Журналдың бақылау нүктесі",
        "page": "бет",
        "firearm": "атыс қаруы",
        "gas": "газ қаруы",
        "edged": "суық қару",
        "part": "қару бөлігі",
        "ammunition": "оқ-дәрілер",
        "confiscated": "тәркіленген",
        "surrendered": "өз еркімен тапсырылған",
        "found": "табылған",
        "surplus": "артық мүлік",
        "no_match": "сәйкестік жоқ",
        "match": "сәйкестік бар",
        "not_testable": "сынақтан өтпеген",
        "commission_member": "комиссия мүшесі",
        "chair": "комиссия төрағасы",
        "sig.role": "Рөлі",
        "plant_representative": "кәсіпорын өкілі",
        "expert": "сарапшы",
        "fact.charge_weight_g": "Жүктеме салмағы, кг",
        "fact.scrap_weight_g": "Алынған сынықтың салмағы, кг",
        "fact.items_weight_g": "Есеп бойынша заттардың салмағы, кг",
        "fact.difference_g": "Айырмашылық, кг",
        "fact.tolerance_g": "Рұқсат етілген ауытқу, кг",
        "fact.method": "Тәсілі",
        "fact.quantity": "Саны, дана",
        "fact.explosive_type": "Жарылғыш зат немесе отын түрі",
        "fact.explosive_amount": "Жарылғыш зат немесе отын мөлшері, г",
        "removed.fuses": "Алынған оталғыштар, дана",
        "removed.firing_devices": "Алынған тұтандыру құралдары, дана",
        "removed.detonators": "Алынған детонаторлар, дана",
        "discrepancies": "Сәйкессіздіктер және оларды реттеу",
        "disc.id": "Сәйкессіздік",
        "disc.reason": "Себебі",
        "reason.weight": (
            "жүктеме салмағы есеп бойынша заттардың салмағымен рұқсат етілген ауытқудан тыс "
            "сәйкес келмейді"
        ),
        "disc.recorded_at": "Анықталды",
        "disc.resolution": "Реттелу тәсілі",
        "resolution.found": "табылды: айырмашылық түсіндірілді",
        "resolution.corrected": "түзетілді: есеп жазбасы қате болған",
        "resolution.open": "реттелмеген",
        "disc.resolved_at": "Реттелген күні",
        "disc.note": "Түсініктеме",
        "disc.corrected_charge_g": "Түзетілген жүктеме салмағы, кг",
    },
    "en": {
        "title.furnace": "Weapons destruction statement: melting",
        "title.burn": "Ammunition destruction statement",
        "batch": "Batch",
        "place": "Place",
        "installation": "Installation",
        "destroyed_at": "Date and time of destruction",
        "commission": "Commission",
        "present": "Present",
        "method": "Method",
        "method.furnace": (
            "non-metallic parts removed and incinerated; weapons deformed mechanically; "
            "barrels cut with a gas torch along and across, other parts cut through; "
            "melted in a furnace"
        ),
        "method.burn": (
            "fuses, firing devices and detonators removed; paper and cardboard packaging "
            "removed; powder burned off in a metal bunker fed by a chute"
        ),
        "items": "Items destroyed",
        "col.n": "No.",
        "col.id": "Record no.",
        "col.marking": "Marking / tag",
        "col.category": "Type",
        "col.model": "Model",
        "col.calibre": "Calibre",
        "col.quantity": "Qty",
        "col.source": "Source",
        "col.decision": "Decision",
        "col.registry": "Bullet registry",
        "col.weight": "Weight, kg",
        "facts": "Destruction facts",
        "signatures": "Signatures of the commission members",
        "sig.person": "Commission member",
        "sig.key": "Key",
        "sig.time": "Signed",
        "sig.none": "No signatures",
        "status.final": "Final: signed by a quorum of the commission",
        "status.pending": "Not final: the quorum has not signed",
        "utc": "UTC",
        "evidence": (
            "The evidence is attached to this file (evidence.json); to check it offline: "
            "custody verify-statement FILE.pdf"
        ),
        "checkpoint": "Ledger checkpoint",
        "page": "page",
        "firearm": "firearm",
        "gas": "gas weapon",
        "edged": "edged weapon",
        "part": "weapon part",
        "ammunition": "ammunition",
        "confiscated": "confiscated",
        "surrendered": "surrendered",
        "found": "found",
        "surplus": "state surplus",
        "no_match": "no match",
        "match": "match",
        "not_testable": "not testable",
        "commission_member": "commission member",
        "chair": "commission chair",
        "sig.role": "Role",
        "plant_representative": "plant representative",
        "expert": "expert",
        "fact.charge_weight_g": "Charge weight, kg",
        "fact.scrap_weight_g": "Scrap obtained, kg",
        "fact.items_weight_g": "Weight of the items on record, kg",
        "fact.difference_g": "Difference, kg",
        "fact.tolerance_g": "Tolerance, kg",
        "fact.method": "Method",
        "fact.quantity": "Quantity, pieces",
        "fact.explosive_type": "Explosive or fuel used",
        "fact.explosive_amount": "Amount of explosive or fuel, g",
        "removed.fuses": "Fuses removed",
        "removed.firing_devices": "Firing devices removed",
        "removed.detonators": "Detonators removed",
        "discrepancies": "Discrepancies and how they were settled",
        "disc.id": "Discrepancy",
        "disc.reason": "Reason",
        "reason.weight": (
            "the charge weight does not reconcile with the items' weight on record beyond "
            "the tolerance"
        ),
        "disc.recorded_at": "Found",
        "disc.resolution": "Settled as",
        "resolution.found": "found: the difference is accounted for",
        "resolution.corrected": "corrected: the record was wrong",
        "resolution.open": "not settled",
        "disc.resolved_at": "Settled at",
        "disc.note": "Note",
        "disc.corrected_charge_g": "Corrected charge weight, kg",
    },
}


class UnknownLanguage(ValueError):
    """A statement was asked for in a language we have no words for."""


def words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise UnknownLanguage(f"no statement language {lang!r}: choose {', '.join(LANGUAGES)}")
    return _WORDS[lang]


def word(lang: str, code: str | None) -> str:
    """The word for a code from the ledger, or the code itself."""
    if code is None:
        return ""
    return words(lang).get(code, code)

"""A notice as an e-mail, in Russian, Kazakh and English, sent with the standard library's
smtplib through the server CUSTODY_SMTP_URL names. The password in the URL is never logged
nor put in an error message."""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from api.notices.config import NoticeConfig
from api.notices.outbox import KEY_REGISTERED, Outgoing
from custody.clock import parse_time
from workflows import terms
from workflows.escalation import (
    APPEALED_IN_PROCESS,
    DESTROYED_ALREADY,
    DESTROYED_EARLY,
    LONG_PAUSE,
    MELTED_ALREADY,
    WAITS,
)

SUBJECTS = {
    "due_soon": ("Срок истекает", "Мерзімі өтуде", "Deadline due soon"),
    "overdue": ("Срок пропущен", "Мерзімі өтті", "Deadline overdue"),
    LONG_PAUSE: (
        "Срок приостановлен слишком долго",
        "Мерзімі тым ұзақ тоқтатылды",
        "Deadline paused too long",
    ),
    APPEALED_IN_PROCESS: (
        "Решение обжаловано: уничтожение ожидает",
        "Шешімге шағым берілді: жою күтеді",
        "Decision appealed: destruction waits",
    ),
    DESTROYED_EARLY: (
        "Обжалование после начала уничтожения",
        "Жою басталғаннан кейінгі шағым",
        "Appealed after destruction began",
    ),
    KEY_REGISTERED: (
        "На ваше имя зарегистрирован ключ",
        "Сіздің атыңызға кілт тіркелді",
        "A key was registered in your name",
    ),
}
RULES = {
    "R1": (
        "хранение в подразделении после решения (10 суток)",
        "шешімнен кейін бөлімшеде сақтау (10 тәулік)",
        "held at the unit after the decision (10 days)",
    ),
    "R2": (
        "направление на криминалистическую экспертизу (48 часов)",
        "криминалистикалық сараптамаға жіберу (48 сағат)",
        "sent to forensics (48 hours)",
    ),
    # Not a rule of the law: the ministry's watch on an item sent and not yet received.
    "transit": (
        "перемещение: отправлено, не получено (контроль в пути, не норма закона)",
        "тасымалдау: жіберілді, қабылданбады (жолдағы бақылау, заң нормасы емес)",
        "transfer sent and not received (transit watch, not a rule of the law)",
    ),
}


class MailError(Exception):
    """The mail server could not be reached or refused the message (no secrets in it)."""


def message_id(notice: Outgoing, sender: str) -> str:
    """The notice's own Message-ID (RFC 5322 §3.6.4): the same for every copy of one notice
    (a resend is recognisable), and no other notice's, even of another database whose ids
    run the same (the id and a digest of what the notice is), at the sender's domain."""
    what = "\x1f".join(
        (notice.item, notice.rule, notice.due_at, notice.kind, notice.level, notice.person)
    )
    digest = hashlib.sha256(what.encode()).hexdigest()[:20]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "custody.localhost"
    return f"<notice-{notice.id}.{digest}@{domain}>"


# An `appeal_waits` notice's subject and words for an item already melted or burned, or
# destroyed, while its decision is contested (workflows.escalation.appeal_waits_case, r19).
APPEALED_TOO_LATE: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    MELTED_ALREADY: (
        (
            "Решение обжаловано: предмет уже расплавлен или сожжён",
            "Шешімге шағым берілді: зат балқытылған немесе өртелген",
            "Decision appealed: the item is already melted or burned",
        ),
        (
            "предмет уже расплавлен или сожжён, акт ещё не окончателен: обжалование уже не "
            "может это остановить; проверьте, как это произошло",
            "зат балқытылған немесе өртелген, акт әлі түпкілікті емес: шағым енді оны "
            "тоқтата алмайды; бұл қалай болғанын тексеріңіз",
            "the item is already melted or burned, its statement not final yet: the appeal "
            "can no longer stop it; check how that happened",
        ),
    ),
    DESTROYED_ALREADY: (
        (
            "Решение обжаловано: предмет уже уничтожен",
            "Шешімге шағым берілді: зат жойылған",
            "Decision appealed: the item is already destroyed",
        ),
        (
            "предмет уже уничтожен, акт окончателен: обжалование уже не может это "
            "остановить; проверьте, как это произошло",
            "зат жойылған, акт түпкілікті: шағым енді оны тоқтата алмайды; бұл қалай "
            "болғанын тексеріңіз",
            "the item is already destroyed, its statement final: the appeal can no longer "
            "stop it; check how that happened",
        ),
    ),
}


def message(notice: Outgoing, sender: str, zone: str, case: str = WAITS) -> EmailMessage:
    """The e-mail of one notice; its Message-ID is the notice's, so a copy sent twice (a
    worker killed between the server's reply and its commit) is recognisably the same.
    `case`: for an `appeal_waits` notice, workflows.escalation.appeal_waits_case of its item
    as it is when sent (WAITS, MELTED_ALREADY, DESTROYED_ALREADY); other kinds ignore it."""
    due = parse_time(notice.due_at)
    local = due.astimezone(ZoneInfo(zone))
    # A due time as the CLI and the web say it (24:00 of the last day); a key's registration
    # is a moment, not the end of a day.
    moment = notice.kind in (KEY_REGISTERED, APPEALED_IN_PROCESS, DESTROYED_EARLY)
    wall = f"{local:%Y-%m-%d %H:%M}" if moment else None
    when = f"{wall or terms.as_the_law_words(local)} {local:%Z} ({due:%Y-%m-%d %H:%M} UTC)"
    ru, kk, en = SUBJECTS[notice.kind]
    too_late = APPEALED_TOO_LATE.get(case) if notice.kind == APPEALED_IN_PROCESS else None
    if too_late is not None:
        (ru, kk, en), (said_ru, said_kk, said_en) = too_late
    rule_ru, rule_kk, rule_en = RULES.get(notice.rule, (notice.rule,) * 3)
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = notice.email
    mail["Subject"] = f"{ru} / {kk} / {en}: {notice.rule} {notice.item}"
    mail["Message-ID"] = message_id(notice, sender)
    mail["X-Custody-Notice"] = str(notice.id)
    if notice.kind == KEY_REGISTERED:
        mail.set_content(
            f"{ru}: {notice.item}, {when}. Если вы его не запрашивали, сообщите администратору.\n"
            f"{kk}: {notice.item}, {when}. Оны сұрамаған болсаңыз, әкімшіге хабарлаңыз.\n"
            f"{en}: {notice.item}, {when}. If you did not ask for it, tell the administrator.\n\n"
            f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
        )
        return mail
    if too_late is not None:
        mail.set_content(
            f"{ru}: {notice.item}. Решение обжаловано или приостановлено ({when}), когда "
            f"предмет уже покинул подразделение; {said_ru}. Место: {notice.place}.\n"
            f"{kk}: {notice.item}. Зат бөлімшеден кеткеннен кейін шешімге шағым берілді "
            f"немесе ол тоқтатылды ({when}); {said_kk}. Орны: {notice.place}.\n"
            f"{en}: {notice.item}. The decision was appealed or suspended ({when}) after the "
            f"item had left the unit; {said_en}. Place: {notice.place}.\n\n"
            f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
        )
        return mail
    if notice.kind == APPEALED_IN_PROCESS:
        mail.set_content(
            f"{ru}: {notice.item}. Решение обжаловано или приостановлено ({when}), когда "
            f"предмет уже покинул подразделение; его нельзя уничтожать, пока решение не "
            f"вступит в силу. Место: {notice.place}.\n"
            f"{kk}: {notice.item}. Зат бөлімшеден кеткеннен кейін шешімге шағым берілді "
            f"немесе ол тоқтатылды ({when}); шешім күшіне енгенше оны жоюға болмайды. "
            f"Орны: {notice.place}.\n"
            f"{en}: {notice.item}. The decision was appealed or suspended ({when}) after the "
            f"item had left the unit; it may not be destroyed until the decision is final. "
            f"Place: {notice.place}.\n\n"
            f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
        )
        return mail
    if notice.kind == DESTROYED_EARLY:
        mail.set_content(
            f"{ru}: {notice.item}. Решение обжаловано или приостановлено ({when}) с датой "
            f"не позднее уже записанного шага уничтожения предмета. Проверьте, как это "
            f"произошло. Место: {notice.place}.\n"
            f"{kk}: {notice.item}. Шешімге шағым берілді немесе ол тоқтатылды ({when}), оның "
            f"күні заттың жазылған жою қадамынан кеш емес. Бұл қалай болғанын тексеріңіз. "
            f"Орны: {notice.place}.\n"
            f"{en}: {notice.item}. The decision was appealed or suspended ({when}), dated on "
            f"or before a step that had already destroyed or altered the item. Check how "
            f"that happened. Place: {notice.place}.\n\n"
            f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
        )
        return mail
    if notice.kind == LONG_PAUSE:
        mail.set_content(
            f"{ru}: {notice.item}, {notice.rule} — {rule_ru}. Обжалование или "
            f"приостановление остановило срок и длится дольше допустимого с {when}. "
            f"Проверьте документ. Место: {notice.place}.\n"
            f"{kk}: {notice.item}, {notice.rule} — {rule_kk}. Шағым немесе тоқтата тұру "
            f"мерзімді тоқтатты және {when} бастап рұқсаттан ұзақ созылуда. Құжатты "
            f"тексеріңіз. Орны: {notice.place}.\n"
            f"{en}: {notice.item}, {notice.rule} — {rule_en}. An appeal or suspension has "
            f"stopped the term for longer than allowed since {when}. Check its document. "
            f"Place: {notice.place}.\n\n"
            f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
        )
        return mail
    mail.set_content(
        f"{ru}: {notice.item}, {notice.rule} — {rule_ru}. Срок: {when}. Место: {notice.place}.\n"
        f"{kk}: {notice.item}, {notice.rule} — {rule_kk}. Мерзімі: {when}. Орны: {notice.place}.\n"
        f"{en}: {notice.item}, {notice.rule} — {rule_en}. Due: {when}. Place: {notice.place}.\n\n"
        f"custody notices ack {notice.id}   |   POST /notices/{notice.id}/ack\n"
    )
    return mail


@contextmanager
def connection(config: NoticeConfig) -> Iterator[smtplib.SMTP]:
    """An open, logged-in connection to the configured server; raises MailError."""
    url = urlsplit(config.smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise MailError("CUSTODY_SMTP_URL is smtp://host[:port] or smtps://host[:port]")
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    kind = smtplib.SMTP_SSL if secure else smtplib.SMTP
    try:
        server = kind(url.hostname, port, timeout=config.smtp_timeout_seconds)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"mail server {url.hostname}:{port}: {type(exc).__name__}") from None
    try:
        if parse_qs(url.query).get("starttls") == ["1"]:
            server.starttls()
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        yield server
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()

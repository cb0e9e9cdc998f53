"""The pages' languages (ru, kk, en): gettext catalogues kept as .po files under
api/web/locale/, compiled in memory when the service starts (Babel), and the sentences of the
process's refusals said in the reader's language.

    translations("kk").gettext("Log in")           # "Кіру"
    refusal(RuleViolation("R3", "...", "KZ-1"), "kk")

Messages are extracted from the templates and from this room's Python (`make messages`:
pybabel extract, update; api/web/babel.cfg says where). English is the language of the
msgids; a message missing in Russian or Kazakh is a failing test (tests/test_web_i18n.py).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from pydantic import ValidationError

from api.web import labels
from workflows.errors import RuleViolation

LANGUAGES = ("ru", "kk", "en")
DEFAULT = "ru"
NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def language_of(given: str | None, accept: str | None = None) -> str:
    """The given language if we have it, else the first of Accept-Language we have, else ru."""
    if given in LANGUAGES:
        return given
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language`, compiled from its .po file (ValueError if unknown)."""
    if language not in LANGUAGES:
        raise ValueError(f"no language {language!r}: {', '.join(LANGUAGES)}")
    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return NullTranslations()
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_of(language: str) -> Callable[[str], str]:
    return translations(language).gettext


def number(value: int | float, language: str) -> str:
    """A count as a reader of `language` writes it: its digits grouped by the locale (Babel,
    CLDR): `1,000` in English, `1 000` (a no-break space) in Russian and Kazakh, where a
    comma is the decimal sign and `1,000` reads as one (issue 12)."""
    return format_decimal(value, locale=language)


# A count the English of a sentence groups with commas ("at most 100,000 rows"): a pattern
# captures it as `[\d,]+` (`_counts`), and the reader's language groups it again.
_COUNT_GROUP = re.compile(r"\(\?P<(\w+)>\[\\d,\]\+\)")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})*")


@cache
def _counts(pattern: re.Pattern[str]) -> frozenset[str]:
    """The names of `pattern`'s groups that capture a count grouped with commas."""
    return frozenset(_COUNT_GROUP.findall(pattern.pattern))


def _regrouped(count: str, language: str) -> str:
    """`count` as the English wrote it ("1,000") grouped as `language` groups it; text that
    is no such count as it is."""
    if _GROUPED.fullmatch(count) is None:
        return count
    return number(int(count.replace(",", "")), language)


# -- words of the process ---------------------------------------------------------------------

# Entry kinds (a step of the process is one) and states, as a person names them: the one
# table of labels (api.web.labels).
STEPS = labels.KINDS
STATES = labels.STATES

# The sentences of workflows.rules, each a pattern of the English the process writes and the
# msgid that says it; what a pattern captures goes into the translation as it is (ids, cases),
# except a `step` or `state`, which is translated too.
_GATED = {
    "parts removal": "parts_removed",
    "parts incineration": "parts_incinerated",
    "deformation": "deformed",
    "cutting": "cut",
    "loading into a furnace": "batch_loaded",
    "melting": "melted",
}
# The dated facts of a decision an R1 refusal names (workflows.deadlines.fact).
_FACTS = {
    "decision": N_("decision"),
    "appealed": N_("appeal"),
    "suspended": N_("suspension"),
    "final": N_("finality"),
    "reversed": N_("reversal"),
}
# The roles an ACCESS refusal names (an account with none "holds" no role).
_ROLE_WORDS = {**labels.ROLES, "no role": N_("no role")}
CUT_PARTS = {
    "barrel cut along": N_("barrel cut along"),
    "barrel cut across": N_("barrel cut across"),
    "other parts cut through": N_("other parts cut through"),
}
"""R6's parts, as workflows.rules.r6_cut_through names those not yet cut."""

REFUSALS: list[tuple[re.Pattern[str], str]] = [
    # R6: the parts not yet cut, each in the reader's language (CUT_PARTS)
    (
        re.compile(r"the cutting must be recorded as done: (?P<parts>.+)"),
        N_("the cutting must be recorded as done: %(parts)s"),
    ),
    # A weight after intake heavier than the intake weight allows (rules._weight)
    (
        re.compile(
            r"(?P<name>.+) weighs (?P<weight>\d+) g now but (?P<intake>\d+) g at intake: a "
            r"weight after intake is at most (?P<most>\d+) g; weigh it again"
        ),
        N_(
            "%(name)s weighs %(weight)s g now but %(intake)s g at intake: a weight after "
            "intake is at most %(most)s g; weigh it again"
        ),
    ),
    (
        re.compile(r"weigh the item now \(weight_g, a whole number of grams\)"),
        N_("weigh the item now: its weight is a whole number of grams"),
    ),
    (
        re.compile(
            r"the marking is missing; if the item has none, register it as unmarked so that "
            r"it gets an internal tag"
        ),
        N_(
            "the marking is missing; if the item has none, register it as unmarked so that "
            "it gets an internal tag"
        ),
    ),
    (
        re.compile(
            r"this key is registered already \(key (?P<key>[0-9a-f]{8})\): make a new one "
            r"with custody keygen and ask again"
        ),
        N_(
            "this key is registered already (key %(key)s): make a new one with custody keygen "
            "and ask again"
        ),
    ),
    (
        re.compile(
            r"this public key is registered already \(key (?P<key>[0-9a-f]{8})\): a new "
            r"key is made with custody keygen"
        ),
        N_(
            "this public key is registered already (key %(key)s): a new key is made with "
            "custody keygen"
        ),
    ),
    # R10: the item holding a marking is named only to a reader of its place.
    (
        re.compile(r"marking (?P<marking>.+) is already registered as item (?P<item>\S+)"),
        N_("marking %(marking)s is already registered as item %(item)s"),
    ),
    (
        re.compile(r"marking (?P<marking>.+) is already registered to a live item"),
        N_("marking %(marking)s is already registered to a live item"),
    ),
    (
        re.compile(
            r"marking (?P<marking>.+) is given twice in this request \(positions "
            r"(?P<first>\d+) and (?P<second>\d+)\)"
        ),
        N_(
            "marking %(marking)s is given twice in this request (positions %(first)s and "
            "%(second)s)"
        ),
    ),
    (
        re.compile(r"the bullet-registry result must be recorded before (?P<step>.+)"),
        N_("the bullet-registry result must be recorded before this step: %(step)s"),
    ),
    (
        re.compile(
            r"a registry match holds the item as evidence for case (?P<case>.+) until an "
            r"authorised release"
        ),
        N_("a registry match holds the item as evidence for case %(case)s until it is released"),
    ),
    (
        re.compile(
            r"the item is held as evidence for case (?P<case>.+) until an authorised release"
        ),
        N_("the item is held as evidence for case %(case)s until it is released"),
    ),
    (
        re.compile(r"no decision has been recorded; the item stays at the unit"),
        N_("no decision has been recorded; the item stays at the unit"),
    ),
    (
        re.compile(r"the decision is (?P<state>\w+); the item stays at the unit until it is final"),
        N_("the decision is %(state)s; the item stays at the unit until it is final"),
    ),
    (
        re.compile(
            r"the decision is (?P<state>\w+); the item may not be destroyed until the "
            r"decision is final"
        ),
        N_("the decision is %(state)s; the item may not be destroyed until the decision is final"),
    ),
    (
        re.compile(
            r"nothing stops the destruction of (?P<name>.+): only an item whose decision is "
            r"appealed, suspended, reversed or not final, or suspected of diversion, is unloaded"
        ),
        N_(
            "nothing stops the destruction of %(name)s: only an item whose decision is "
            "appealed, suspended, reversed or not final, or suspected of diversion, is taken "
            "out of a batch"
        ),
    ),
    (
        re.compile(
            r"the decision is not final yet; the item may not be destroyed until its finality "
            r"is recorded"
        ),
        N_(
            "the decision is not final yet; the item may not be destroyed until its finality "
            "is recorded"
        ),
    ),
    (
        re.compile(
            r"(?P<step>[a-z ]+) cannot follow a decision that is (?P<state>\w+) "
            r"\(next: (?P<next>[^)]*)\)"
        ),
        N_("%(step)s cannot follow: the decision's status is %(state)s"),
    ),
    (
        re.compile(
            r"(?P<step>[a-z ]+) cannot be recorded now: the item has left the unit, and where "
            r"it is and what became of it are for the place that holds it"
        ),
        N_(
            "%(step)s cannot be recorded now: the item has left the unit, and where it is and "
            "what became of it are for the place that holds it"
        ),
    ),
    (
        re.compile(r"the decision was reversed; the item goes back to its owner"),
        N_("the decision was reversed; the item goes back to its owner"),
    ),
    (
        re.compile(r"(?P<name>.+) has an open discrepancy \((?P<id>.+)\); resolve it first"),
        N_("%(name)s has an open discrepancy (%(id)s); resolve it first"),
    ),
    (
        re.compile(r"(?P<name>.+) is (?P<state>\w+); nothing more can be done"),
        N_("%(name)s is %(state)s; nothing more can be done"),
    ),
    (
        re.compile(r"(?P<step>[a-z ]+) cannot follow (?P<state>[a-z ]+) \(next: (?P<next>.*)\)"),
        N_("%(step)s cannot follow %(state)s"),
    ),
    (
        re.compile(r".+ needs a photo with its marking visible"),
        N_("a photo with the marking visible is needed for this step"),
    ),
    # The commission at the furnace or bunker (R7, R8, R9).
    (
        re.compile(r"(?P<person>\S+) was not recorded present as a commission member"),
        N_("%(person)s was not recorded present as a commission member: only members present sign"),
    ),
    (
        re.compile(r"(?P<person>\S+) was not a member of (?P<commission>.+) at the time"),
        N_("%(person)s was not a member of %(commission)s at the time of the destruction"),
    ),
    (
        re.compile(
            r"the signature's time (?P<time>\S+) is before the destruction at (?P<at>\S+): "
            r"a statement is not signed before the fact"
        ),
        N_(
            "the signature is dated %(time)s, before the destruction at %(at)s: a statement "
            "is not signed before the fact"
        ),
    ),
    (
        re.compile(
            r"the signature's time (?P<time>\S+) is more than (?P<minutes>\d+) minutes ahead "
            r"of the clock \((?P<now>\S+)\)"
        ),
        N_(
            "the signature is dated %(time)s, more than %(minutes)s minutes ahead of the "
            "server's clock (%(now)s): a statement is not signed in advance"
        ),
    ),
    (
        re.compile(r"(?P<person>\S+) has signed this statement already"),
        N_("%(person)s has signed this statement already"),
    ),
    (
        re.compile(r"the statement of batch (?P<batch>.+) is final: its quorum signed it"),
        N_("the statement of batch %(batch)s is final: its quorum signed it"),
    ),
    (
        re.compile(r"batch (?P<batch>.+) has not been destroyed yet; nothing to sign"),
        N_("batch %(batch)s has not been destroyed yet; there is nothing to sign"),
    ),
    (
        re.compile(r"the statement is blocked by discrepancy (?P<id>.+); resolve it first"),
        N_("the statement is blocked by discrepancy %(id)s; resolve it first"),
    ),
    (
        re.compile(
            r"(?P<present>\d+) of the commission's (?P<members>\d+) members are recorded "
            r"present; the quorum is (?P<quorum>\d+)"
        ),
        N_("%(present)s of the %(members)s members are recorded present; the quorum is %(quorum)s"),
    ),
    (
        re.compile(r"a plant representative must be recorded present"),
        N_("a representative of the plant must be recorded present"),
    ),
    (
        re.compile(r"a expert must be recorded present"),
        N_("an ammunition-destruction expert must be recorded present"),
    ),
    # R11-R15 (workflows.diversion)
    (
        re.compile(
            r"(?P<name>.+) is suspected of diversion \((?P<id>.+)\); an authorised official's "
            r"signed resolution must come first"
        ),
        N_(
            "%(name)s is suspected of diversion (%(id)s); an authorised official's signed "
            "resolution must come first"
        ),
    ),
    (
        re.compile(
            r"(?P<id>.+) is a diversion suspicion: an official settles it with a signed act "
            r"\(diversion_resolved\)"
        ),
        N_("%(id)s is a diversion suspicion: an official settles it with a signed act"),
    ),
    (
        re.compile(r"(?P<name>.+) is suspected already \((?P<id>.+)\)"),
        N_("%(name)s is suspected already (%(id)s)"),
    ),
    (
        re.compile(
            r"(?P<name>.+) is not the weapon of item (?P<old>\S+): the marking, category and "
            r"model must be one, and that item destroyed or returned"
        ),
        N_(
            "%(name)s is not the weapon of item %(old)s: the marking, category and model must "
            "be one, and that item destroyed or returned"
        ),
    ),
    (
        re.compile(r"suspicion (?P<id>.+) is resolved already"),
        N_("suspicion %(id)s is resolved already"),
    ),
    (
        re.compile(r"(?P<name>.+) is suspected of diversion \((?P<id>.+)\); nothing is paid"),
        N_("%(name)s is suspected of diversion (%(id)s); nothing is paid"),
    ),
    (
        re.compile(r"(?P<name>.+) was not surrendered in a campaign"),
        N_("%(name)s was not surrendered in a campaign"),
    ),
    (
        re.compile(
            r"the bullet registry's result is not recorded yet: no compensation for (?P<name>.+)"
        ),
        N_("the bullet registry's result is not recorded yet: no compensation for %(name)s"),
    ),
    (
        re.compile(
            r"the bullet registry's result is (?P<result>\w+); it goes to evidence: no "
            r"compensation for (?P<name>.+)"
        ),
        N_(
            "the bullet registry's result is %(result)s; it goes to evidence: no compensation "
            "for %(name)s"
        ),
    ),
    (
        re.compile(
            r"(?P<name>.+) was compensated already: payment (?P<payment>\S+) for item "
            r"(?P<first>\S+) in campaign (?P<campaign>\S+)"
        ),
        N_(
            "%(name)s was compensated already: payment %(payment)s for item %(first)s in "
            "campaign %(campaign)s"
        ),
    ),
    (
        re.compile(r"(?P<name>.+) was compensated already: payment (?P<payment>\S+)"),
        N_("%(name)s was compensated already: payment %(payment)s"),
    ),
    (
        re.compile(r"payment (?P<id>\S+) was checked already by (?P<who>\S+)"),
        N_("payment %(id)s was checked already by %(who)s"),
    ),
    (
        re.compile(
            r"payment (?P<id>\S+) is checked by a second person, not by (?P<who>\S+) who paid it"
        ),
        N_("payment %(id)s is checked by a second person, not by %(who)s who paid it"),
    ),
    (
        re.compile(r"campaign (?P<id>\S+) takes surrendered items, not (?P<source>\w+)"),
        N_("campaign %(id)s takes surrendered items, not %(source)s"),
    ),
    (
        re.compile(r"campaign (?P<id>\S+) does not take surrenders at (?P<place>\S+)"),
        N_("campaign %(id)s does not take surrenders at %(place)s"),
    ),
    (
        re.compile(
            r"campaign (?P<id>\S+) runs from (?P<starts>\S+) to (?P<ends>\S+), not (?P<day>\S+)"
        ),
        N_("campaign %(id)s runs from %(starts)s to %(ends)s, not %(day)s"),
    ),
    (
        re.compile(r"campaign (?P<id>\S+) pays nothing for (?P<category>\w+)"),
        N_("campaign %(id)s pays nothing for %(category)s"),
    ),
    (
        re.compile(
            r"(?P<amount>\d+) tenge is above campaign (?P<id>\S+)'s tariff for "
            r"(?P<category>\w+): (?P<tariff>\d+)"
        ),
        N_("%(amount)s tenge is above campaign %(id)s's tariff for %(category)s: %(tariff)s"),
    ),
    (
        re.compile(
            r"(?P<amount>\d+) tenge is above what is left of campaign (?P<id>\S+)'s budget: "
            r"(?P<left>-?\d+)"
        ),
        N_("%(amount)s tenge is above what is left of campaign %(id)s's budget: %(left)s"),
    ),
    # Who may be present at a batch (R7, R9) and who may join a commission (R8).
    (
        re.compile(r"(?P<person>\S+) is recorded present as (?P<role>\w+); one role each"),
        N_("%(person)s is recorded present as %(role)s already; one person, one role"),
    ),
    (
        re.compile(r"(?P<person>\S+) is not a member of (?P<commission>.+) now"),
        N_("%(person)s is not a member of the commission %(commission)s now"),
    ),
    (
        re.compile(r"a member's full name is the commission register's, not typed"),
        N_("a member's full name is taken from the commission register, not typed"),
    ),
    (
        re.compile(r"a member's position is the commission register's, not typed"),
        N_("a member's position is taken from the commission register, not typed"),
    ),
    (
        re.compile(r"(?P<person>\S+) is a member of (?P<commission>.+), not a (?P<role>[\w ]+)"),
        N_("%(person)s is a member of the commission %(commission)s, not a %(role)s"),
    ),
    (
        re.compile(r"(?P<person>\S+) is not a plant representative at (?P<place>\S+)"),
        N_("%(person)s is not an account of a plant representative at %(place)s"),
    ),
    (
        re.compile(r"a plant representative's full name is their account's"),
        N_("a plant representative's full name is the one of their account"),
    ),
    (
        re.compile(r"an expert present is named with a full name and position"),
        N_("an expert present is named with a full name and a position"),
    ),
    (
        re.compile(r"the amount of explosive or fuel is whole grams, 1 to (?P<most>\d+)"),
        N_("the amount of explosive or fuel is a whole number of grams, 1 to %(most)s"),
    ),
    (
        re.compile(r"at a melting only commission members and a plant representative are present"),
        N_("at a melting only commission members and a plant representative are present"),
    ),
    (
        re.compile(r"(?P<person>\S+) is an account, not an expert without one"),
        N_("%(person)s is an account: an ammunition-destruction expert has none"),
    ),
    (
        re.compile(r"an expert's full name is the name of an account or member"),
        N_("an expert's full name is the name of an account or a commission member"),
    ),
    (
        re.compile(r"(?P<person>\S+) is not an account holding the commission_member role"),
        N_("%(person)s is not an account holding the commission member role"),
    ),
    (
        re.compile(r"(?P<commission>.+) has a chair already: (?P<chair>\S+)"),
        N_("%(commission)s has a chair already: %(chair)s"),
    ),
    # R8: one period of office at a time (workflows.membership.overlap_refusal)
    (
        re.compile(
            r"(?P<person>\S+) is in office from (?P<since>\S+) to (?P<until>\S+) already: a "
            r"period from (?P<start>\S+) would overlap it and count them twice for the quorum"
        ),
        N_(
            "%(person)s is in office from %(since)s to %(until)s already: a period from "
            "%(start)s would overlap it and count them twice for the quorum"
        ),
    ),
    # ACCESS, four eyes (workflows.dual)
    (
        re.compile(
            r"four eyes: (?P<step>\S+) makes a signer, an administrator, a unit officer, an "
            r"auditor or a paymaster, and one administrator never does it alone: propose it "
            r"\(change_proposed\) and another administrator confirms it"
        ),
        N_(
            "four eyes: %(step)s makes a signer, an administrator, a unit officer, an auditor "
            "or a paymaster, and one administrator never does it alone: propose it and "
            "another administrator confirms it"
        ),
    ),
    (
        re.compile(
            r"four eyes: (?P<name>\S+) proposed (?P<id>\S+) and may not confirm it; another "
            r"administrator does"
        ),
        N_(
            "four eyes: %(name)s proposed %(id)s and may not confirm it; another administrator does"
        ),
    ),
    (
        re.compile(
            r"four eyes: (?P<id>\S+) is about (?P<name>\S+)'s own account; another "
            r"administrator confirms it"
        ),
        N_("four eyes: %(id)s is about %(name)s's own account; another administrator confirms it"),
    ),
    (
        re.compile(
            r"four eyes: (?P<name>\S+) created the account (?P<account>\S+) and may not "
            r"confirm (?P<id>\S+) about it; another administrator does"
        ),
        N_(
            "four eyes: %(name)s created the account %(account)s and may not confirm %(id)s "
            "about it; another administrator does"
        ),
    ),
    (
        re.compile(r"four eyes: (?P<id>\S+) is (?:proposed|confirmed|declined) already"),
        N_("four eyes: %(id)s is decided already"),
    ),
    (
        re.compile(r"four eyes: no change (?P<id>\S+) was proposed"),
        N_("four eyes: no change %(id)s was proposed"),
    ),
    # issue 14, the forger's findings (workflows.access, workflows.gate, api.key_requests)
    (
        re.compile(
            r"four eyes: (?P<name>\S+) holds a role given only with four eyes "
            r"\((?P<roles>[^)]*)\): a device token is never issued for such an account; its "
            r"person logs in"
        ),
        N_(
            "four eyes: %(name)s holds a role given only with four eyes (%(roles)s): a device "
            "token is never issued for such an account; its person logs in"
        ),
    ),
    (
        re.compile(
            r"four eyes: (?P<name>\S+) holds device tokens \((?P<devices>[^)]*)\): a role "
            r"given only with four eyes \((?P<roles>[^)]*)\) is never granted to an account "
            r"with a device token; revoke them first"
        ),
        N_(
            "four eyes: %(name)s holds device tokens (%(devices)s): a role given only with "
            "four eyes (%(roles)s) is never granted to an account with a device token; revoke "
            "them first"
        ),
    ),
    (
        re.compile(
            r"four eyes: (?P<name>\S+) is one of the last (?P<count>\d+) enabled "
            r"administrators; another administrator is made \(proposed and confirmed\) before "
            r"one is disabled or loses the role"
        ),
        N_(
            "four eyes: %(name)s is one of the last %(count)s enabled administrators; another "
            "administrator is made (proposed and confirmed) before one is disabled or loses "
            "the role"
        ),
    ),
    (
        re.compile(
            r"four eyes: (?P<name>\S+) holds no signer's role: only an account that signs "
            r"acts asks for an act key, and asks again once it holds the role"
        ),
        N_(
            "four eyes: %(name)s holds no signer's role: only an account that signs acts asks "
            "for an act key, and asks again once it holds the role"
        ),
    ),
    (
        re.compile(
            r"a signed act \(a registry result, a release, a statement signature\) is a "
            r"person's own: it is sent with their own login, never with a device token"
        ),
        N_(
            "a signed act (a registry result, a release, a statement signature) is a "
            "person's own: it is sent with their own login, never with a device token"
        ),
    ),
    # issue 14, fix14e: an entry through a device token (workflows.access.device_refusal)
    (
        re.compile(r"device token (?P<device>\S+) is not (?P<name>\S+)'s"),
        N_("device token %(device)s is not %(name)s's"),
    ),
    (
        re.compile(r"device token (?P<device>\S+) is revoked or expired"),
        N_("device token %(device)s is revoked or expired"),
    ),
    (
        re.compile(r"device token (?P<device>\S+) was revoked at (?P<time>\S+), before this entry"),
        N_("device token %(device)s was revoked at %(time)s, before this entry"),
    ),
    (
        re.compile(r"device token (?P<device>\S+) expired at (?P<time>\S+)"),
        N_("device token %(device)s expired at %(time)s"),
    ),
    # ACCESS, separation of duties (workflows.access.duty_refusal, api.key_requests,
    # api.access.auth)
    (
        re.compile(
            r"separation of duties: (?P<name>\S+) may not change their own account "
            r"\((?P<step>\S+)\); another administrator does it"
        ),
        N_(
            "separation of duties: %(name)s may not change their own account (%(step)s); "
            "another administrator does it"
        ),
    ),
    (
        re.compile(
            r"separation of duties: (?P<name>\S+) may not issue a device token to themselves; "
            r"another administrator does it"
        ),
        N_(
            "separation of duties: %(name)s may not issue a device token to themselves; "
            "another administrator does it"
        ),
    ),
    (
        re.compile(
            r"separation of duties: one account does not hold these roles together: "
            r"(?P<roles>.+); give them to two people"
        ),
        N_(
            "separation of duties: one account does not hold these roles together: "
            "%(roles)s; give them to two people"
        ),
    ),
    (
        re.compile(
            r"separation of duties: (?P<name>\S+) may not register their own key; "
            r"another administrator does it"
        ),
        N_(
            "separation of duties: %(name)s may not register their own key; another "
            "administrator does it"
        ),
    ),
    (
        re.compile(
            r"separation of duties: (?P<name>\S+) recorded (?P<id>\S+) and may not settle it; "
            r"another official does it"
        ),
        N_(
            "separation of duties: %(name)s recorded %(id)s and may not settle it; another "
            "official does it"
        ),
    ),
    (
        re.compile(
            r"(?P<name>\S+) owns key (?P<key>\S+) already \(a witness's\): an account is never "
            r"made in a key owner's name, so that no witness key is an account holder's; "
            r"choose another username"
        ),
        N_(
            "%(name)s owns key %(key)s already (a witness's): an account is never made in a "
            "key owner's name, so that no witness key is an account holder's; choose another "
            "username"
        ),
    ),
    (
        re.compile(
            r"a device token is for a scanner or a script and is never bound to the "
            r"administrator role: an administrator logs in"
        ),
        N_(
            "a device token is for a scanner or a script and is never bound to the "
            "administrator role: an administrator logs in"
        ),
    ),
    (
        re.compile(
            r"the registers \(accounts, roles, device tokens, keys\) are kept by an "
            r"administrator's own login: a device token, whatever its role, is for a scanner "
            r"or a script and cannot issue more"
        ),
        N_(
            "the registers (accounts, roles, device tokens, keys) are kept by an "
            "administrator's own login: a device token, whatever its role, is for a scanner "
            "or a script and cannot issue more"
        ),
    ),
    # ACCESS (workflows.access.refusal): the roles and the kind of place are translated too
    (
        re.compile(r"the account (?P<name>\S+) is disabled"),
        N_("the account %(name)s is disabled"),
    ),
    (
        re.compile(r"(?P<name>\S+) \((?P<roles>[^)]*)\) may not write (?P<step>\S+)"),
        N_("%(name)s (%(roles)s) may not do this step: %(step)s"),
    ),
    (
        re.compile(
            r"(?P<name>\S+) does not work at (?P<place>\S+): only its own staff may write "
            r"(?P<step>\S+) there"
        ),
        N_(
            "%(name)s does not work at %(place)s: only its own staff may do this step there:"
            " %(step)s"
        ),
    ),
    (
        re.compile(r"(?P<place>\S+) is a (?P<place_kind>.+?): no (?P<roles>.+) acts there"),
        N_("%(place)s is a place of another kind (%(place_kind)s): no %(roles)s acts there"),
    ),
    (
        re.compile(r"the marking photo is (?P<kind>\S+): a photo is a JPEG or PNG image"),
        N_("the marking photo is %(kind)s: a photo of the marking is a JPEG or PNG image"),
    ),
    (
        re.compile(r"a registry match names the criminal case it is held for"),
        N_("a registry match names the criminal case the weapon is held for"),
    ),
    (
        re.compile(
            r"an item registered as unmarked has no marking nor marking place: give the "
            r"marking, or unmarked, not both"
        ),
        N_(
            "an item registered as unmarked has no marking nor marking place: give the "
            "marking, or mark it unmarked, not both"
        ),
    ),
]

# Refusals that name no rule (a request the process cannot take), as REFUSALS: each the
# English a layer writes and the msgid that says it.
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    # An act signed with another person's key, or recorded by another (custody.acts)
    (
        re.compile(
            r"act by '(?P<person>[^']+)' recorded by '(?P<actor>[^']+)' with a key of "
            r"'(?P<owner>[^']+)': nobody signs for someone else"
        ),
        N_(
            "the act is by %(person)s, sent by %(actor)s, with a key of %(owner)s: nobody "
            "signs for someone else"
        ),
    ),
    # A statement asked for before the destruction (api.statements.statement_basis)
    (
        # its state (open, loaded) is a word the pages have no label for: left out
        re.compile(r"batch (?P<batch>.+) is (?P<was>\w+): nothing destroyed to state yet"),
        N_("batch %(batch)s is not destroyed yet: there is no statement of it to print"),
    ),
    # A key request a newer one of its owner superseded (api.key_requests.SUPERSEDED)
    (
        re.compile(
            r"this key request was superseded: (?P<owner>\S+) sent a newer one at (?P<at>\S+), "
            r"and only a person's newest request is registered; register that one"
        ),
        N_(
            "this key request was superseded: %(owner)s sent a newer one at %(at)s, and only "
            "a person's newest request is registered; register that one"
        ),
    ),
    # Acknowledging a notice (api.notices.acknowledging; api.errors.NotYours)
    (
        re.compile(r"a notice is acknowledged only by the person it was written to"),
        N_("a notice is acknowledged only by the person it was written to"),
    ),
    # Sending and receiving (workflows.movements)
    (
        re.compile(r"transfer (?P<id>\S+) is not an open transfer on this route"),
        N_("transfer %(id)s is not an open transfer on this route"),
    ),
    (
        re.compile(r"transfer (?P<id>\S+) is closed already"),
        N_("transfer %(id)s is closed already"),
    ),
    (
        re.compile(r"the items of one transfer leave from one place"),
        N_("the items of one transfer leave from one place"),
    ),
    (re.compile(r"a transfer goes somewhere else"), N_("a transfer goes somewhere else")),
    # An id nobody registered, or one the reader may not see (workflows.world.unknown): the
    # same words for both.
    (re.compile(r"no item '(?P<id>[^']+)' is registered"), N_("no item %(id)s is registered")),
    (
        re.compile(r"no transfer '(?P<id>[^']+)' is registered"),
        N_("no transfer %(id)s is registered"),
    ),
    (re.compile(r"no batch '(?P<id>[^']+)' is registered"), N_("no batch %(id)s is registered")),
    (
        re.compile(r"no location '(?P<id>[^']+)' is registered"),
        N_("no place %(id)s is registered"),
    ),
    (
        re.compile(r"no discrepancy '(?P<id>[^']+)' is registered"),
        N_("no discrepancy %(id)s is registered"),
    ),
    (
        re.compile(
            r"a decision's date (?P<date>\S+) is before (?P<horizon>\S+) \(the record horizon\)"
        ),
        N_(
            "a decision's date %(date)s is before %(horizon)s, the earliest date the register keeps"
        ),
    ),
    # b12: an intake's fields that contradict each other or cannot be (the command's model:
    # pydantic says "Value error, " before them), an intake file's bytes, numbers and formulas
    (
        re.compile(r"(?:Value error, )?only a firearm is rifled"),
        N_("only a firearm is rifled"),
    ),
    (
        re.compile(r"(?:Value error, )?only a lot of ammunition has a quantity"),
        N_("only a lot of ammunition has a quantity"),
    ),
    (
        re.compile(
            r"(?:Value error, )?R10: an item registered as unmarked has no marking nor marking "
            r"place: give the marking, or unmarked, not both"
        ),
        N_(
            "R10: an item registered as unmarked has no marking nor marking place: give the "
            "marking, or mark it unmarked, not both"
        ),
    ),
    (
        re.compile(
            r"(?:Value error, )?details\.year is a whole number from (?P<first>\d+) to "
            r"(?P<last>\d+)"
        ),
        N_("the year of make is a whole number from %(first)s to %(last)s"),
    ),
    (
        re.compile(
            r"byte 0x(?P<byte>\S+) is not (?P<encoding>.+?) \(character (?P<at>\d+) of the "
            r"line; --encoding says which the file is\)"
        ),
        N_(
            "byte 0x%(byte)s is not %(encoding)s (character %(at)s of the line): save the "
            "file as UTF-8, or say its encoding"
        ),
    ),
    (
        re.compile(
            r"cell (?P<cell>\w+) holds the number (?P<number>\S+), not the text typed: format "
            r"the column as text and type it again"
        ),
        N_(
            "cell %(cell)s holds the number %(number)s, not the text typed: format the column "
            "as text and type it again"
        ),
    ),
    (
        re.compile(
            r"cell (?P<cell>\w+) holds a formula without a computed value: open the file in "
            r"Excel and save it, or type the value"
        ),
        N_(
            "cell %(cell)s holds a formula without a computed value: open the file in Excel "
            "and save it, or type the value"
        ),
    ),
    (
        re.compile(
            r"cell (?P<cell>\w+) holds a date or time \((?P<value>[^)]*)\), not the text typed: "
            r"format the column as text and type it again"
        ),
        N_(
            "cell %(cell)s holds a date or time (%(value)s), not the text typed: format the "
            "column as text and type it again"
        ),
    ),
    (
        re.compile(
            r"cell (?P<cell>\w+) shows the number (?P<number>\S+) with the format "
            r"(?P<format>.+), which adds text or a unit: format the cell as General"
        ),
        N_(
            "cell %(cell)s shows the number %(number)s with the format %(format)s, which adds "
            "text or a unit: format the cell as General"
        ),
    ),
    (
        re.compile(
            r"cell (?P<cell>\w+) holds the number (?P<number>\S+) shown with the format "
            r"(?P<format>.+), not the text typed: format the column as text and type it again"
        ),
        N_(
            "cell %(cell)s holds the number %(number)s shown with the format %(format)s, not "
            "the text typed: format the column as text and type it again"
        ),
    ),
    (
        re.compile(r"the row is hidden and holds data: show it, or delete it, and save the file"),
        N_("the row is hidden and holds data: show it, or delete it, and save the file"),
    ),
    (
        re.compile(
            r"the column is hidden and holds data \(cell (?P<cell>\w+)\): show it, or "
            r"delete it, and save the file"
        ),
        N_(
            "the column is hidden and holds data (cell %(cell)s): show it, or delete it, and "
            "save the file"
        ),
    ),
    (
        re.compile(
            r"the file is neither UTF-8 nor Windows-1251 that reads as Russian \(KOI8-R\?\): "
            r"save it as UTF-8, or say its encoding with --encoding"
        ),
        N_(
            "the file is neither UTF-8 nor Windows-1251 that reads as Russian (KOI8-R?): save "
            "it as UTF-8, or say its encoding"
        ),
    ),
    (
        re.compile(
            r"the file is UTF-16 \(its first bytes say so\): save it as UTF-8 \(CSV UTF-8\)"
        ),
        N_("the file is UTF-16 (its first bytes say so): save it as UTF-8 (CSV UTF-8)"),
    ),
    (
        re.compile(
            r"file (?P<sha>[0-9a-f]+) is (?P<size>\d+) bytes, not (?P<given>\d+) as its "
            r"reference says: the size is the file's own, as POST /files answered"
        ),
        N_(
            "file %(sha)s is %(size)s bytes, not %(given)s as its reference says: the size is "
            "the file's own, as POST /files answered"
        ),
    ),
    (
        re.compile(
            r"(?:Value error, )?file (?P<sha>[0-9a-f]+) is given twice: name each file once"
        ),
        N_("file %(sha)s is given twice: name each file once"),
    ),
    (
        re.compile(r"a file holds at most (?P<n>[\d,]+) rows; split it"),
        N_("a file holds at most %(n)s rows; split it"),
    ),
    (
        re.compile(
            r"a count lists at most (?P<n>\d+) ids registered nowhere; this one (?P<m>\d+) "
            r"\(the first: (?P<id>.+)\)"
        ),
        N_(
            "a count lists at most %(n)s ids registered nowhere; this one %(m)s (the first: %(id)s)"
        ),
    ),
    (
        re.compile(
            r"a campaign starts at most (?P<n>\d+) days ahead \(by (?P<latest>\S+)\), not "
            r"(?P<starts>\S+)"
        ),
        N_("a campaign starts at most %(n)s days ahead (by %(latest)s), not %(starts)s"),
    ),
    (
        re.compile(
            r"a campaign starts on or after (?P<horizon>\S+) \(the record horizon\), not "
            r"(?P<starts>\S+)"
        ),
        N_("a campaign starts on or after %(horizon)s (the record horizon), not %(starts)s"),
    ),
    (
        re.compile(r"a campaign names each place once: (?P<place>.+) is named twice"),
        N_("a campaign names each place once: %(place)s is named twice"),
    ),
    (
        re.compile(r"(?P<what>\S+) is named twice"),
        N_("%(what)s is named twice"),
    ),
    (
        re.compile(
            r"the tariff for (?P<category>\w+) \((?P<tariff>\d+) tenge\) is more than the whole "
            r"budget \((?P<budget>\d+) tenge\)"
        ),
        N_(
            "the tariff for %(category)s (%(tariff)s tenge) is more than the whole budget "
            "(%(budget)s tenge)"
        ),
    ),
    (
        re.compile(
            r"id (?P<id>.+) is not available: an id names one subject for ever; choose "
            r"another, or leave it out where the service gives one"
        ),
        N_(
            "id %(id)s is not available: an id names one subject for ever; choose another, "
            "or leave it out where the service gives one"
        ),
    ),
    # Two rows of an intake file with one id, or ids that read alike (api.imports.intake_file)
    (
        re.compile(r"item (?P<id>.+) is on (?P<on>line|row) (?P<at>\d+) too"),
        N_("item %(id)s is on %(on)s too"),
    ),
    (
        re.compile(
            r"item (?P<id>.+) reads alike item (?P<first>.+) on (?P<on>line|row) (?P<at>\d+): "
            r"an id names one subject for ever"
        ),
        N_("item %(id)s reads alike item %(first)s on %(on)s: an id names one subject for ever"),
    ),
    # One action making two subjects whose ids read alike, or one id for two kinds
    # (workflows.subjects, issue 12)
    (
        re.compile(
            r"ids (?P<first>.+) and (?P<id>.+) read alike, and one action would make both: an "
            r"id names one subject for ever \(ids that differ only in case, look-alike Latin, "
            r"Cyrillic or Greek letters, spaces, dashes or dots are one id\)"
        ),
        N_(
            "ids %(first)s and %(id)s read alike, and one action would make both: an id names "
            "one subject for ever (ids that differ only in case, look-alike Latin, Cyrillic or "
            "Greek letters, spaces, dashes or dots are one id)"
        ),
    ),
    (
        re.compile(
            r"id (?P<id>.+) would name an? [a-z ]+ and an? [a-z ]+ at once: an id names one "
            r"subject for ever"
        ),
        N_(
            "id %(id)s would name two subjects of different kinds at once: an id names one "
            "subject for ever"
        ),
    ),
    (
        re.compile(r"R1: a decision's date (?P<date>\S+) is in the future"),
        N_("R1: the decision's date %(date)s is in the future"),
    ),
    # A decision's later dates (workflows.decision_dates), as the item page's forms get them.
    (
        re.compile(
            r"R1: (?P<date>\S+) is in the future \(today is (?P<today>\S+) at (?P<place>\S+), "
            r"(?P<zone>\S+)\); a decision's dates are when it happened \(item (?P<item>.+)\)"
        ),
        N_(
            "R1: %(date)s is in the future (today is %(today)s at %(place)s); a decision's "
            "dates are when it happened (item %(item)s)"
        ),
    ),
    (
        re.compile(
            r"R1: (?P<date>\S+) is before the (?P<fact>\w+) of (?P<then>\S+) it follows "
            r"\(item (?P<item>.+)\)"
        ),
        N_("R1: %(date)s is before the %(fact)s of %(then)s that it follows (item %(item)s)"),
    ),
    (
        re.compile(
            r"(?P<place>\S+) is a (?P<place_kind>\w+); an account with (?P<roles>.+) does not "
            r"act there"
        ),
        N_("%(place)s is a place of another kind (%(place_kind)s): no %(roles)s acts there"),
    ),
    (
        re.compile(r"a password has at least (?P<n>\d+) characters"),
        N_("a password has at least %(n)s characters"),
    ),
    (
        re.compile(r"(?P<text>.+) is not a whole number in ASCII digits"),
        N_("%(text)s is not a whole number (digits 0-9 only)"),
    ),
    (
        re.compile(r"details\.(?P<key>\w+) is written by the service, not given: leave it out"),
        N_("details.%(key)s is written by the service, not given: leave it out"),
    ),
    (
        re.compile(
            r"holds (?P<text>.+), which is not a number in ASCII digits as a spreadsheet "
            r"writes one: type the number again"
        ),
        N_(
            "holds %(text)s, which is not a number in ASCII digits as a spreadsheet writes "
            "one: type the number again"
        ),
    ),
    (
        re.compile(
            r"(?P<n>\d+) cells, the header has (?P<columns>\d+): every line has a cell for each "
            r"column, an empty one where there is nothing"
        ),
        N_(
            "%(n)s cells, the header has %(columns)s: every line has a cell for each column, "
            "an empty one where there is nothing"
        ),
    ),
    (
        re.compile(
            r"holds a carriage return \(CR, U\+000D\) alone, not at the line's end: remove it "
            r"and save the file again"
        ),
        N_(
            "holds a carriage return (CR, U+000D) alone, not at the line's end: remove it and "
            "save the file again"
        ),
    ),
    (
        re.compile(r"has (?P<n>[\d,]+) digits, more than (?P<most>\d+)"),
        N_("has %(n)s digits, more than %(most)s"),
    ),
    # The grammar of ids, markings and text (workflows.grammar, docs/identifiers.md): the
    # character is named by its code point and Unicode name, in every language.
    (
        re.compile(
            r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which is not a printable character"
        ),
        N_("the id holds %(char)s, which is not a printable character"),
    ),
    (
        re.compile(
            r"a marking holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which is not a printable "
            r"character"
        ),
        N_("the marking holds %(char)s, which is not a printable character"),
    ),
    (
        re.compile(
            r"the text holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which is not a printable character"
        ),
        N_("the text holds %(char)s, which is not a printable character"),
    ),
    (
        re.compile(r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which shows nothing"),
        N_("the id holds %(char)s, which shows nothing"),
    ),
    (
        re.compile(r"a marking holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which shows nothing"),
        N_("the marking holds %(char)s, which shows nothing"),
    ),
    (
        re.compile(r"the text holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), which shows nothing"),
        N_("the text holds %(char)s, which shows nothing"),
    ),
    (
        re.compile(
            r"an id mixes scripts: (?P<one>U\+[0-9A-F]{4,6} [^(]+) \((?P<first>\w+)\) and "
            r"(?P<two>U\+[0-9A-F]{4,6} [^(]+) \((?P<second>\w+)\); an id is of one script"
        ),
        N_("the id mixes scripts: %(one)s and %(two)s; an id is written in one script"),
    ),
    (
        re.compile(
            r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), a compatibility character "
            r"\(write (?P<instead>.+) instead\)"
        ),
        N_("the id holds %(char)s, a compatibility character: write %(instead)s instead"),
    ),
    (
        re.compile(r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^:]+): digits are 0-9 only"),
        N_("the id holds %(char)s: digits in an id are 0-9 only"),
    ),
    (
        re.compile(
            r"an id does not begin with (?P<first>.) \(a spreadsheet reads it as a formula\)"
        ),
        N_("an id does not begin with %(first)s: a spreadsheet would read it as a formula"),
    ),
    (
        re.compile(r"an id does not begin or end with a dot"),
        N_("an id does not begin or end with a dot"),
    ),
    (
        re.compile(r"an id holds at least one letter or digit"),
        N_("an id holds at least one letter or digit"),
    ),
    (
        re.compile(
            r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^:]+): an id's characters are letters, "
            r"digits 0-9, spaces and - _ \."
        ),
        N_("the id holds %(char)s: an id is written in letters, digits 0-9, spaces and - _ ."),
    ),
    (
        re.compile(
            r"an id holds (?P<char>U\+[0-9A-F]{4,6} [^,]+), a letter the label does not print: "
            r"an id's letters are Latin, Cyrillic or Greek"
        ),
        N_(
            "the id holds %(char)s, a letter the label does not print: an id's letters are "
            "Latin, Cyrillic or Greek"
        ),
    ),
    (
        re.compile(
            r"a marking holds (?P<char>U\+[0-9A-F]{4,6} [^:]+): a marking's letters are Latin, "
            r"Cyrillic or Greek, its other characters digits 0-9, ASCII punctuation, spaces "
            r"and №"
        ),
        N_(
            "the marking holds %(char)s: a marking's letters are Latin, Cyrillic or Greek, "
            "its other characters digits 0-9, ASCII punctuation, spaces and №"
        ),
    ),
    (
        re.compile(
            r"act is dated (?P<time>\S+), before its key (?P<key>\S+) was registered "
            r"\((?P<published>\S+)\)"
        ),
        N_(
            "the signed act is dated %(time)s, before its key %(key)s was registered "
            "(%(published)s)"
        ),
    ),
    (
        re.compile(r"act\.(?P<field>\w+): (?P<why>.+)", re.S),
        N_("the signed act's field %(field)s: %(why)s"),
    ),
    (
        re.compile(r"an act of kind (?P<kind>\w+) holds no field (?P<names>.+)"),
        N_("a signed act of this kind holds no field %(names)s"),
    ),
    (
        re.compile(r"an act of kind (?P<kind>\w+) lacks (?P<names>.+)"),
        N_("a signed act of this kind lacks %(names)s"),
    ),
    (
        re.compile(
            r"a time zone is a tz database name such as Asia/Almaty \(ASCII, at most "
            r"(?P<n>\d+) characters\)"
        ),
        N_("a time zone is a tz database name such as Asia/Almaty (at most %(n)s characters)"),
    ),
    (
        re.compile(r"R1: a place's time zone is one of Kazakhstan's: (?P<zones>.+)"),
        N_("R1: a place's time zone is one of Kazakhstan's: %(zones)s"),
    ),
    (
        re.compile(
            r"(?P<zone>.+) is not a place's time zone: give its canonical name, such as "
            r"Asia/Almaty"
        ),
        N_("%(zone)s is not a place's time zone: give its canonical name, such as Asia/Almaty"),
    ),
    (
        re.compile(r"no account (?P<person>\S+): a supervisor is a person with an account"),
        N_("there is no account %(person)s: a supervisor is a person with an account"),
    ),
    (
        re.compile(r"the account (?P<person>\S+) is disabled: it would read no notice"),
        N_("the account %(person)s is disabled: it would read no notice"),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is (?P<level>staff|supervisor|regional_head) of (?P<place>\S+) "
            r"already: one person answers for a place at one level"
        ),
        N_("%(person)s answers for %(place)s at another level already (%(level)s)"),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is an administrator: a supervisor or regional head is neither "
            r"an administrator nor a plant representative"
        ),
        N_("%(person)s is an administrator: a supervisor or regional head may not be one"),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is a plant representative: a supervisor or regional head is "
            r"neither an administrator nor a plant representative"
        ),
        N_("%(person)s is a plant representative: a supervisor or regional head may not be one"),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is staff of (?P<place>\S+): a supervisor or regional head is "
            r"someone outside the place's staff"
        ),
        N_("%(person)s is staff of %(place)s: a supervisor or regional head is outside its staff"),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is (?P<level>supervisor|regional_head) of (?P<place>\S+): a "
            r"supervisor or regional head is someone outside the place's staff \(the "
            r"supervision register\)"
        ),
        N_(
            "%(person)s answers for %(place)s as %(level)s: a supervisor or regional head is "
            "not made staff of the place they answer for"
        ),
    ),
    (
        re.compile(
            r"(?P<person>\S+) is (?P<level>supervisor|regional_head) of (?P<place>\S+): a "
            r"supervisor or regional head is neither an administrator nor a plant "
            r"representative"
        ),
        N_(
            "%(person)s answers for %(place)s as %(level)s: a supervisor or regional head is "
            "made neither an administrator nor a plant representative"
        ),
    ),
    (
        re.compile(
            r"file (?P<sha>[0-9a-f]{64}) is (?P<kept>\S+), not (?P<claimed>\S+): its media "
            r"type is the file's own, as POST /files answered"
        ),
        N_("the file is %(kept)s, not %(claimed)s: a file's type is read from the file itself"),
    ),
    # The administrator's registers (workflows.accounts, workflows.registers).
    (
        re.compile(
            r"a username is 2-64 lowercase letters, digits, '\.', '_' or '-', starting with a "
            r"letter or digit"
        ),
        N_(
            "a username is 2 to 64 lowercase Latin letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        ),
    ),
    (re.compile(r"an account needs the person's name"), N_("an account needs the person's name")),
    (re.compile(r"an account needs a role"), N_("an account needs a role")),
    (
        re.compile(r"there is already an account '(?P<id>[^']+)'"),
        N_("there is already an account %(id)s"),
    ),
    (
        re.compile(r"(?P<id>\S+) holds (?P<roles>\w+) already"),
        N_("%(id)s holds the role %(roles)s already"),
    ),
    (
        re.compile(r"(?P<id>\S+) does not hold (?P<roles>\w+)"),
        N_("%(id)s does not hold the role %(roles)s"),
    ),
    (
        re.compile(r"an administrator does not withdraw their own administrator role"),
        N_("an administrator does not withdraw their own administrator role"),
    ),
    (
        re.compile(r"(?P<id>\S+) works at (?P<place>\S+) already"),
        N_("%(id)s works at %(place)s already"),
    ),
    (
        re.compile(r"(?P<id>\S+) does not work at (?P<place>\S+)"),
        N_("%(id)s does not work at %(place)s"),
    ),
    (
        re.compile(r"an administrator does not disable their own account"),
        N_("an administrator does not disable their own account"),
    ),
    (
        re.compile(r"the account (?P<id>\S+) is disabled already"),
        N_("the account %(id)s is disabled already"),
    ),
    (
        re.compile(r"the account (?P<id>\S+) is enabled already"),
        N_("the account %(id)s is enabled already"),
    ),
    (
        re.compile(r"location (?P<id>\S+) exists already"),
        N_("a place %(id)s exists already"),
    ),
    (
        re.compile(r"say which scanner or script the token is for"),
        N_("say which scanner or script the token is for"),
    ),
    # An intake file's photos and workbooks (api.imports.photos, api.imports.xlsx_table).
    (
        re.compile(r"(?P<name>.+) is not among the photos sent"),
        N_("%(name)s is not among the photos sent with the file"),
    ),
    (re.compile(r"the sheet gives this row twice"), N_("the sheet gives this row twice")),
    (
        re.compile(
            r"the first sheet (?P<sheet>.+) is hidden \((?P<how>\w+)\), and Excel shows "
            r"(?P<shown>.+): put the sheet to import first and visible"
        ),
        N_(
            "the first sheet %(sheet)s is hidden, and Excel shows %(shown)s: put the sheet "
            "to import first and make it visible"
        ),
    ),
    (
        re.compile(r"(?P<part>\S+) declares a document type \(entities\): refused"),
        N_("the workbook's %(part)s declares a document type (entities): refused"),
    ),
    (
        re.compile(r"(?P<part>\S+): a cell holds more than (?P<n>[\d,]+) characters"),
        N_("a cell of the workbook holds more than %(n)s characters"),
    ),
    (
        re.compile(r"(?P<part>\S+) is larger than (?P<n>[\d,]+) bytes unpacked"),
        N_("the workbook's %(part)s is larger than %(n)s bytes unpacked"),
    ),
    (
        re.compile(r"the workbook holds more than (?P<n>[\d,]+) rows in a sheet: refused"),
        N_("the workbook holds more than %(n)s rows in a sheet: refused"),
    ),
    (
        re.compile(r"the workbook holds more than (?P<n>[\d,]+) cells in a sheet: refused"),
        N_("the workbook holds more than %(n)s cells in a sheet: refused"),
    ),
    (
        re.compile(r"the workbook holds more than (?P<n>[\d,]+) XML elements: refused"),
        N_("the workbook holds more than %(n)s XML elements: refused"),
    ),
    (
        re.compile(r"the workbook's XML parts unpack to more than (?P<n>[\d,]+) MiB: refused"),
        N_("the workbook's XML parts unpack to more than %(n)s MiB: refused"),
    ),
    (
        re.compile(r"the workbook holds (?P<parts>[\d,]+) parts, more than (?P<n>[\d,]+): refused"),
        N_("the workbook holds %(parts)s parts, more than %(n)s: refused"),
    ),
    (
        re.compile(r"the sheet's XML is not as a spreadsheet writes it \((?P<detail>.*)\)", re.S),
        N_("the sheet's XML is not as a spreadsheet writes it (%(detail)s)"),
    ),
    (
        re.compile(r"(?P<name>.+) is not an \.xlsx workbook \((?P<detail>.*)\)", re.S),
        N_("%(name)s is not an .xlsx workbook (%(detail)s)"),
    ),
    (
        re.compile(r"an intake file is \.csv or \.xlsx, not (?P<name>.+)", re.S),
        N_("an intake file is .csv or .xlsx, not %(name)s"),
    ),
    # A place's kind (workflows.registers)
    # An import's cell refused by the command's model or checks (issue 12, finding 9)
    (
        re.compile(r"a category is one of (?P<values>[\w, ]+)"),
        N_("a category is one of: %(values)s"),
    ),
    (re.compile(r"a source is one of (?P<values>[\w, ]+)"), N_("a source is one of: %(values)s")),
    (
        re.compile(r"a decision's authority is one of (?P<values>[\w, ]+)"),
        N_("a decision's authority is one of: %(values)s"),
    ),
    (re.compile(r"is yes or no, not (?P<value>.+)", re.S), N_("is yes or no, not %(value)s")),
    (
        re.compile(r"Input should be greater than (?P<n>-?[\d.]+)"),
        N_("must be greater than %(n)s"),
    ),
    (
        re.compile(r"Input should be greater than or equal to (?P<n>-?[\d.]+)"),
        N_("must be at least %(n)s"),
    ),
    (
        re.compile(r"Input should be less than or equal to (?P<n>-?[\d.]+)"),
        N_("must be at most %(n)s"),
    ),
    (
        re.compile(r"String should have at least (?P<n>\d+) characters?"),
        N_("must hold at least %(n)s characters"),
    ),
    (
        re.compile(r"String should have at most (?P<n>\d+) characters?"),
        N_("must hold at most %(n)s characters"),
    ),
    (
        re.compile(r"a location is one of (?P<place_kinds>[\w, ]+)"),
        N_("a place's kind is one of: %(place_kinds)s"),
    ),
    # A membership's start (workflows.registers._since_refusal)
    (
        re.compile(
            r"since (?P<since>\S+) is not a date and time that exists \(its day, hour, minute "
            r"or second is out of range\)"
        ),
        N_("the start %(since)s is not a date and time that exists (check its day and hour)"),
    ),
    (
        re.compile(
            r"since (?P<since>\S+) must be UTC \(Z\), not the offset (?P<offset>\S+): "
            r"(?P<utc>\S+)"
        ),
        N_("the start %(since)s must be in UTC (Z), not with the offset %(offset)s: %(utc)s"),
    ),
    # An intake file's header and rows (api.imports.intake_rows, csv_table, intake_file)
    (
        re.compile(
            r"the file is an \.xlsx workbook \(a ZIP archive\), though its name ends in \.csv: "
            r"name it \.xlsx, or save it as CSV"
        ),
        N_(
            "the file is an .xlsx workbook (a ZIP archive), though its name ends in .csv: "
            "name it .xlsx, or save it as CSV"
        ),
    ),
    (
        re.compile(r"the file is empty: the first line is the header"),
        N_("the file is empty: its first line is the header"),
    ),
    (re.compile(r"the header lacks (?P<columns>.+)"), N_("the header lacks %(columns)s")),
    (
        re.compile(r"unknown column (?P<column>.+) \(known: (?P<known>.+)\)"),
        N_("unknown column %(column)s (the columns are: %(known)s)"),
    ),
    (
        re.compile(r"column (?P<column>\S+) is in the header twice"),
        N_("column %(column)s is in the header twice"),
    ),
    (re.compile(r"the file has a header but no rows"), N_("the file has a header but no rows")),
    (
        re.compile(
            r"(?P<n>\d+) cells, the header has (?P<columns>\d+) \(is the delimiter "
            r"(?P<delimiter>.+) right\?\)"
        ),
        N_("%(n)s cells, the header has %(columns)s (is the delimiter %(delimiter)s right?)"),
    ),
    (
        re.compile(r"(?P<name>\S+) holds malformed XML \((?P<detail>.*)\)", re.S),
        N_("%(name)s holds malformed XML (%(detail)s)"),
    ),
]


# The reasons `custody verify` gives for a step that failed (custody.verification), each the
# English it writes and the msgid that says it: the audit page shows them in the reader's
# language (api.web.audit), the ids, keys and sizes as they are.
VERIFICATION: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"checkpoint (?P<source>.+) is malformed: (?P<why>.+)", re.S),
        N_("checkpoint %(source)s is malformed: %(why)s"),
    ),
    (
        re.compile(r"stored checkpoint of size (?P<size>\d+): (?P<why>.+)", re.S),
        N_("the stored checkpoint of size %(size)s: %(why)s"),
    ),
    (
        re.compile(r"entries (?P<first>\d+) to (?P<last>\d+) are missing"),
        N_("entries %(first)s to %(last)s are missing"),
    ),
    (
        re.compile(r"(?P<n>\d+) entries are missing below seq (?P<size>\d+)"),
        N_("%(n)s entries are missing below seq %(size)s"),
    ),
    (
        re.compile(r"the stored leaf hash is not SHA-256\(0x00 \|\| body\)"),
        N_("the stored leaf hash is not SHA-256(0x00 || body)"),
    ),
    (
        re.compile(r"the body stored at seq (?P<seq>\d+) says it is seq (?P<said>\d+)"),
        N_("the body stored at seq %(seq)s says it is seq %(said)s"),
    ),
    (
        re.compile(r"prev is not the leaf hash of the entry before"),
        N_("prev is not the leaf hash of the entry before"),
    ),
    (
        re.compile(r"item_prev is not the previous entry of item (?P<item>.+)"),
        N_("item_prev is not the previous entry of item %(item)s"),
    ),
    (
        re.compile(r"item_prev is set on an entry without an item"),
        N_("item_prev is set on an entry without an item"),
    ),
    (
        re.compile(r"the item column does not repeat the body's item"),
        N_("the item column does not repeat the body's item"),
    ),
    (
        re.compile(r"time (?P<time>\S+) is before the entry before \((?P<before>\S+)\)"),
        N_("time %(time)s is before the entry before (%(before)s)"),
    ),
    (
        re.compile(r"the first entry is not ledger_created"),
        N_("the first entry is not ledger_created"),
    ),
    (
        re.compile(r"the key entry breaks the key rules: (?P<why>.+)", re.S),
        N_("the key entry breaks the key rules: %(why)s"),
    ),
    (
        re.compile(
            r"signed by key (?P<key>\S+), but the ledger key at this seq is (?P<expected>\S+)"
        ),
        N_("signed by key %(key)s, but the ledger key at this seq is %(expected)s"),
    ),
    (
        re.compile(r"the ledger signature does not verify with key (?P<key>\S+)"),
        N_("the ledger signature does not verify with key %(key)s"),
    ),
    (
        re.compile(r"the ledger was never signed by the key you trust \((?P<key>.+)\)"),
        N_("the ledger was never signed by the key you trust (%(key)s)"),
    ),
    (
        re.compile(r"this act was already recorded at seq (?P<seq>\d+)"),
        N_("this act was already recorded at seq %(seq)s"),
    ),
    (
        re.compile(r"ledger_keys row (?P<key>\S+) differs from the replayed keys"),
        N_("ledger_keys row %(key)s differs from the replayed keys"),
    ),
    (
        re.compile(r"ledger_acts differs from the acts recorded in the log"),
        N_("ledger_acts differs from the acts recorded in the log"),
    ),
    (
        re.compile(r"the head names another origin or ledger key than the log"),
        N_("the head names another origin or ledger key than the log"),
    ),
    (
        re.compile(r"the head's last time is not the last entry's"),
        N_("the head's last time is not the last entry's"),
    ),
    (
        re.compile(r"the head \(size (?P<size>\d+)\) does not match the recomputed tree"),
        N_("the head (size %(size)s) does not match the recomputed tree"),
    ),
    (
        re.compile(
            r"stored node \(level (?P<level>\d+), index (?P<index>\d+)\) over entries "
            r"(?P<first>\d+)\.\.(?P<last>\d+) differs from the recomputed tree"
        ),
        N_(
            "the stored node (level %(level)s, index %(index)s) over entries "
            "%(first)s..%(last)s differs from the recomputed tree"
        ),
    ),
    (
        re.compile(r"(?P<n>\d+) Merkle nodes are missing from the store"),
        N_("%(n)s Merkle nodes are missing from the store"),
    ),
]


def verification(reason: str, language: str) -> str:
    """A reason `custody verify` gave, in `language` (VERIFICATION); a reason no pattern
    knows (the process's own steps: replay, access, files) as it was written."""
    return said_by(VERIFICATION, reason, gettext_of(language), language=language) or reason


def _word(table: dict[str, str], key: str, gettext: Callable[[str], str]) -> str:
    key = key.strip().replace(" ", "_")
    key = _GATED.get(key.replace("_", " "), key)
    return gettext(table[key]) if key in table else key.replace("_", " ")


def said_by(
    patterns: list[tuple[re.Pattern[str], str]],
    message: str,
    gettext: Callable[[str], str],
    people: Mapping[str, str] | None = None,
    refine: Callable[[dict[str, str], str], None] | None = None,
    language: str | None = None,
) -> str | None:
    """`message` in the reader's language by the first of `patterns` ((regex, msgid)) that
    matches it whole, its groups put into the msgid; a `person` it names by their name in
    `people` (username -> name) when the page has it; `refine(values, msgid)`, where given,
    changes the groups' values further before they are put in (api.web.statement_reasons);
    a count the English grouped with commas grouped as `language` groups it, where given.
    None when no pattern matches."""
    for pattern, msgid in patterns:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        for count in _counts(pattern) if language else ():
            values[count] = _regrouped(values[count], language or "en")
        if "step" in values:
            values["step"] = _word(STEPS, values["step"], gettext)
        if "parts" in values:
            values["parts"] = ", ".join(
                gettext(CUT_PARTS.get(part, part)) for part in values["parts"].split(", ")
            )
        if "state" in values:
            values["state"] = _word(STATES, values["state"], gettext)
        if "roles" in values:
            values["roles"] = ", ".join(
                gettext(_ROLE_WORDS.get(role, role)) for role in values["roles"].split(", ")
            )
        if "fact" in values:
            values["fact"] = gettext(_FACTS.get(values["fact"], values["fact"]))
        if "on" in values:  # a line of a CSV file, a row of a sheet
            line = _ON[values["on"]]
            values["on"] = gettext(line) % {"at": values["at"]}
        if "place_kind" in values:
            kind = values["place_kind"]
            values["place_kind"] = gettext(labels.PLACE_KINDS.get(kind, kind))
        if "place_kinds" in values:  # "unit, warehouse, plant": each by its label
            values["place_kinds"] = ", ".join(
                gettext(labels.PLACE_KINDS.get(k, k)) for k in values["place_kinds"].split(", ")
            )
        for said in _PEOPLE:  # a person by name, where the page knows it
            if people and values.get(said) in people:
                values[said] = people[values[said]]
        if "char" in values:
            values["char"] = _character(values["char"])
        if refine is not None:
            refine(values, msgid)
        return gettext(msgid) % values
    return None


# The groups of a pattern that name a person by login (a `people` mapping names them).
_PEOPLE = ("person", "actor", "owner")

_CODE_POINT = re.compile(r"U\+(?P<hex>[0-9A-F]{4,6})(?: .*)?", re.S)
# Letters that print as blank (Hangul fillers, the Braille blank): quoted, they show nothing.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _character(described: str) -> str:
    """A character the grammar names as "U+2026 HORIZONTAL ELLIPSIS" (workflows.grammar),
    as a reader of any language sees it: «…» (U+2026), the character and its code, without
    Unicode's English name (issue 16); one that shows nothing (a control, a space, a filler)
    by its code alone. Text not of that shape is returned as it is."""
    found = _CODE_POINT.fullmatch(described)
    if found is None:
        return described
    code = int(found["hex"], 16)
    char = chr(code) if code <= 0x10FFFF else ""
    visible = (
        char.isprintable()
        and unicodedata.category(char)[0] in "LNPS"
        and char not in _BLANK_LETTERS
    )
    return f"«{char}» (U+{found['hex']})" if visible else f"U+{found['hex']}"


def reason(exc: Exception, language: str, people: Mapping[str, str] | None = None) -> str:
    """Why a request was refused, in `language`: a rule's refusal by its id (`refusal`);
    another, with the line, row and column of an import it names, by MESSAGES; its English
    where no pattern knows it (a new message not yet translated). A person it names is said
    by their name in `people` (username -> name), when given (issue 16)."""
    if isinstance(exc, RuleViolation):
        return refusal(exc, language, people)
    return _sentence(str(exc), language, people)


_PLACED = re.compile(r"(?P<where>line|row|column|cell) (?P<at>[^:\s]+): (?P<why>.+)", re.S)
_ON = {"line": N_("line %(at)s"), "row": N_("row %(at)s")}
_WHERE = {
    "line": N_("line %(at)s: %(why)s"),
    "row": N_("row %(at)s: %(why)s"),
    "column": N_("column %(at)s: %(why)s"),
    "cell": N_("cell %(at)s: %(why)s"),
}


def _sentence(message: str, language: str, people: Mapping[str, str] | None = None) -> str:
    gettext = gettext_of(language)
    placed = _PLACED.fullmatch(message)
    if placed is not None:  # "line 2: column weight_g: ..." (api.imports)
        why = _sentence(placed.group("why"), language)
        where, at = placed.group("where"), placed.group("at")
        if where == "column" and at in FIELDS:  # as the file's header names it, and labelled
            at = f"{at} ({gettext(FIELDS[at])})"
        return gettext(_WHERE[where]) % {"at": at, "why": why}
    return said_by(MESSAGES, message, gettext, people, language=language) or message


def invalid_why(exc: ValidationError, language: str) -> str | None:
    """Why the command's model refused its first field, in `language`, when MESSAGES knows
    the grammar's sentence (the character it names: `U+3164 HANGUL FILLER`); None else."""
    message = str(exc.errors()[0].get("msg", "")).removeprefix("Value error, ")
    return said_by(MESSAGES, message, gettext_of(language), language=language)


# A command's fields (their path as the model names them, and a CSV or xlsx column's name)
# by the label the pages give them: a refusal on a ru or kk page named `weight_g` or
# `decision.date` (issue 12). A path not here is shown as it is.
FIELDS = {
    "item": N_("Item"),
    "items": N_("Items"),
    "location": N_("Place"),
    "category": N_("Category"),
    "source": N_("Source"),
    "weight_g": N_("Weight, grams"),
    "rifled": N_("Rifled barrel"),
    "marking": N_("Marking"),
    "marking_place": N_("Where it is marked"),
    "unmarked": N_("Unmarked"),
    "quantity": N_("Quantity"),
    "type": N_("Type"),
    "model": N_("Model"),
    "calibre": N_("Calibre"),
    "manufacturer": N_("Manufacturer"),
    "country": N_("Country"),
    "year": N_("Year"),
    "decision_ref": N_("Decision number"),
    "decision_authority": N_("Decided by"),
    "decision_date": N_("Date of the decision"),
    "photo": N_("Photo with the marking visible (R10)"),
    "files": N_("Files (photos, documents)"),
    "method": N_("Method"),
    "destination": N_("Destination"),
    "transfer": N_("Transfer"),
    "note": N_("Note"),
    "date": N_("Date"),
    # shown by their code name on ru and kk pages (issue 12, finding 9)
    "language": N_("Language"),
    "timezone": N_("Time zone"),
    "key_id": N_("Key"),
    "reference": N_("Reference"),
    "national_id": N_("National ID"),
    "amount_tenge": N_("Amount, tenge"),
    "table": N_("Table"),
}
# a path inside the model, by the column that carries it in a table (api.imports.intake_rows)
for _key in ("type", "model", "calibre", "manufacturer", "country", "year"):
    FIELDS[f"details.{_key}"] = FIELDS[_key]
for _key in ("ref", "authority", "date"):
    FIELDS[f"decision.{_key}"] = FIELDS[f"decision_{_key}"]


def field_label(path: str, gettext: Callable[[str], str]) -> str:
    """A field's label (FIELDS) in gettext's language, by its path (`weight_g`,
    `decision.date`), or by that path without a list's index (`intakes.0.weight_g`, `items.3`);
    the path as it is when FIELDS has no label for it."""
    if path in FIELDS:
        return gettext(FIELDS[path])
    named = ".".join(p for p in path.split(".") if not p.isdigit())
    for tail in (named, named.partition(".")[2]):
        if tail in FIELDS:
            return gettext(FIELDS[tail])
    return path


# pydantic's error types of a value that is not a whole number
_NOT_WHOLE = frozenset({"int_type", "int_parsing", "int_from_float"})
_DETAIL = re.compile(r"details\.(?P<key>\w+) (?P<rest>.+)", re.S)


def invalid_field(
    exc: ValidationError, language: str, skip: int = 0, labels: dict[str, str] | None = None
) -> str:
    """A form refused by its command's model, in `language`: the first field (its path
    without the first `skip` parts, or its label on the page when `labels` maps that path to
    one: msgids) and, when MESSAGES knows the grammar's sentence, why (the character it
    names: `U+3164 HANGUL FILLER`)."""
    gettext = gettext_of(language)
    where = ".".join(str(p) for p in exc.errors()[0]["loc"][skip:])
    why = invalid_why(exc, language)
    # A detail's check names the detail itself ("details.model holds U+3164 ..."): the field
    # is that detail, and the sentence is a text's.
    message = str(exc.errors()[0].get("msg", "")).removeprefix("Value error, ")
    detail = _DETAIL.fullmatch(message)
    if detail is not None and where == "details":
        where = f"details.{detail['key']}"
        why = said_by(MESSAGES, f"the text {detail['rest']}", gettext, language=language)
    # A weight typed as kilograms or with a decimal ("3,1"): the model says only "not an
    # integer"; the person needs to hear that grams are whole (issue 16).
    kind = exc.errors()[0].get("type")
    if why is None and where.endswith("_g") and kind in _NOT_WHOLE:
        why = gettext(
            "whole grams are needed, in digits 0-9 without a comma or a point (3.1 kg is 3100 g)"
        )
    where = gettext(labels[where]) if labels and where in labels else field_label(where, gettext)
    most = (exc.errors()[0].get("ctx") or {}).get("max_length")
    if why is None and kind == "string_too_long" and most is not None:
        return gettext("The field %(field)s takes at most %(n)s characters") % {
            "field": where,
            "n": number(most, language),
        }
    if why is None:
        return gettext("Check the field: %(field)s") % {"field": where}
    return gettext("Check the field %(field)s: %(why)s") % {"field": where, "why": why}


# The refusals that are no rule of the law (workflows.errors: PROCESS, INVENTORY, ACCESS)
# are named by what they are about in the reader's words, not by their constant (issue 15).
RULE_WORDS = {
    "PROCESS": N_("Order of the process"),
    "INVENTORY": N_("Inventory"),
    "ACCESS": N_("Access"),
}


def refusal(
    violation: RuleViolation, language: str, people: Mapping[str, str] | None = None
) -> str:
    """`R3: <the rule's sentence in language> (<item>)`: the English of the process when no
    pattern knows the sentence (a new rule not yet translated). A rule of the law is named
    by its number (R1-R15); PROCESS, INVENTORY and ACCESS by RULE_WORDS. A person the
    sentence names is said by their name in `people` (username -> name), when given, not
    by their login (issue 16: "R8: member.kim уже подписал(а)")."""
    gettext = gettext_of(language)
    sentence = said_by(REFUSALS, violation.message, gettext, people, language=language)
    sentence = sentence or violation.message
    where = gettext(" (item %(item)s)") % {"item": violation.item} if violation.item else ""
    if violation.batch and not violation.item:
        where = gettext(" (batch %(batch)s)") % {"batch": violation.batch}
    rule = RULE_WORDS.get(violation.rule)
    named = gettext(rule) if rule is not None else violation.rule
    return f"{named}: {sentence}{where}"

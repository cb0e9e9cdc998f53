"""Diversion signals as rules (R11-R15): plain functions of plain data, no I/O.

    R11  an item whose marking's identity (workflows.markings.fold), category and model (when
         both have one) are those of an item melted, burned, on a signed statement, returned
         to its owner or declared lost is registered, and at once suspected of diversion (the
         suspicion names the old item: a lost weapon coming back is linked to its loss, and
         gets no fresh R1 clock unseen, issue 19 fix19f M2): its destruction is
         refused until an authorised official settles the suspicion with a signed act
         (a different weapon, a re-marked weapon, or diversion confirmed)
    R12  compensation is paid only for an item registered as surrendered in a campaign, and
         for a rifled firearm only after the bullet registry found no match (one that matches
         a crime goes to evidence, it is not bought back)
    R13  a payment is checked by a second person: never by the account that paid it
    R14  one compensation per weapon: a second one for the same marking identity, in any
         campaign, is refused and names the first
    R15  a campaign takes surrendered items at its places, in its period, and pays at most its
         tariff for the category, within its budget

Source: the national report on the UN Programme of Action (voluntary surrender with
compensation, decree of 26 December 2007; the "Karu" campaigns), docs/process.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from workflows.errors import RuleViolation
from workflows.machines import DESTROYED, LOST, RETURNED
from workflows.markings import fold, transliterated
from workflows.model import Campaign, Item, Payment
from workflows.vocabulary import FIREARM, NO_MATCH, SURRENDERED

R11, R12, R13, R14, R15 = "R11", "R12", "R13", "R14", "R15"

SUSPECTED = "diversion_suspected"  # the reason of the discrepancy R11 opens
# How an official settles a suspicion (the act's `outcome`).
DIFFERENT_WEAPON, RE_MARKED, CONFIRMED = "different_weapon", "re_marked", "diversion_confirmed"
OUTCOMES: Final = frozenset({DIFFERENT_WEAPON, RE_MARKED, CONFIRMED})
FOUND_DIVERTED: Final = frozenset({RE_MARKED, CONFIRMED})  # the outcomes that bar payment
# An item whose weapon should be gone from the world, or from the process: melted or burned
# (the statement is then signed or being signed), destroyed, handed back to its owner, or
# declared lost at an inventory (a lost weapon whose marking comes back is R11's as a
# destroyed one is: found again, or a copy of its marking).
# Recorded destroyed: such a weapon found on a shelf (an inventory count, a scan) is R11's
# strongest signal (workflows.inventory.count).
RECORDED_DESTROYED: Final = frozenset({"melted", "burned", DESTROYED})
GONE: Final = RECORDED_DESTROYED | {RETURNED, LOST}
# The steps an open suspicion refuses: those that destroy or alter the weapon.
BLOCKED: Final = frozenset(
    {
        "parts_removed",
        "parts_incinerated",
        "deformed",
        "cut",
        "batch_loaded",
        "melted",
        "fuses_removed",
        "depackaged",
        "burned",
    }
)


def same_model(model: str | None, other: str | None) -> bool:
    """One model where both name one: alike as markings are folded (`ПМ`, `пм`, `П-М`) or
    as transliterated (`ПМ` and `PM`, `РПК` and `RPK`; workflows.markings); a record without
    a model cannot tell two apart."""
    if model is None or other is None:
        return True
    return fold(model) == fold(other) or transliterated(model) == transliterated(other)


def same_weapon(category: str, model: str | None, old: Item) -> bool:
    """R11: one category, and one model where both name a model (two models that share a
    marking are two weapons)."""
    return category == old.category and same_model(model, old.model)


def comeback(
    category: str,
    model: str | None,
    candidates: Iterable[Item],
    cleared: Iterable[str] = (),
    itself: str | None = None,
) -> Item | None:
    """R11: of the items sharing a marking identity (`candidates`), the first gone (by the
    seq it last moved at) that is the same weapon; None when none is. `cleared` are the items
    an official already found this one is not to be suspected over; `itself` is skipped."""
    skip = set(cleared)
    found = [
        old
        for old in candidates
        if old.id != itself
        and old.id not in skip
        and old.state in GONE
        and same_weapon(category, model, old)
    ]
    return min(found, key=lambda old: old.last_seq) if found else None


def suspicion_blocks(item: Item, step: str) -> RuleViolation | None:
    """R11: an open suspicion refuses every step that destroys or alters the weapon."""
    if item.diversion is not None and step in BLOCKED:
        return RuleViolation(
            R11,
            f"{item.name} is suspected of diversion ({item.diversion}); an authorised "
            "official's signed resolution must come first",
            item.id,
        )
    return None


def compensation_refusal(item: Item, first: Payment | str | None = None) -> RuleViolation | None:
    """R11, R12, R14 for paying compensation for `item`; `first` is the payment already made
    for its marking identity, if any (R14)."""
    if item.diversion is not None:
        return RuleViolation(
            R11, f"{item.name} is suspected of diversion ({item.diversion}); nothing is paid"
        )
    if item.diversion_found is not None:
        return RuleViolation(
            R11,
            f"{item.name} was found diverted or re-marked ({item.diversion_found}); "
            "nothing is paid",
        )
    if item.source != SURRENDERED or item.campaign is None:
        return RuleViolation(R12, f"{item.name} was not surrendered in a campaign")
    if item.category == FIREARM and item.rifled and item.registry_result != NO_MATCH:
        if item.registry_result is None:
            why = "the bullet registry's result is not recorded yet"
        else:
            why = f"the bullet registry's result is {item.registry_result}; it goes to evidence"
        return RuleViolation(R12, f"{why}: no compensation for {item.name}")
    paid = item.compensation or (first.id if isinstance(first, Payment) else first)
    if paid is not None:
        where = ""
        if isinstance(first, Payment):
            where = f" for item {first.item} in campaign {first.campaign}"
        return RuleViolation(
            R14, f"{item.name} was compensated already: payment {paid}{where}", item.id
        )
    return None


def confirmation_refusal(payment: Payment, actor: str) -> RuleViolation | None:
    """R13: a second person, never the payer, checks a payment, once."""
    if payment.confirmed_by is not None:
        return RuleViolation(
            R13, f"payment {payment.id} was checked already by {payment.confirmed_by}"
        )
    if payment.paid_by == actor:
        return RuleViolation(
            R13, f"payment {payment.id} is checked by a second person, not by {actor} who paid it"
        )
    return None


def campaign_refusal(campaign: Campaign, source: str, place: str, day: str) -> RuleViolation | None:
    """R15: a campaign takes surrendered items, at its places, in its period (day: YYYY-MM-DD
    at the unit)."""
    if source != SURRENDERED:
        return RuleViolation(R15, f"campaign {campaign.id} takes surrendered items, not {source}")
    if place not in campaign.places:
        return RuleViolation(R15, f"campaign {campaign.id} does not take surrenders at {place}")
    if not campaign.runs_on(day):
        return RuleViolation(
            R15, f"campaign {campaign.id} runs from {campaign.starts} to {campaign.ends}, not {day}"
        )
    return None


def payment_refusal(
    campaign: Campaign, category: str, amount: int, paid: int
) -> RuleViolation | None:
    """R15: at most the campaign's tariff for the category, within what is left of its budget
    (`paid`: tenge paid in it so far)."""
    tariff = campaign.tariffs.get(category)
    if tariff is None:
        return RuleViolation(R15, f"campaign {campaign.id} pays nothing for {category}")
    if amount > tariff:
        return RuleViolation(
            R15, f"{amount} tenge is above campaign {campaign.id}'s tariff for {category}: {tariff}"
        )
    left = campaign.budget_tenge - paid
    if amount > left:
        return RuleViolation(
            R15, f"{amount} tenge is above what is left of campaign {campaign.id}'s budget: {left}"
        )
    return None

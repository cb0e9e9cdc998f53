"""Surrender campaigns ("Karu", and buy-backs under the decree of 26 December 2007): opening
one, and its totals as a plain function of its items and payments (R15)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from workflows import registers
from workflows.errors import InvalidRequest
from workflows.model import Campaign, Item, Payment
from workflows.unit_of_work import Work
from workflows.vocabulary import CATEGORIES, UNIT

# "Karu" campaigns are biannual (the UN PoA report, A.6), the 2007 buy-back one programme; a
# period longer than a year is a typo (`2062` for `2026`) that would keep a campaign paying.
LONGEST_DAYS = 366
# A campaign is opened ahead of its period by months, not years: a start further ahead than
# this is a typo (`2099`), and would sit in the register as if planned (b12).
FURTHEST_AHEAD_DAYS = 366


def _days(starts: str, ends: str) -> int:
    return (date.fromisoformat(ends) - date.fromisoformat(starts)).days + 1


def open_campaign(
    work: Work,
    campaign_id: str,
    name: str,
    starts: str,
    ends: str,
    places: Iterable[str],
    budget_tenge: int,
    tariffs: Mapping[str, int],
) -> None:
    """A campaign: its period (YYYY-MM-DD, both days in), the units that take surrenders, its
    budget and tariff per category, in whole tenge (at least one tariff; at most LONGEST_DAYS
    days, R15), starting on or after the record horizon (ProcessConfig.record_horizon) and at
    most FURTHEST_AHEAD_DAYS after today (UTC); each place named once; no tariff above the
    whole budget. Raises InvalidRequest, UnknownObject."""
    latest = work.moment.date() + timedelta(days=FURTHEST_AHEAD_DAYS)
    horizon = work.config.record_horizon
    if date.fromisoformat(starts) < horizon:
        raise InvalidRequest(
            f"a campaign starts on or after {horizon} (the record horizon), not {starts}"
        )
    if date.fromisoformat(starts) > latest:
        raise InvalidRequest(
            f"a campaign starts at most {FURTHEST_AHEAD_DAYS} days ahead (by {latest}), "
            f"not {starts}"
        )
    if ends < starts:
        raise InvalidRequest(f"a campaign ends ({ends}) on or after the day it starts ({starts})")
    if _days(starts, ends) > LONGEST_DAYS:
        raise InvalidRequest(
            f"a campaign runs for at most {LONGEST_DAYS} days ({starts} to {ends} is longer):"
            " open one campaign per period"
        )
    if not tariffs:
        raise InvalidRequest("a campaign pays by tariff: name the tariff of at least one category")
    at = list(places)
    if len(set(at)) != len(at):
        twice = next(p for n, p in enumerate(at) if p in at[:n])
        raise InvalidRequest(f"a campaign names each place once: {twice} is named twice")
    if not at:
        raise InvalidRequest("name the units that take surrenders in the campaign")
    for place in at:
        registers.location_of_kind(work, place, UNIT)
    unknown = sorted(set(tariffs) - CATEGORIES)
    if unknown:
        raise InvalidRequest(f"a tariff is for a category ({', '.join(sorted(CATEGORIES))})")
    over = sorted(c for c, tenge in tariffs.items() if tenge > budget_tenge)
    if over:
        raise InvalidRequest(
            f"the tariff for {over[0]} ({tariffs[over[0]]} tenge) is more than the whole "
            f"budget ({budget_tenge} tenge)"
        )
    work.load("campaigns", [campaign_id])
    if work.world.find("campaigns", campaign_id) is not None:
        raise InvalidRequest(f"campaign {campaign_id} is opened already")
    data: dict[str, Any] = {
        "name": name.strip(),
        "starts": starts,
        "ends": ends,
        "places": at,
        "budget_tenge": budget_tenge,
        "tariffs": dict(sorted(tariffs.items())),
    }
    work.entry("campaign_opened", campaign_id, data)


def totals(
    campaign: Campaign, items: Iterable[Item], payments: Iterable[Payment]
) -> dict[str, Any]:
    """What a campaign brought in and paid: items, rifled firearms, items by category,
    payments and tenge paid (and of those checked by a second person), budget left."""
    brought = [i for i in items if i.campaign == campaign.id]
    paid = [p for p in payments if p.campaign == campaign.id]
    spent = sum(p.amount_tenge for p in paid)
    return {
        "campaign": campaign.id,
        "name": campaign.name,
        "starts": campaign.starts,
        "ends": campaign.ends,
        "items": len(brought),
        "rifled": sum(1 for i in brought if i.rifled),
        "by_category": dict(sorted(Counter(i.category for i in brought).items())),
        "payments": len(paid),
        "paid_tenge": spent,
        "confirmed_payments": sum(1 for p in paid if p.confirmed_by is not None),
        "confirmed_tenge": sum(p.amount_tenge for p in paid if p.confirmed_by is not None),
        "budget_tenge": campaign.budget_tenge,
        "budget_left_tenge": campaign.budget_tenge - spent,
    }

"""Compensation for surrendered weapons (R12-R15): paid once per weapon, to a person known
only by a keyed hash, checked by a second person.

The recipient is recorded as HMAC-SHA-256, keyed with the service's secret
(CUSTODY_RECIPIENT_SECRET), of `custody/recipient/v1\\x00` and their national identity
number (ИИН, 12 digits): the same person is recognised across campaigns without the number
being stored, and without the secret nobody can test a guessed number against the ledger.
The number itself is never written, logged or echoed in an error.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from workflows.diversion import compensation_refusal, confirmation_refusal, payment_refusal
from workflows.errors import InvalidRequest
from workflows.model import Payment
from workflows.unit_of_work import Work

RECIPIENT_DOMAIN = b"custody/recipient/v1\x00"


def new_payment_id() -> str:
    return f"PAY-{uuid.uuid4().hex[:10].upper()}"


def recipient_hash(secret: bytes, national_id: str) -> str:
    """Hex HMAC-SHA-256(secret, domain || national id). Raises InvalidRequest for a number
    that is not 12 ASCII digits (without repeating it) or a secret under 32 bytes."""
    if len(secret) < 32:
        raise InvalidRequest("the recipient secret is at least 32 bytes")
    if len(national_id) != 12 or not national_id.isascii() or not national_id.isdigit():
        raise InvalidRequest("a national identity number is 12 digits")
    message = RECIPIENT_DOMAIN + national_id.encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def pay(work: Work, item_id: str, amount_tenge: int, reference: str, national_id: str) -> str:
    """Record compensation paid for a surrendered item; returns the payment's id. Raises
    RuleViolation (R11, R12, R14, R15), UnknownObject, InvalidRequest."""
    secret = work.config.recipient_secret
    if secret is None:
        raise InvalidRequest("no payment without the service's CUSTODY_RECIPIENT_SECRET")
    recipient = recipient_hash(secret.get_secret_value().encode(), national_id)
    work.load("items", [item_id])
    item = work.world.item(item_id)
    first: Payment | None = None
    if item.marking_folded:
        earlier = work.repo.payments_where("marking_folded", item.marking_folded)
        first = earlier[0] if earlier else None
    refused = compensation_refusal(item, first)
    if refused is not None:
        raise refused.about(item_id)
    assert item.campaign is not None  # compensation_refusal: surrendered in a campaign
    work.load("campaigns", [item.campaign])
    campaign = work.world.campaign(item.campaign)
    paid = sum(p.amount_tenge for p in work.repo.payments_where("campaign", campaign.id))
    refused = payment_refusal(campaign, item.category, amount_tenge, paid)
    if refused is not None:
        raise refused.about(item_id)
    if amount_tenge <= 0:
        raise InvalidRequest("an amount is a whole number of tenge above zero")
    payment = new_payment_id()
    data = {
        "payment": payment,
        "campaign": campaign.id,
        "amount_tenge": amount_tenge,
        "reference": reference.strip(),
        "recipient": recipient,
        "marking_folded": item.marking_folded,
    }
    work.entry("compensation_paid", item_id, data)
    return payment


def confirm(work: Work, payment_id: str) -> None:
    """R13: a second person checks a payment. Raises RuleViolation, UnknownObject."""
    work.load("payments", [payment_id])
    payment = work.world.payment(payment_id)
    refused = confirmation_refusal(payment, work.actor)
    if refused is not None:
        raise refused.about(payment.item)
    work.entry("compensation_confirmed", payment.item, {"payment": payment_id})

"""The paymaster's page (their home): compensation for weapons surrendered in a campaign
("Karu", R12-R15), paid and checked through the same commands as `POST /steps/compensation_paid`
and `POST /steps/compensation_confirmed`.

Two queues, at the paymaster's places: the surrendered items not paid yet, each with the rule
that stops paying it (R11, R12: the registry's result not in yet) or a form (amount, prefilled
with the campaign's tariff for the category; the payment order's reference; the recipient's
national identity number); and the payments not checked yet, those paid by another with a
button to check them (R13: never one's own). A refusal is said in the reader's language and
the form keeps the amount and reference typed; the national identity number is never written
back into a page (workflows.compensation keeps only its keyed hash), so it is asked again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import SecretStr, ValidationError
from starlette.concurrency import run_in_threadpool

from api.errors import Forbidden
from api.http.strict_json import StrictJSONRoute
from api.web import i18n, sessions
from api.web.places import names as place_names
from api.web.render import Visitor, page, system_of, visitor
from workflows import grammar, reading
from workflows.commands import ConfirmCompensation, PayCompensation
from workflows.diversion import compensation_refusal
from workflows.errors import RuleViolation, UnknownObject, WorkflowError
from workflows.model import Campaign, Item, Payment
from workflows.process import Process
from workflows.repository import ItemSearch, Repository
from workflows.world import World

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
PAY, CONFIRM = PayCompensation.kind, ConfirmCompensation.kind
SHOWN = 200  # rows per queue: a campaign's surrenders at a paymaster's places


@dataclass
class ToPay:
    item: Item
    campaign: Campaign | None
    refused: RuleViolation | None  # what stops paying it now (R11, R12), else None

    @property
    def tariff(self) -> int | None:
        return self.campaign.tariffs.get(self.item.category) if self.campaign else None


@dataclass
class Desk:
    to_pay: list[ToPay] = field(default_factory=list)
    to_check: list[Payment] = field(default_factory=list)  # paid by another, not checked
    mine: list[Payment] = field(default_factory=list)  # paid by me, waiting for another
    items: dict[str, Item] = field(default_factory=dict)  # the payments' items, by id
    people: dict[str, str] = field(default_factory=dict)  # the payers' names, by username


def desk(process: Process, me: Visitor) -> Desk:
    """The paymaster's two queues at their places (workflows.reading), oldest first."""
    reader = reading.scope(me.principal.roles, me.principal.places)
    search = ItemSearch(source="surrendered", limit=SHOWN, places=reader)
    surrendered = [i for i in process.items(search) if i.campaign is not None]
    campaigns = {c.id: c for c in process.campaigns()}
    found = Desk()
    for item in surrendered:
        if item.compensation is None:
            refused = compensation_refusal(item)
            found.to_pay.append(ToPay(item, campaigns.get(str(item.campaign)), refused))
    found.items = {i.id: i for i in surrendered}
    with process.ledger.database.read() as conn:
        repo = Repository(conn)
        paid: list[Payment] = [p for c in campaigns for p in repo.payments_where("campaign", c)]
        for payment in sorted(paid, key=lambda p: p.paid_seq):
            if payment.confirmed_by is not None or payment.item not in found.items:
                continue
            (found.mine if payment.paid_by == me.username else found.to_check).append(payment)
        world = World()
        payers = sorted({p.paid_by for p in found.to_check})
        repo.load(world, "accounts", payers)
        found.people = {a.id: a.name for a in world.accounts.values()}
    return found


def _may(me: Visitor) -> None:
    if not (me.may(PAY) or me.may(CONFIRM)):
        raise Forbidden(me.role, PAY)


async def payments_page(
    request: Request,
    me: Me,
    status: int = 200,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    """The page; `error` and `kept` (item, amount_tenge, reference as typed) after a refusal,
    `done` after a payment or a check."""
    _may(me)
    process = system_of(request).process
    found = await run_in_threadpool(desk, process, me)
    names = place_names(process, me.language)
    return page(
        "payments.html.j2",
        me.language,
        me,
        status,
        desk=found,
        names=names,
        error=error,
        kept=kept or {},
        done=done,
        refusal=lambda refused: i18n.refusal(refused, me.language),
    )


@router.get("/payments", response_class=HTMLResponse)
async def payments(request: Request, me: Me, paid: str = "", checked: str = "") -> Response:
    gettext = i18n.gettext_of(me.language)
    done = None
    if paid:
        done = gettext("Payment %(id)s recorded; a second paymaster checks it") % {"id": paid[:64]}
    elif checked:
        done = gettext("Payment %(id)s checked") % {"id": checked[:64]}
    return await payments_page(request, me, done=done)


@router.post("/payments/pay", response_class=HTMLResponse)
async def pay(
    request: Request,
    me: Me,
    item: Annotated[str, Form(max_length=128)],
    amount_tenge: Annotated[str, Form(max_length=32)] = "",
    reference: Annotated[str, Form(max_length=256)] = "",
    national_id: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Record a compensation paid (PayCompensation); on a refusal the page again, 422, with
    the reason in the reader's language and the amount and reference kept."""
    sessions.check_csrf(me.session, csrf)
    if not me.may(PAY):
        raise Forbidden(me.role, PAY)
    gettext = i18n.gettext_of(me.language)
    kept = {"item": item, "amount_tenge": amount_tenge, "reference": reference}

    async def refused(message: str) -> Response:
        return await payments_page(request, me, 422, message, kept)

    amount = amount_tenge.strip()
    if not (amount.isascii() and amount.isdigit()):
        return await refused(gettext("The amount is a whole number of tenge, digits 0-9 only"))
    number = national_id.strip()
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        # Not repeated: the number is never shown back (workflows.compensation).
        return await refused(gettext("A national identity number is 12 digits (0-9)"))
    try:
        command = PayCompensation(  # a form's fields lose spaces at their ends (grammar.typed)
            item=grammar.typed(item),
            amount_tenge=int(amount),
            reference=grammar.typed(reference),
            national_id=SecretStr(number),
        )
        _, payment = await request.app.state.writer.run(me.principal, command.perform)
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0])
        label = {"amount_tenge": gettext("Amount, tenge"), "reference": gettext("Reference")}
        field = label.get(where) or i18n.field_label(where, gettext)
        said = gettext("%(field)s: check what was typed") % {"field": field}
        return await refused(said)
    except RuleViolation as exc:
        return await refused(i18n.refusal(exc, me.language))
    except UnknownObject:
        return await refused(gettext("No item %(code)s is registered") % {"code": item})
    except WorkflowError as exc:
        return await refused(gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)})
    return RedirectResponse(f"/web/payments?paid={payment}", status_code=303)


@router.post("/payments/{payment}/confirm", response_class=HTMLResponse)
async def confirm(
    request: Request,
    me: Me,
    payment: str,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Check another paymaster's payment (ConfirmCompensation, R13)."""
    sessions.check_csrf(me.session, csrf)
    if not me.may(CONFIRM):
        raise Forbidden(me.role, CONFIRM)
    gettext = i18n.gettext_of(me.language)
    try:
        command = ConfirmCompensation(payment=payment)
        await request.app.state.writer.run(me.principal, command.perform)
    except ValidationError:
        return await payments_page(request, me, 422, gettext("No payment %(id)s") % {"id": payment})
    except RuleViolation as exc:
        return await payments_page(request, me, 422, i18n.refusal(exc, me.language))
    except UnknownObject:
        return await payments_page(request, me, 404, gettext("No payment %(id)s") % {"id": payment})
    except WorkflowError as exc:
        why = gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}
        return await payments_page(request, me, 422, why)
    return RedirectResponse(f"/web/payments?checked={payment}", status_code=303)

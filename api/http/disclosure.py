"""An item's disclosure bundle over HTTP: the same file `custody item-proof` writes
(custody.disclosure), for a reader to hand to a court or a tracing agency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import reading
from api.access.auth import require, system_of
from api.access.roles import READ
from api.access.tokens import Principal
from api.http.ledger import MAX_SEQ
from api.http.problems import PROBLEM_RESPONSES
from custody.disclosure import FORMAT, disclose
from custody.errors import ProofRangeError
from workflows.errors import UnknownObject

router = APIRouter(tags=["ledger"], responses=PROBLEM_RESPONSES)


@router.get(
    "/items/{item_id}/proof",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": FORMAT}},
)
async def item_proof(
    request: Request,
    item_id: str,
    caller: Annotated[Principal, Depends(require(READ))],
    size: Annotated[
        int | None,
        Query(ge=1, le=MAX_SEQ, description="the checkpoint's size; default: the latest"),
    ] = None,
) -> Response:
    """The item's entries with their exact bytes and signatures, an RFC 9162 inclusion proof
    of each to one signed checkpoint, the ledger's keys and its signed subject head (the item's
    newest entry at that size; docs/ledger.md, format
    custody/item-proof/v1): check it offline with `custody verify-item`."""
    system = system_of(request)
    await run_in_threadpool(reading.check_subject, system.process, caller, item_id)
    ledger = system.ledger
    try:
        bundle = await run_in_threadpool(disclose, ledger, item_id, size)
    except ProofRangeError as exc:
        if size is None:
            raise UnknownObject(f"no entry names item {item_id!r}") from exc
        raise
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in item_id)
    return Response(
        bundle,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="item-proof-{name}.json"'},
    )

"""The ledger's read-only endpoints of DESIGN §7.

What proves the log is public, as Sigsum logs publish hashes and signatures, not data:
checkpoints, keys, leaf hashes and proofs need no login. Entry bodies name weapons, people,
places and transfers on the road, so they are for a logged-in role holding `read` only.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from api.access.auth import require_everywhere
from api.access.roles import READ
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES
from custody.entries import Entry
from custody.ledger import Ledger

router = APIRouter(prefix="/ledger", tags=["ledger"], responses=PROBLEM_RESPONSES)
MAX_PAGE = 1000
MAX_SEQ = 2**63 - 1  # what a database BIGINT holds; beyond it a query could only fail


class EntryOut(BaseModel):
    seq: int
    body: str  # base64 of the exact stored bytes
    leaf_hash: str
    sig: str
    key_id: str


def entry_fields(entry: Entry) -> dict[str, Any]:
    """An entry as the API gives it: the exact stored bytes in base64, hashes in hex."""
    return {
        "seq": entry.seq,
        "body": base64.b64encode(entry.body).decode(),
        "leaf_hash": entry.leaf_hash.hex(),
        "sig": base64.b64encode(entry.sig).decode(),
        "key_id": entry.key_id,
    }


class EntriesOut(BaseModel):
    entries: list[EntryOut]
    size: int
    next: int | None


class LeafOut(BaseModel):
    seq: int
    leaf_hash: str


class LeavesOut(BaseModel):
    leaves: list[LeafOut]
    size: int
    next: int | None


class KeyOut(BaseModel):
    key_id: str
    owner: str
    purpose: str
    name: str
    public_key: str
    vkey: str
    valid_from_seq: int
    rotated_at_seq: int | None
    revoked_at_seq: int | None
    replaced_by: str | None


class InclusionOut(BaseModel):
    index: int
    size: int
    leaf_hash: str
    root: str
    hashes: list[str]


class ConsistencyOut(BaseModel):
    old: int
    new: int
    old_root: str
    new_root: str
    hashes: list[str]


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(request: Request) -> str:
    """The latest C2SP signed checkpoint; a new one is signed first if the tree has grown."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        latest = ledger.latest_checkpoint(conn)
        size = ledger.head(conn).size
    if latest is None or latest.size < size:
        with ledger.database.write() as conn:
            latest = ledger.issue_checkpoint(conn)
    return latest.note


@router.get("/key", response_class=PlainTextResponse)
def key(request: Request) -> str:
    """The ledger's verifier key: `<origin>+<hex key id>+<base64(0x01 || public key)>`; the
    current one, also when another process has just rotated it."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        return ledger.current_verifier_key(conn) + "\n"


@router.get("/keys", response_model=list[KeyOut])
def keys(request: Request) -> list[KeyOut]:
    """Every public key the ledger has published, with the seq range in which it holds."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        records = ledger.keys(conn)
    return [KeyOut.model_validate(record.to_json()) for record in records]


@router.get("/leaves", response_model=LeavesOut)
def leaves(
    request: Request,
    start: Annotated[int, Query(ge=0, le=MAX_SEQ, description="first seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> LeavesOut:
    """Public: the leaf hash of each entry in seq order, without its body. With the
    checkpoint they rebuild the tree (RFC 9162 section 2.1.1), and nothing of what it holds."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        size = ledger.head(conn).size
        rows = ledger.leaves(conn, start, limit)
    end = start + len(rows)
    return LeavesOut(
        leaves=[LeafOut(seq=seq, leaf_hash=leaf.hex()) for seq, leaf in rows],
        size=size,
        next=end if end < size else None,
    )


@router.get("/entries", response_model=EntriesOut)
def entries(
    request: Request,
    _: Annotated[Principal, Depends(require_everywhere(READ))],
    start: Annotated[int, Query(ge=0, le=MAX_SEQ, description="first seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> EntriesOut:
    """Entries in seq order, with the exact stored bytes of each body (login, `read`, a
    role that reads every place: a page of the log cut to some places would have holes a
    verifier could not tell from a tampered log; staff read their items' entries at
    GET /items/{id}/history)."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        size = ledger.head(conn).size
        rows = ledger.entries(conn, start, limit)
    end = start + len(rows)
    return EntriesOut(
        entries=[EntryOut(**entry_fields(e)) for e in rows],
        size=size,
        next=end if end < size else None,
    )


@router.get("/proof/inclusion", response_model=InclusionOut)
def inclusion(
    request: Request,
    index: Annotated[int, Query(ge=0, le=MAX_SEQ)],
    size: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="tree size; default: current")
    ] = None,
) -> InclusionOut:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        proof = ledger.inclusion_proof(conn, index, size)
    return InclusionOut.model_validate(proof.to_json())


@router.get("/proof/consistency", response_model=ConsistencyOut)
def consistency(
    request: Request,
    old: Annotated[int, Query(ge=1, le=MAX_SEQ)],
    new: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="tree size; default: current")
    ] = None,
) -> ConsistencyOut:
    """RFC 9162 consistency proof between the trees of `old` and `new` leaves."""
    ledger = _ledger(request)
    with ledger.database.read() as conn:
        proof = ledger.consistency_proof(conn, old, new)
    return ConsistencyOut.model_validate(proof.to_json())

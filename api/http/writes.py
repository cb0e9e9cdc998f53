"""Every step the API writes: one action of the process, whole or not at all, with the
Idempotency-Key's answer kept in its transaction. On SQLite the actions queued at a moment
share one transaction, each in a savepoint of its own (api.http.write_batches); on PostgreSQL each
has its own, on a write thread (api.http.write_threads)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from api.access.tokens import Principal
from api.http import idempotency
from api.http.idempotency import Answer
from api.http.write_batches import HEAVY_BODY, WriteBatches
from api.http.write_threads import WriteThreads
from api.service_secret import fingerprint_key
from workflows.process import Process
from workflows.unit_of_work import Work

Action = Callable[[Work], Any]
REPLAYED = "Idempotent-Replayed"


class Writer:
    def __init__(self, process: Process, sqlite: bool) -> None:
        self.process = process
        self.fingerprint_key = fingerprint_key(process.config)
        # SQLite writes one transaction at a time, quickly, on this machine: on the loop, in
        # batches (api.http.write_batches). PostgreSQL's writes wait on the network and on the
        # ledger head's lock, which eight threads queue on (of every server of the database).
        self.batches = WriteBatches(process) if sqlite else None
        self.threads = None if sqlite else WriteThreads(8)

    async def close(self) -> None:
        if self.batches is not None:
            await self.batches.close()
        if self.threads is not None:
            self.threads.close()

    async def write(self, request: Request, caller: Principal, action: Action) -> Response:
        key = request.headers.get("Idempotency-Key")
        print_ = None
        body = await request.body()
        if key is not None:
            idempotency.check_key(key)
            print_ = idempotency.fingerprint(
                request.method, request.url.path, body, self.fingerprint_key
            )
        perform = partial(_perform, key, print_, action)
        if self.batches is not None:
            heavy = len(body) > HEAVY_BODY
            answer, replayed = await self.batches.run(caller.username, perform, heavy)
        else:
            assert self.threads is not None
            answer, replayed = await self.threads.run(self._alone, caller.username, perform)
        headers = {REPLAYED: "true"} if replayed else {}
        return Response(answer.body, answer.status, headers=headers, media_type="application/json")

    async def run(self, caller: Principal, action: Action, heavy: bool = True) -> tuple[int, Any]:
        """An action for a web page, the way every step is written: (entries written, what the
        action returned). Raises what the action raises, with nothing written."""

        def counted(work: Work) -> tuple[int, Any]:
            # Through the caller's device token, if the page was opened with one.
            result = action(work.through(caller.device))
            return len(work.commit()), result

        if self.batches is not None:
            return await self.batches.run(caller.username, counted, heavy)  # type: ignore[no-any-return]
        assert self.threads is not None
        return await self.threads.run(self._alone, caller.username, counted)  # type: ignore[arg-type]

    def _alone(self, actor: str, perform: Action) -> tuple[Answer, bool]:
        with self.process.work(actor) as work:
            return perform(work)  # type: ignore[no-any-return]


def _perform(
    key: str | None, print_: str | None, action: Action, work: Work
) -> tuple[Answer, bool]:
    """The action, with its Idempotency-Key's answer recalled or kept in its transaction."""
    if key is not None and print_ is not None:
        kept = idempotency.recall(work.conn, work.actor, key, print_)
        if kept is not None:
            return kept, True
    result = action(work)
    entries = work.commit()
    answer = Answer(200, _body(entries, result))
    if key is not None and print_ is not None:
        last = entries[-1].seq if entries else None
        idempotency.keep(work.conn, work.actor, key, print_, answer, work.now, last)
    return answer, False


def _body(entries: list[Any], result: Any) -> str:
    first = entries[0].seq if entries else None
    last = entries[-1].seq if entries else None
    written = {"entries": len(entries), "first_seq": first, "last_seq": last, "result": result}
    return orjson.dumps(written).decode()

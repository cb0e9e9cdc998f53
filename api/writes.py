"""Every write the API makes: one action of the process in one transaction, off the event
loop, with the Idempotency-Key's answer kept in that same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from api import idempotency
from api.idempotency import Answer
from api.tokens import Principal
from api.write_threads import WriteThreads
from workflows.process import Process
from workflows.unit_of_work import Work

Action = Callable[[Work], Any]
REPLAYED = "Idempotent-Replayed"


class Writer:
    def __init__(self, process: Process, sqlite: bool) -> None:
        self.process = process
        # SQLite has one writer at a time anyway: threads queued on its lock would only wait
        # in its busy handler. PostgreSQL queues them on the ledger head's lock.
        self.threads = WriteThreads(1 if sqlite else 8)

    def close(self) -> None:
        self.threads.close()

    async def write(self, request: Request, caller: Principal, action: Action) -> Response:
        key = request.headers.get("Idempotency-Key")
        print_ = None
        if key is not None:
            idempotency.check_key(key)
            body = await request.body()
            print_ = idempotency.fingerprint(request.method, request.url.path, body)
        answer, replayed = await self.threads.run(
            self._perform, caller.username, key, print_, action
        )
        headers = {REPLAYED: "true"} if replayed else {}
        return Response(answer.body, answer.status, headers=headers, media_type="application/json")

    def _perform(
        self, actor: str, key: str | None, print_: str | None, action: Action
    ) -> tuple[Answer, bool]:
        with self.process.work(actor) as work:
            if key is not None and print_ is not None:
                kept = idempotency.recall(work.conn, actor, key, print_)
                if kept is not None:
                    return kept, True
            result = action(work)
            entries = work.commit()
            answer = Answer(200, _body(entries, result))
            if key is not None and print_ is not None:
                last = entries[-1].seq if entries else None
                idempotency.keep(work.conn, actor, key, print_, answer, work.now, last)
        return answer, False


def _body(entries: list[Any], result: Any) -> str:
    first = entries[0].seq if entries else None
    last = entries[-1].seq if entries else None
    written = {"entries": len(entries), "first_seq": first, "last_seq": last, "result": result}
    return orjson.dumps(written).decode()

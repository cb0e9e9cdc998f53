"""A list applied twice: a double click on a step's button, or the form sent again after a
reload. The second command is refused by the rules (e.g. "parts removed cannot follow parts
removed"), which reads as if the first had failed; the pages say "already applied" instead
when the ledger shows the first went through.

The pages' buttons are disabled while their command runs (hx-disabled-elt, page.js's
data-once), so this is what is left: a second request that got out all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from api.system import System
from api.web import i18n
from custody.clock import parse_time
from custody.entries import decode

RECENT = dt.timedelta(minutes=10)
"""How long after a step a refused second one of the same list is taken for a resubmission."""


def already_applied(system: System, actor: str, step: str, items: Sequence[str]) -> bool:
    """Whether every one of `items` (ids) has as its last ledger entry `step` (an entry
    kind), written by `actor` (a username) within RECENT of now: the same list applied
    already by the same person. Asked only after the command refused a step for items it
    found, so nothing is told of items the actor does not read; False for an empty list or
    an item without entries."""
    if not items:
        return False
    now = system.process.now()
    with system.ledger.database.read() as conn:
        for item in items:
            entries = system.ledger.item_history(conn, item)
            if not entries:
                return False
            body = decode(entries[-1].body)
            if body.kind != step or body.actor != actor:
                return False
            if now - parse_time(body.time) > RECENT:
                return False
    return True


def applied_twice(step: str, n: int, language: str) -> str:
    """What a second submission of a list already applied is answered, in `language`."""
    gettext = i18n.gettext_of(language)
    return gettext(
        "Already applied: %(step)s was recorded for these %(n)s items; nothing was written again"
    ) % {"step": gettext(i18n.STEPS[step]), "n": n}

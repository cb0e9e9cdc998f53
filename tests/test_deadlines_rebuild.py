"""A database made before R1 was counted by the law's days: its deadline rows (10 x 24 hours
from the entry) and its places (no zone, no register) differ from what the fold now makes,
`custody verify` step 10 says so, and `custody deadlines --rebuild` brings them up to date
from the ledger alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import text

from custody.clock import format_time, parse_time
from tests.support.processes import environment, run
from tests.support.site import DECISION, Site
from workflows.replay import check_state, replay

ALMATY = ZoneInfo("Asia/Almaty")


def _make_it_as_before(site: Site, rifle: str) -> None:
    """Write the rows as the code before this change did."""
    with site.ledger.database.write() as conn:
        [(data,)] = conn.execute(
            text("SELECT data FROM wf_deadlines WHERE item = :i"), {"i": rifle}
        ).all()
        now = orjson.loads(data)
        started = now["facts"][0]["entered_at"]
        due = format_time(parse_time(started) + dt.timedelta(days=10))
        old = {k: now[k] for k in ("item", "rule", "paused_at", "met_at", "cancelled_at")}
        old |= {"started_at": started, "due_at": due}
        conn.execute(
            text("UPDATE wf_deadlines SET due_at = :due, data = :d WHERE item = :i"),
            {"due": due, "d": orjson.dumps(old).decode(), "i": rifle},
        )
        for place, data in conn.execute(text("SELECT id, data FROM wf_locations")).all():
            document = orjson.loads(data)
            document.pop("time_zone")
            document.pop("people")
            conn.execute(
                text("UPDATE wf_locations SET data = :d WHERE id = :i"),
                {"d": orjson.dumps(document).decode(), "i": place},
            )


def test_a_database_from_before_the_law_count_is_brought_up_to_date_by_rebuild(
    site: Site, tmp_path: Path
) -> None:
    rifle = site.register_rifle()
    decided = site.clock().astimezone(ALMATY).date() - dt.timedelta(days=5)
    site.process.record_decision(
        "unit.serikbaev", [rifle], {**DECISION, "date": decided.isoformat()}
    )
    _make_it_as_before(site, rifle)
    database = site.ledger.database
    assert check_state(replay(database), database) is not None  # verify step 10 sees it
    url = database.engine.url.render_as_string(hide_password=False)
    database.dispose()
    done = run(environment(tmp_path, url), "deadlines", "--rebuild", "--why")
    assert done.returncode == 0, done.stderr
    assert "rebuilt from the ledger" in done.stdout
    assert f"decision of {decided.isoformat()}" in done.stdout
    assert check_state(replay(database), database) is None
    [deadline] = site.process.deadlines()
    end = dt.datetime.combine(decided + dt.timedelta(days=11), dt.time(), ALMATY)
    assert deadline.due_at == format_time(end.astimezone(dt.UTC))

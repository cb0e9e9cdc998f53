"""The labels of the process's identifiers (api.web.labels): every role, entry kind, state,
kind of place, category and source has one, translated in Russian and Kazakh; and a real
browser, walking every page each demo account reaches in each language, finds no raw id of
these families in what a person reads (an id shown on purpose sits in a `<code>` beside its
label, and text marked as another language, a place's English name, is that language's)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from api.demo.data import PEOPLE
from api.web import labels
from custody.entries import KINDS
from tests.test_web_i18n import catalogue
from tests.test_web_pages import CHROMIUM, Browser, Site, browser, log_in, site, sites
from workflows.access import DESCRIPTIONS, ROLES
from workflows.machines import WORKFLOWS
from workflows.vocabulary import CATEGORIES, LOCATION_KINDS, SOURCES

__all__ = ["browser", "site", "sites"]  # the fixtures, shared with the pages' journeys
STATES = {s for w in WORKFLOWS.values() for s in w.states()} - {"new"}
FAMILIES = {
    "role": set(ROLES),
    "kind": set(KINDS),
    "state": STATES,
    "place_kind": set(LOCATION_KINDS),
    "category": set(CATEGORIES),
    "source": set(SOURCES),
}


def test_every_id_of_every_family_has_a_label() -> None:
    for family, ids in FAMILIES.items():
        assert set(labels.LABELS[family]) >= ids, (family, ids - set(labels.LABELS[family]))
    assert set(labels.ROLES) == set(ROLES)
    assert set(labels.KINDS) == set(KINDS)
    # Each id is one word, as the walk's _raw_ids reads a page's words.
    assert all(re.fullmatch(r"\w+", v) for ids in FAMILIES.values() for v in ids)
    # The duties say what workflows.access says, word for word (a change there is seen here).
    assert dict(DESCRIPTIONS) == labels.DUTIES


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_label_is_translated(language: str) -> None:
    said = catalogue(language)
    for family, table in labels.LABELS.items():
        for value, msgid in table.items():
            assert said.get(msgid), (language, family, value)
    # Two ids of one family never read the same.
    for family, table in labels.LABELS.items():
        if family == "duty":
            continue
        twice = [t for t, n in Counter(said[m] for m in table.values()).items() if n > 1]
        assert twice == [], (language, family, twice)


# -- every page, every language --------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

# What a person reads: visible text (and a select's options), less code elements and text
# marked as another language than the page's; and the page's links, in the same call (one
# round trip a page, not two: the walk loads 160 pages a language).
READ = """() => {
  const page = document.documentElement.lang;
  const apart = (el) => el.closest('code, pre, kbd, samp, script, style')
    || (el.closest('[lang]') && el.closest('[lang]').lang !== page);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || apart(el)) continue;
    if (el.tagName === 'OPTION' || el.checkVisibility()) out.push(node.textContent);
  }
  const links = Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href'));
  return {text: out.join('\\n'), links};
}"""
# Not pages to read: downloads, fragments polled by the pages, the language switch, logout.
NOT_PAGES = re.compile(r"logout|\.pdf|/files?/|/file$|bundle|lang=|/status|/quorum|/consistency")
SAME_KIND = re.compile(r"/(items|batches|transfers|check|queues)/[^/?]+")
EACH_ROLE = sorted({role: user for user, (role, _) in PEOPLE.items()}.items())


# A word standing alone: not part of a username such as `auditor.li`, a place id or an
# address. Every id is one such word (test_every_id_of_every_family_has_a_label), so the
# text's words are read once and looked up, not searched for id by id (0.4 s a page).
WORD = re.compile(r"(?<![\w.\-/])\w+(?![\w.\-/])")


def _raw_ids(text: str, language: str) -> list[str]:
    """The ids of the families standing as words in `text`. In English a label may be its
    id's word (`warehouse`), so only ids with an underscore count there."""
    words = set(WORD.findall(text))
    return [
        value
        for ids in FAMILIES.values()
        for value in ids
        if value in words and (language != "en" or "_" in value)
    ]


def _walk(page: Any, base: str, language: str) -> dict[str, list[str]]:
    """Every page reached from the home page by its links (two of each kind of page: two
    items, two batches), and the raw ids each shows."""
    todo, seen, kinds, found = ["/web/"], set(), Counter[str](), {}
    while todo:
        path = todo.pop(0)
        kind = SAME_KIND.sub(r"/\1/*", path.split("?")[0]) + ("?" if "?" in path else "")
        if path in seen or kinds[kind] >= 2:
            continue
        seen.add(path)
        kinds[kind] += 1
        page.goto(base + path)
        shown = page.evaluate(READ)
        raw = _raw_ids(shown["text"], language)
        if raw:
            found[path] = raw
        todo += [h for h in shown["links"] if h.startswith("/web/") and not NOT_PAGES.search(h)]
    assert len(seen) > 5, seen
    return found


@needs_chromium
# ru and kk: in English a label is mostly its id's own words, and the walk takes 40 s a language
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_page_shows_a_raw_id_in_any_language(
    site: Site, browser: Browser, language: str
) -> None:
    shown: dict[str, dict[str, list[str]]] = {}
    for role, user in EACH_ROLE:
        page = browser.page()
        log_in(page, site.base, user, language)
        found = _walk(page, site.base, language)
        if found:
            shown[role] = found
        page.context.close()
    assert shown == {}

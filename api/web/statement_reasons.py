"""Why a step of verify-statement failed, in the reader's language (issue 16: the public
check page said every reason but "not a PDF" in English on ru and kk pages).

    said("the ledger's signature does not verify", "kk")   # the Kazakh sentence
    said("an incremental update of 20 bytes is appended ...; page 1: ...", "ru")

The reasons are certificates.verify_statement's, certificates.pdf_difference's and their
QR and page comparisons' English sentences; each is matched whole by a pattern with
placeholders (as api.web.i18n does for the process's refusals), else split where the
verifier joined several with "; ", each part matched alone; "page N: ..." says the page.
What a pattern captures goes in as it is (ids, keys, addresses, the PDF's own names), except
the lists of drawing operators and PDF objects, each named in the reader's language. A
sentence no pattern knows stays English (a new reason not yet translated).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from api.web.i18n import N_, gettext_of, said_by

Gettext = Callable[[str], str]

# certificates.pdf_difference.OPERATORS' names, and its names of PDF objects (_kind).
OPERATORS = {
    "rectangle": N_("rectangle"),
    "filled area": N_("filled area"),
    "filled and stroked area": N_("filled and stroked area"),
    "stroked line": N_("stroked line"),
    "image or form": N_("image or form"),
    "inline image": N_("inline image"),
    "text": N_("text"),
    "font selection": N_("font selection"),
    "text position": N_("text position"),
    "text object": N_("text object"),
    "transformation": N_("transformation"),
    "saved graphics state": N_("saved graphics state"),
    "restored graphics state": N_("restored graphics state"),
    "fill colour": N_("fill colour"),
    "stroke colour": N_("stroke colour"),
}
_KIND = re.compile(r"a stream \((?P<x>.+)\)|(?P<d>\S+) dictionary")
KINDS = {
    "a content stream": N_("a content stream"),
    "a dictionary": N_("a dictionary"),
    "unreadable": N_("unreadable"),
}

_P = re.compile
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 1: the attachment
    (_P(r"the PDF carries no (?P<name>\S+)"), N_("the PDF carries no %(name)s")),
    (_P(r"(?P<name>\S+) is not JSON: (?P<why>.+)", re.S), N_("%(name)s is not JSON: %(why)s")),
    (
        _P(r"(?P<name>\S+) is not of the format (?P<format>\S+)"),
        N_("%(name)s is not of the format %(format)s"),
    ),
    # 2-3: the keys and the checkpoint
    (
        _P(r"the evidence lacks the ledger's genesis entry"),
        N_("the evidence lacks the ledger's genesis entry"),
    ),
    (
        _P(r"the ledger's keys are (?P<chain>.+): none is one you trust \((?P<trusted>.+)\)"),
        N_("the ledger's keys are %(chain)s: none is one you trust (%(trusted)s)"),
    ),
    (
        _P(r"the checkpoint does not verify: (?P<why>.+)", re.S),
        N_("the checkpoint does not verify: %(why)s"),
    ),
    (
        _P(r"the checkpoint is of another log: (?P<origin>.+)"),
        N_("the checkpoint is of another log: %(origin)s"),
    ),
    (
        _P(
            r"the checkpoint of size (?P<size>\d+) is not signed by the ledger key that held "
            r"at that size \((?P<held>.+)\)"
        ),
        N_(
            "the checkpoint of size %(size)s is not signed by the ledger key that held at "
            "that size (%(held)s)"
        ),
    ),
    # 4-6: the entries, their chains and proofs
    (_P(r"the entry is beyond the checkpoint"), N_("the entry is beyond the checkpoint")),
    (
        _P(r"no ledger key (?P<key>\S+) held at this seq"),
        N_("no ledger key %(key)s held at this seq"),
    ),
    (
        _P(r"the ledger's signature does not verify"),
        N_("the ledger's signature does not verify"),
    ),
    (_P(r"a signature is not base64"), N_("a signature is not base64")),
    (
        _P(r"the entry is not of the ledger's format: (?P<why>.+)", re.S),
        N_("the entry is not of the ledger's format: %(why)s"),
    ),
    (_P(r"the entry says seq (?P<seq>\d+)"), N_("the entry says seq %(seq)s")),
    (_P(r"no entries for item (?P<item>.+)"), N_("no entries for item %(item)s")),
    (_P(r"no entries for (?P<subject>.+)"), N_("no entries for %(subject)s")),
    (
        _P(r"an entry about (?P<item>.+) in (?P<subject>.+)'s"),
        N_("an entry about %(item)s in the chain of %(subject)s"),
    ),
    (
        _P(r"(?P<subject>.+)'s entries are not linked here"),
        N_("the entries of %(subject)s are not linked here"),
    ),
    (_P(r"no inclusion proof for this entry"), N_("no inclusion proof for this entry")),
    (_P(r"inclusion proof: (?P<why>.+)", re.S), N_("inclusion proof: %(why)s")),
    # 7: the statement's content
    (
        _P(r"the statement's SHA-256 is not the one given"),
        N_("the statement's SHA-256 is not the one given"),
    ),
    (
        _P(r"the statement lists an item twice, or out of order"),
        N_("the statement lists an item twice, or out of order"),
    ),
    (
        _P(
            r"the items listed weigh (?P<weight>\S+) g; the batch destroyed (?P<destroyed>\S+) "
            r"g of items: an item is missing"
        ),
        N_(
            "the items listed weigh %(weight)s g; the batch destroyed %(destroyed)s g of "
            "items: an item is missing"
        ),
    ),
    (
        _P(
            r"person (?P<n>\d+) present \((?P<who>.+)\) on the statement is not as the "
            r"batch's presence entries record them"
        ),
        N_(
            "person %(n)s present (%(who)s) on the statement is not as the batch's presence "
            "entries record them"
        ),
    ),
    (
        _P(r"the commission's name on the statement is not as registered"),
        N_("the commission's name on the statement is not as registered"),
    ),
    (
        _P(r"the evidence lacks the registration of (?P<place>.+)"),
        N_("the evidence lacks the registration of %(place)s"),
    ),
    (
        _P(r"the place (?P<place>.+) on the statement is not as registered"),
        N_("the place %(place)s on the statement is not as registered"),
    ),
    (
        _P(r"(?P<batch>.+) has no record of its destruction"),
        N_("%(batch)s has no record of its destruction"),
    ),
    (
        _P(r"(?P<item>\S+) does not begin with its registration"),
        N_("%(item)s does not begin with its registration"),
    ),
    (
        _P(
            r"(?P<item>\S+): (?P<field>category|source|marking) on the statement is not as "
            r"registered"
        ),
        N_("%(item)s: the %(field)s on the statement is not as registered"),
    ),
    (
        _P(r"(?P<item>\S+) has no (?P<kind>\S+) entry for (?P<batch>.+)"),
        N_("%(item)s has no %(kind)s entry for %(batch)s"),
    ),
    # 8-9: the signatures and the quorum
    (_P(r"the act signs another statement"), N_("the act signs another statement")),
    (_P(r"the act names other items"), N_("the act names other items")),
    (
        _P(r"(?P<person>\S+) was not a member of the commission then"),
        N_("%(person)s was not a member of the commission then"),
    ),
    (
        _P(r"(?P<person>\S+) was not recorded present"),
        N_("%(person)s was not recorded present"),
    ),
    (
        _P(r"(?P<batch>.+)'s destruction fixed no quorum"),
        N_("the destruction of %(batch)s fixed no quorum"),
    ),
    (
        _P(r"(?P<n>\d+) of the (?P<quorum>\d+) signatures needed; not final"),
        N_("%(n)s of the %(quorum)s signatures needed; not final"),
    ),
    # 10: the page and its QR codes
    (
        _P(
            r"the QR code opens (?P<url>\S+): another host than the service's own "
            r"\((?P<own>\S+)\), where anyone may say anything of it"
        ),
        N_(
            "the QR code opens %(url)s: another host than the service's own (%(own)s), "
            "where anyone may say anything of it"
        ),
    ),
    (_P(r"too large to check: (?P<why>.+)", re.S), N_("too large to check: %(why)s")),
    (
        _P(
            r"an incremental update of (?P<bytes>[\d,]+) bytes is appended to the statement "
            r"as rendered from its evidence, adding or replacing (?P<n>\d+) objects? "
            r"\((?P<kinds>.*)\)"
        ),
        N_(
            "an incremental update of %(bytes)s bytes is appended to the statement as "
            "rendered from its evidence, adding or replacing objects: %(n)s (%(kinds)s)"
        ),
    ),
    (
        _P(r"its pages cannot be compared object by object \((?P<why>.+)\)", re.S),
        N_("its pages cannot be compared object by object (%(why)s)"),
    ),
    (
        _P(
            r"the file is not the render of its evidence outside the pages' content \(from "
            r"byte (?P<at>[\d,]+): its metadata, attachment or structure\)"
        ),
        N_(
            "the file is not the render of its evidence outside the pages' content (from "
            "byte %(at)s: its metadata, attachment or structure)"
        ),
    ),
    (
        _P(r"the file has (?P<n>\d+) pages?, the render of its evidence (?P<m>\d+)"),
        N_("the file has pages: %(n)s, the render of its evidence: %(m)s"),
    ),
    (
        _P(r"it carries (?P<n>\d+) annotations? \((?P<kinds>.+)\)"),
        N_("it carries annotations: %(n)s (%(kinds)s)"),
    ),
    (
        _P(r"it uses a font the render does not \((?P<base>.+) as (?P<name>.+)\)"),
        N_("it uses a font the render does not (%(base)s as %(name)s)"),
    ),
    (
        _P(
            r"the text mapping \(ToUnicode\) of font (?P<base>.+) differs from the render's: "
            r"the text read from the page is not what its glyphs show"
        ),
        N_(
            "the text mapping (ToUnicode) of font %(base)s differs from the render's: the "
            "text read from the page is not what its glyphs show"
        ),
    ),
    (
        _P(r"the glyphs or widths of font (?P<base>.+) differ from the render's"),
        N_("the glyphs or widths of font %(base)s differ from the render's"),
    ),
    (
        _P(r"it draws objects the render has not \((?P<added>.+)\)"),
        N_("it draws objects the render has not (%(added)s)"),
    ),
    (
        _P(r"its objects (?P<changed>.+) differ from the render's"),
        N_("its objects %(changed)s differ from the render's"),
    ),
    (
        _P(r"its content is not the render of its evidence: it (?P<why>.+)", re.S),
        N_("its content is not the render of its evidence: it %(why)s"),
    ),
    (_P(r"adds (?P<ops>.+)"), N_("adds %(ops)s")),
    (_P(r"leaves out (?P<ops>.+)"), N_("leaves out %(ops)s")),
    (
        _P(r"shows text in fonts the render does not use \((?P<fonts>.+)\)"),
        N_("shows text in fonts the render does not use (%(fonts)s)"),
    ),
    (
        _P(
            r"draws the same operators with other operands \((?P<n>\d+) of them differ: "
            r"other text, glyphs or places\)"
        ),
        N_(
            "draws the same operators with other operands (%(n)s of them differ: other "
            "text, glyphs or places)"
        ),
    ),
    (_P(r"the page prints no table of items"), N_("the page prints no table of items")),
    (
        _P(r"the page prints rows that are not in the evidence"),
        N_("the page prints rows that are not in the evidence"),
    ),
    (
        _P(r"the page does not print the signature of (?P<name>.+)"),
        N_("the page does not print the signature of %(name)s"),
    ),
    (
        _P(r"the page does not say whether the statement is final"),
        N_("the page does not say whether the statement is final"),
    ),
    (
        _P(r"the page does not print (?P<label>.+?): (?P<value>.+)", re.S),
        N_("the page does not print %(label)s: %(value)s"),
    ),
    (
        _P(r"row (?P<id>\S+) \((?P<what>.+)\) on the page is not as in the evidence"),
        N_("row %(id)s (%(what)s) on the page is not as in the evidence"),
    ),
    (
        _P(r"the table on the page is not as in the evidence"),
        N_("the table on the page is not as in the evidence"),
    ),
    (
        _P(r"page (?P<n>\d+) carries no QR code that can be read"),
        N_("page %(n)s carries no QR code that can be read"),
    ),
    (
        _P(r"the QR code on page (?P<n>\d+) is not a statement's \((?P<why>.+)\): (?P<code>.+)"),
        N_("the QR code on page %(n)s is not a statement's (%(why)s): %(code)s"),
    ),
    (
        _P(r"the QR code on page (?P<n>\d+) says (?P<code>'.*'): not as the statement prints it"),
        N_("the QR code on page %(n)s says %(code)s: not as the statement prints it"),
    ),
    (
        _P(r"the QR code on page (?P<n>\d+) says (?P<code>'.*'): (?P<differs>.+)", re.S),
        N_("the QR code on page %(n)s says %(code)s: %(differs)s"),
    ),
    (
        _P(
            r"the page was rendered by other software than this machine's \((?P<what>.+)\), "
            r"so it cannot be rendered again to prove what it shows; its text and QR codes "
            r"agree with the evidence, which proves less \(text can be drawn over\)\. Verify "
            r"on a machine with the recorded renderer",
            re.S,
        ),
        N_(
            "the page was rendered by other software than this machine's (%(what)s), so it "
            "cannot be rendered again to prove what it shows; its text and QR codes agree "
            "with the evidence, which proves less (text can be drawn over). Verify on a "
            "machine with the recorded renderer"
        ),
    ),
]
_PAGE = _P(r"page (?P<n>\d+): (?P<why>.+)", re.S)


def said(reason: str, language: str) -> str:
    """`reason` (a step's, certificates.verify_statement) in `language` (ru, kk, en): the
    whole sentence by PATTERNS, else each of its parts joined by "; " (a part no pattern
    knows stays as written)."""
    return _said(reason, gettext_of(language))


def _said(reason: str, gettext: Gettext) -> str:
    # The fewest parts that make a sentence, from the left: some sentences hold "; "
    # themselves ("... weigh 10 g; the batch destroyed ..."), and a capture must not take
    # the next sentence in.
    parts, out, start = reason.split("; "), [], 0
    while start < len(parts):
        for end in range(start + 1, len(parts) + 1):
            whole = _sentence("; ".join(parts[start:end]), gettext)
            if whole is not None:
                out.append(whole)
                start = end
                break
        else:
            out.append(parts[start])  # no pattern knows it: as written
            start += 1
    return "; ".join(out)


def _sentence(reason: str, gettext: Gettext) -> str | None:
    page = _PAGE.fullmatch(reason)
    if page is not None:
        why = _said(page["why"], gettext)
        return gettext(N_("page %(n)s: %(why)s")) % {"n": page["n"], "why": why}

    def refine(values: dict[str, str], msgid: str) -> None:
        """A statement's words in the reader's language: operators, PDF objects, a nested
        reason, a field."""
        if "ops" in values:
            values["ops"] = _listed(values["ops"], " × ", OPERATORS, gettext)
        if "kinds" in values:
            values["kinds"] = _listed(values["kinds"], ": ", KINDS, gettext)
        if "why" in values and msgid.startswith("its content"):
            values["why"] = _said(values["why"], gettext)
        if "field" in values:
            values["field"] = gettext(_FIELDS[values["field"]])

    return said_by(PATTERNS, reason, gettext, refine=refine)


_MORE = _P(r"and (?P<n>\d+) more")
_FIELDS = {"category": N_("category"), "source": N_("source"), "marking": N_("marking")}


def _listed(text: str, between: str, names: dict[str, str], gettext: Gettext) -> str:
    """ "3 × text, 1 × rectangle" or "5: a content stream, 6: Font dictionary" with each
    name in the reader's language; the count or number before `between` kept."""
    out = []
    for part in text.split(", "):
        more = _MORE.fullmatch(part)
        if more is not None:
            out.append(gettext(N_("and %(n)s more")) % {"n": more["n"]})
            continue
        number, sep, name = part.partition(between)
        out.append(f"{number}{sep}{_name(name, names, gettext)}" if sep else part)
    return ", ".join(out)


def _name(name: str, names: dict[str, str], gettext: Gettext) -> str:
    if name in names:
        return gettext(names[name])
    kind = _KIND.fullmatch(name)
    if kind is None:
        return name
    if kind["x"]:
        return gettext(N_("a stream (%(subtype)s)")) % {"subtype": kind["x"]}
    return gettext(N_("%(type)s dictionary")) % {"type": kind["d"]}

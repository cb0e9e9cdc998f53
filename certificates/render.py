"""A statement as a PDF/A-3 document: its page from the template, its evidence attached.

Two renders of the same evidence, language and zone give the same bytes: the document's
dates are the time of the batch's newest entry, its identifier is made from the evidence, and
the font subsets are stamped with that time too (fontTools reads SOURCE_DATE_EPOCH). Call
`render` in a process of its own (certificates.worker): it sets that variable, and WeasyPrint
keeps the memory it used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from typing import Any

import segno
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from certificates import evidence as proof
from certificates import page as pages
from certificates import renderer_identity
from certificates.words import words
from custody.clock import parse_time

PDF_VARIANT = "pdf/a-3b"

templates = Environment(
    loader=PackageLoader("certificates", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=False,
)


def html(
    evidence: dict[str, Any],
    lang: str,
    zone: str,
    page: pages.Page | None = None,
    public_url: str | None = None,
) -> str:
    """The statement's page as HTML; `page` replaces what the evidence says (tests forge it)."""
    shown = page or pages.build(evidence, lang, zone, public_url)
    return templates.get_template("statement.html.j2").render(
        page=_css_safe(shown),
        words=words(lang),
        sha256=evidence["sha256"],
        created=created(evidence).strftime("%Y-%m-%dT%H:%M:%SZ"),
        qr=segno.make(shown.qr, error="m").svg_data_uri(scale=4, border=2),
    )


def render(
    evidence: dict[str, Any],
    lang: str,
    zone: str,
    page: pages.Page | None = None,
    public_url: str | None = None,
) -> bytes:
    """The statement's PDF/A-3 bytes; the attached evidence gains a "page" member saying how
    it was printed: language, zone, the public base URL its QR code names (when there is
    one: certificates.qr_payload) and what rendered it (renderer_identity), so that a
    verifier renders it again and compares."""
    from weasyprint import HTML, Attachment  # imported here: it takes a second to load

    moment = created(evidence)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    shown: dict[str, Any] = {"lang": lang, "zone": zone, "renderer": renderer_identity.identity()}
    shown["regions"] = True  # the region named in `lang` (certificates.page._regions_named)
    if public_url is not None:
        shown["public_url"] = public_url
    attached = proof.dumps({**evidence, "page": shown})
    attachment = Attachment(
        string=attached,
        name=proof.NAME,
        description="custody statement evidence",
        created=moment,
        modified=moment,
        relationship="Source",
    )
    return bytes(
        HTML(string=html(evidence, lang, zone, page, public_url)).write_pdf(
            attachments=[attachment],
            pdf_variant=PDF_VARIANT,
            pdf_identifier=hashlib.sha256(attached).hexdigest()[:32].encode(),
        )
    )


def render_again(attached: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """For verify-statement: this machine's renderer identity, and the statement rendered
    again from `attached` (the evidence as the PDF carries it, with its "page" member), or
    None when this machine's renderer is not the one the evidence records."""
    here = renderer_identity.identity()
    shown = attached["page"]
    if shown.get("renderer") != here:
        return here, None
    evidence = {name: value for name, value in attached.items() if name != "page"}
    return here, render(evidence, shown["lang"], shown["zone"], public_url=shown.get("public_url"))


def created(evidence: dict[str, Any]) -> dt.datetime:
    """The statement's date: the time of its batch's newest entry in the evidence."""
    chain = evidence["chains"][evidence["statement"]["batch"]]
    return parse_time(json.loads(chain[-1]["body"])["time"]).replace(microsecond=0)


def _css_safe(page: pages.Page) -> pages.Page:
    """The footer goes into a CSS string, where HTML escaping means nothing."""
    quoted = page.footer.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    quoted = quoted.replace("<", "\\3c ")
    # Escaped for CSS above; HTML escaping would print its entities in the footer.
    return dataclasses.replace(page, footer=Markup(quoted))  # noqa: S704

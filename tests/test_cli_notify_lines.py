"""`custody notify` says why notices wait: no mail server set, or people without an address
(a pass that sent none used to say only "0 sent")."""

from __future__ import annotations

from api.cli.notices import waiting_lines


def test_notices_with_addresses_and_no_mail_server_are_said_to_wait_for_one() -> None:
    [line] = waiting_lines(addressed=7, unaddressed=0, mail=False)
    assert "7 wait to be e-mailed" in line
    assert "CUSTODY_SMTP_URL" in line


def test_with_a_mail_server_only_people_without_an_address_are_named() -> None:
    assert waiting_lines(addressed=7, unaddressed=0, mail=True) == []
    [line] = waiting_lines(addressed=0, unaddressed=2, mail=True)
    assert "2 go by no e-mail" in line
    assert "custody notices contact" in line

"""The `custody_device` cookie: how the login throttle knows a device that has logged in to
an account before (api.access.throttle), for the API's login and the web pages' alike."""

from __future__ import annotations

from fastapi import Request, Response

from api.access.login import Issued
from api.access.throttle import DEVICE_COOKIE


def presented(request: Request) -> str | None:
    """The device cookie the request carries, if any (checked by the throttle)."""
    return request.cookies.get(DEVICE_COOKIE)


def remember(response: Response, request: Request, issued: Issued, days: int) -> None:
    """After a success: set the new device cookie, if the login gave one. HttpOnly and
    SameSite=Strict, Secure under TLS; it lives as long as a device stays known (days)."""
    if issued.device_cookie is None:
        return
    response.set_cookie(
        DEVICE_COOKIE,
        issued.device_cookie,
        max_age=days * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )

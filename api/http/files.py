"""Photos, scans and videos for the steps that take them: uploaded first, then named in the
step by the reference this answers; served back only to roles that may read items.

A file is checked whole before it is kept (workflows.media), and served back as an attachment
named by its SHA-256, with `nosniff` and a Content-Security-Policy that sandboxes it: even a
file that fooled the checks would be saved, never run as a page of this origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.access.auth import require, system_of
from api.access.roles import READ, UPLOAD
from api.access.tokens import Principal
from api.errors import TooLarge
from api.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/files", tags=["files"], responses=PROBLEM_RESPONSES)
_CHUNK = 1 << 20
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
}
SANDBOX = "default-src 'none'; sandbox"
# What every stored file is served with, shown inline (the web pages' photos) or not.
INLINE_FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": SANDBOX}


class FileOut(BaseModel):
    sha256: str
    size: int
    media_type: str
    role: str


@router.post("", response_model=FileOut, status_code=201)
async def upload(
    request: Request,
    file: UploadFile,
    role: Annotated[str, Form(description="marking, before, after or document")],
    _: Annotated[Principal, Depends(require(UPLOAD))],
) -> FileOut:
    """A JPEG, PNG, PDF or MP4, checked whole: images decoded, PDFs opened page by page, MP4
    boxes walked, no HTML hidden in them (its type is never taken from its name)."""
    limit = request.app.state.accounts.config.upload_max_bytes
    # The body was cut at the limit before it was parsed (api.http.limits); what the parser
    # spooled is copied into the store a megabyte at a time, never held whole.
    store = system_of(request).process.files
    ref = await run_in_threadpool(store.put_stream, _chunks(file.file, limit), role)
    return FileOut(**ref.to_json())


def _chunks(handle: BinaryIO, limit: int) -> Iterator[bytes]:
    size = 0
    while chunk := handle.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"a file is at most {limit} bytes")
        yield chunk


@router.get("/{sha256}", response_class=FileResponse)
async def download(
    request: Request, sha256: str, _: Annotated[Principal, Depends(require(READ))]
) -> FileResponse:
    path, media_type = system_of(request).process.files.stored(sha256)
    name = f"{sha256}.{_EXTENSIONS.get(media_type, 'bin')}"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            **INLINE_FILE_HEADERS,
        },
    )

"""Photos, scans and videos for the steps that take them: uploaded first, then named in the
step by the reference this answers; served back only to roles that may read items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.access.auth import require, system_of
from api.access.roles import READ, UPLOAD
from api.access.tokens import Principal
from api.errors import TooLarge
from api.http.problems import PROBLEM_RESPONSES
from workflows.errors import InvalidRequest, UnknownObject
from workflows.files import sniff

router = APIRouter(prefix="/files", tags=["files"], responses=PROBLEM_RESPONSES)
_CHUNK = 1 << 20


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
    """A JPEG, PNG, PDF or MP4 (its type is read from its bytes, never from its name)."""
    limit = request.app.state.accounts.config.upload_max_bytes
    content = bytearray()
    while chunk := await file.read(_CHUNK):
        content += chunk
        if len(content) > limit:
            raise TooLarge(f"a file is at most {limit} bytes")
    ref = await run_in_threadpool(system_of(request).process.files.put, bytes(content), role)
    return FileOut(**ref.to_json())


@router.get("/{sha256}", response_class=FileResponse)
async def download(
    request: Request, sha256: str, _: Annotated[Principal, Depends(require(READ))]
) -> FileResponse:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidRequest("a file is named by its SHA-256 in lowercase hex")
    path = system_of(request).process.files.path(sha256)
    if not path.is_file():
        raise UnknownObject(f"no file {sha256}")
    with open(path, "rb") as handle:
        media_type = sniff(handle.read(16)) or "application/octet-stream"
    return FileResponse(path, media_type=media_type)

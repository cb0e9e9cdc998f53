"""The baseline of the API benchmark: a bare FastAPI endpoint under the same uvicorn."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"id": "KZ-0000000000", "state": "cut"}

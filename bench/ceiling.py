"""The ceiling for bench/inbound.py: the same server stack (uvicorn, FastAPI) with one
endpoint that only parses the JSON body and answers 200."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/webhooks/telegram")
async def receive(request: Request) -> JSONResponse:
    json.loads(await request.body())
    return JSONResponse({"ok": True})

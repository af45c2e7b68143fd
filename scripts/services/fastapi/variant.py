"""The FastAPI test server, in variants chosen by environment variables (scripts/services/fastapi.sh).

GZIP=1      add GZipMiddleware(minimum_size=500)
CACHE=1     send Cache-Control and ETag on /risks
HEALTH=0    no /health endpoint
BLOCKING=1  a blocking time.sleep inside the async /risks route
SLOW_SECONDS=0.6  how long /slow waits (asynchronously)
"""
import asyncio
import os
import time

from fastapi import FastAPI, Response
from fastapi.middleware.gzip import GZipMiddleware


def flag(name, default="0"):
    return os.environ.get(name, default) == "1"


app = FastAPI(title="strisk-test")
if flag("GZIP"):
    app.add_middleware(GZipMiddleware, minimum_size=500)

ROWS = [{"risk_id": f"risk-{i:05d}", "score": i * 0.5, "status": "open"} for i in range(200)]

if flag("HEALTH", "1"):

    @app.get("/health")
    async def health():
        return {"status": "ok"}


@app.get("/risks")
async def risks(response: Response):
    if flag("BLOCKING"):
        time.sleep(0.02)
    if flag("CACHE"):
        response.headers["Cache-Control"] = "public, max-age=60"
        response.headers["ETag"] = '"risks-v1"'
    return ROWS


@app.get("/slow")
async def slow():
    await asyncio.sleep(float(os.environ.get("SLOW_SECONDS", "0.6")))
    return {"ok": True}

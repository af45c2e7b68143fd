import logging
import time

import clickhouse_connect
import httpx
import redis.asyncio as redis
import requests
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.ext.asyncio import create_async_engine

from . import reference
from .settings import settings

logging.basicConfig(level=settings.log_level)
log = logging.getLogger("st-risk")

app = FastAPI(title="st-risk-platform")
app.add_middleware(GZipMiddleware, minimum_size=1000)

engine = create_async_engine(settings.database_url, pool_size=10, max_overflow=5)
cache = redis.from_url(settings.redis_url, max_connections=10)
clickhouse = clickhouse_connect.get_client(dsn=settings.clickhouse_url)
http = httpx.AsyncClient(timeout=10.0)


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.get("/risks/{risk_id}")
async def get_risk(risk_id: str):
    cached = await cache.get(f"cache:risk:{risk_id}")
    if cached:
        return {"risk_id": risk_id, "score": float(cached)}
    rows = clickhouse.query(
        "SELECT score FROM risk_scores WHERE risk_id = %(id)s ORDER BY timestamp DESC LIMIT 1",
        parameters={"id": risk_id},
    ).result_rows
    score = rows[0][0] if rows else None
    await cache.set(f"cache:risk:{risk_id}", score, ex=900)
    return {"risk_id": risk_id, "score": score}


@app.get("/risks/{risk_id}/peers")
async def risk_peers(risk_id: str):
    # Legacy enrichment service, still called synchronously.
    peers = requests.get(f"{settings.enrichment_url}/peers/{risk_id}").json()
    time.sleep(0.05)
    return {"risk_id": risk_id, "peers": peers}


@app.get("/risk-levels")
async def risk_levels():
    return {"levels": reference.LEVELS}

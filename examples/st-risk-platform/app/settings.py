import os


class Settings:
    database_url = os.environ.get("DATABASE_URL", "postgresql+asyncpg://risk@localhost/risk")
    redis_url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    clickhouse_url = os.environ.get("CLICKHOUSE_URL", "http://localhost:8123")
    enrichment_url = os.environ.get("ENRICHMENT_URL", "http://enrichment:9000")
    log_level = os.environ.get("LOG_LEVEL", "INFO").upper()


settings = Settings()

"""Storage: SQLAlchemy 2 (async) models, tenant-scoped repositories, Alembic migrations."""

from bot.store.db import Database, StoreUnavailable, create_engine
from bot.store.repos import TenantScope

__all__ = ["Database", "StoreUnavailable", "TenantScope", "create_engine"]

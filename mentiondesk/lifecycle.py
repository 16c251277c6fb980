"""Running the data lifecycle (storage/lifecycle.py) batch by batch, one transaction each: for the service's
hourly job and `mentiondesk db purge`."""

from __future__ import annotations

import logging
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.brands import BrandConfig
from storage import lifecycle
from storage.db import transaction

log = logging.getLogger(__name__)


def purge(engine: Engine, brands: BrandConfig) -> dict[str, lifecycle.Erased]:
    """Mentions deleted on their platform, then each brand's mentions past its `retention_days`."""
    done = {"deleted": _until_empty(engine, lambda session: lifecycle.purge_deleted(session=session))}
    for key, brand in brands.brands.items():
        if brand.retention_days:
            done[f"retention:{key}"] = _until_empty(engine, partial(_expire, key, brand.retention_days))
    for what, erased in done.items():
        if erased.mentions:
            log.info("purged %s: %s", what, ", ".join(f"{n} {name}" for name, n in erased.counts().items() if n))
    return done


def _expire(brand: str, days: int, session: Session) -> lifecycle.Erased:
    return lifecycle.expire_brand(brand, days, session=session)


def _until_empty(engine: Engine, step: lifecycle.Step) -> lifecycle.Erased:
    total = lifecycle.Erased()
    while True:
        with transaction(engine) as session:
            erased = step(session)
        total.add(erased)
        if not erased.mentions:
            return total

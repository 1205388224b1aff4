"""The catalog price history of flow 7 in the archive index: per store, product (variant
0) or variant and currency, each distinct (price, sale price) polling saw, and how far
back observation reaches.

Written by the price poll (`pipeline.flows.campaigns.prices.poll`), read by the
prior-price evidence. A row is added only when a key's prices differ from its latest row
(so duplicate polls and a poll re-run after a killed worker add nothing), as the next
`seq` of its key (two writers racing for the same change meet on the primary key, and
the second adds nothing); an observation older than the latest row is not written
(a stale read never lands after a newer one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.orm import Session

from pipeline.index.dialect import insert as _insert
from pipeline.index.models import PriceObservation, PriceRow
from pipeline.index.rows import utc_seconds

BASE = 0  # variant_id of a product's own price
_CHUNK = 500


@dataclass(frozen=True)
class ObservedPrice:
    """What one catalog read said about a product (`variant_id` 0) or variant."""

    product_id: int
    variant_id: int
    price_minor: int
    sale_price_minor: int
    effective_at: datetime

    @property
    def key(self) -> tuple[int, int]:
        return (self.product_id, self.variant_id)


@dataclass(frozen=True)
class PricePoint:
    """One row of a key's history: the prices in force from `effective_at` (no later
    than that; `first_seen_at` is when polling saw them) until the next point's."""

    seq: int
    price_minor: int
    sale_price_minor: int
    effective_at: datetime
    first_seen_at: datetime

    @property
    def selling_minor(self) -> int:
        """What a shopper paid: the sale price when one is set, else the price."""
        return self.sale_price_minor or self.price_minor


@dataclass(frozen=True)
class Observation:
    """How far a store's history reaches and where the next incremental read starts."""

    store_hash: str
    currency: str
    began_at: datetime
    last_full_read_at: datetime
    polled_at: datetime
    checkpoint: datetime | None
    polls: int

    def lag_s(self, now: datetime) -> float:
        """Seconds since the last poll finished (what `bcrm status` shows per stream)."""
        return max(0.0, (now - self.polled_at).total_seconds())


def _point(row: PriceRow) -> PricePoint:
    return PricePoint(
        row.seq, row.price_minor, row.sale_price_minor, row.effective_at, row.first_seen_at
    )


class PriceHistory:
    """The price tables of the archive index (`ArchiveIndex.prices`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def observation(self, store_hash: str) -> Observation | None:
        with Session(self.engine) as session:
            row = session.get(PriceObservation, store_hash)
            if row is None:
                return None
            return Observation(
                row.store_hash,
                row.currency,
                row.began_at,
                row.last_full_read_at,
                row.polled_at,
                row.checkpoint,
                row.polls,
            )

    def polled(
        self,
        store_hash: str,
        currency: str,
        now: datetime,
        *,
        full: bool,
        checkpoint: datetime | None,
    ) -> Observation:
        """Note a finished poll: observation begins with the first full read; the
        checkpoint only moves forward."""
        now = utc_seconds(now)
        with Session(self.engine) as session, session.begin():
            row = session.get(PriceObservation, store_hash, with_for_update=True)
            if row is None:
                if not full:
                    raise ValueError("a store's price observation begins with a full read")
                row = PriceObservation(
                    store_hash=store_hash,
                    currency=currency,
                    began_at=now,
                    last_full_read_at=now,
                    polled_at=now,
                    checkpoint=None,
                    polls=0,
                )
                session.add(row)
            if full:
                row.last_full_read_at = max(row.last_full_read_at, now)
            if checkpoint is not None:
                checkpoint = utc_seconds(checkpoint)
                row.checkpoint = max(row.checkpoint or checkpoint, checkpoint)
            row.polled_at = max(row.polled_at, now)
            row.polls += 1
        observed = self.observation(store_hash)
        assert observed is not None
        return observed

    def _latest(
        self, session: Session, store_hash: str, currency: str, keys: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], PriceRow]:
        latest: dict[tuple[int, int], PriceRow] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows = session.scalars(
                select(PriceRow).where(
                    PriceRow.store_hash == store_hash,
                    PriceRow.currency == currency,
                    tuple_(PriceRow.product_id, PriceRow.variant_id).in_(chunk),
                )
            )
            for row in rows:
                key = (row.product_id, row.variant_id)
                if key not in latest or row.seq > latest[key].seq:
                    latest[key] = row
        return latest

    def record(
        self, store_hash: str, currency: str, observed: Iterable[ObservedPrice], now: datetime
    ) -> int:
        """Add a row for every key whose prices changed since its latest row; returns
        how many were added."""
        seen = {o.key: o for o in observed}
        if not seen:
            return 0
        now = utc_seconds(now)
        with Session(self.engine) as session, session.begin():
            latest = self._latest(session, store_hash, currency, sorted(seen))
            values = []
            for key, o in sorted(seen.items()):
                last = latest.get(key)
                effective = utc_seconds(o.effective_at)
                if last is not None and (
                    (last.price_minor, last.sale_price_minor) == (o.price_minor, o.sale_price_minor)
                    or effective < last.effective_at
                ):
                    continue
                values.append(
                    {
                        "store_hash": store_hash,
                        "product_id": o.product_id,
                        "variant_id": o.variant_id,
                        "currency": currency,
                        "seq": 1 if last is None else last.seq + 1,
                        "price_minor": o.price_minor,
                        "sale_price_minor": o.sale_price_minor,
                        "effective_at": min(effective, now),
                        "first_seen_at": now,
                    }
                )
            if not values:
                return 0
            added = 0
            for start in range(0, len(values), _CHUNK):
                statement = _insert(session, PriceRow).values(values[start : start + _CHUNK])
                result = session.execute(statement.on_conflict_do_nothing().returning(PriceRow.seq))
                added += len(result.all())
            return added

    def history(
        self, store_hash: str, currency: str, product_id: int, variant_id: int = BASE
    ) -> list[PricePoint]:
        """A key's points, oldest first."""
        query = (
            select(PriceRow)
            .where(
                PriceRow.store_hash == store_hash,
                PriceRow.currency == currency,
                PriceRow.product_id == product_id,
                PriceRow.variant_id == variant_id,
            )
            .order_by(PriceRow.seq)
        )
        with Session(self.engine) as session:
            return [_point(row) for row in session.scalars(query)]

    def latest(self, store_hash: str, currency: str) -> dict[tuple[int, int], PricePoint]:
        """Every key's newest point: the prices the history says are in force now."""
        query = (
            select(PriceRow)
            .where(PriceRow.store_hash == store_hash, PriceRow.currency == currency)
            .order_by(PriceRow.product_id, PriceRow.variant_id, PriceRow.seq)
        )
        with Session(self.engine) as session:
            return {(row.product_id, row.variant_id): _point(row) for row in session.scalars(query)}

    def keys(self, store_hash: str, currency: str) -> dict[int, list[int]]:
        """Every product with history, and its variants with history (0 first)."""
        query = (
            select(PriceRow.product_id, PriceRow.variant_id)
            .where(PriceRow.store_hash == store_hash, PriceRow.currency == currency)
            .distinct()
        )
        found: dict[int, list[int]] = defaultdict(list)
        with Session(self.engine) as session:
            for product_id, variant_id in session.execute(query):
                found[product_id].append(variant_id)
        return {p: sorted(v) for p, v in sorted(found.items())}

"""Reads and writes of what goes to the tills (store/till_tables.py)."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from domain.mapping import MappingKind, MappingRow
from domain.master_data import RemovedItem, StoreArticle, StorePromotion
from domain.publication import AvailableQuantity, MasterDataDocument
from store.till_tables import AvailableToSell, ErpItemMapping, PublishedRecord, TillPublication

ARTICLE = "article"
PROMOTION = "promotion"
REMOVED = "removed"
"""Marks an article's record as its removal (the item deactivated in the ERP)."""


def save_item_mappings(session: Session, rows: Iterable[MappingRow]) -> int:
    """Insert or update the rows the ERP's items imply. Returns how many changed."""
    changed = 0
    for row in rows:
        existing = session.exec(
            select(ErpItemMapping).where(
                ErpItemMapping.kind == row.kind.value, ErpItemMapping.pos_code == row.pos_code
            )
        ).first()
        if existing and (existing.erp_code, existing.factor) == (row.erp_code, row.factor):
            continue
        record = existing or ErpItemMapping(kind=row.kind.value, pos_code=row.pos_code, erp_code="")
        record.erp_code, record.factor = row.erp_code, row.factor
        session.add(record)
        changed += 1
    session.flush()
    return changed


def item_mapping_rows(session: Session, pos_codes: Iterable[str]) -> list[MappingRow]:
    rows = session.connection().execute(_ITEM_ROWS, {"codes": sorted(set(pos_codes))})
    return [
        MappingRow(
            kind=MappingKind(row.kind),
            pos_code=row.pos_code,
            erp_code=row.erp_code,
            factor=row.factor,
        )
        for row in rows
    ]


_ITEMS = ErpItemMapping.__table__.c  # type: ignore[attr-defined]
_ITEM_ROWS = select_columns(_ITEMS.kind, _ITEMS.pos_code, _ITEMS.erp_code, _ITEMS.factor).where(
    _ITEMS.pos_code.in_(bindparam("codes", expanding=True))
)
"""On the table, built once: read on each ticket's hot path (store/mappings.py)."""


def save_store_records(
    session: Session,
    store_id: str,
    articles: Iterable[StoreArticle],
    promotions: Iterable[StorePromotion],
    removed: Iterable[RemovedItem] = (),
) -> int:
    """Keep the latest version of each record; one whose document did not change keeps its
    write date, so a delta does not resend it. A record that changed without a newer ERP write
    date (a tax rate, the store's price list) is dated just after the store's latest, so the
    next delta carries it. A ``removed`` item the store was sent becomes its removal (one it
    never was sent is not news to it). Returns how many changed."""
    changed = 0
    latest = _latest_written(session, store_id)
    records: list[tuple[str, StoreArticle | StorePromotion | RemovedItem]]
    records = [(ARTICLE, article) for article in articles]
    records += [(PROMOTION, promotion) for promotion in promotions]
    records += [(ARTICLE, item) for item in removed]
    for kind, record in records:
        document = record.model_dump(mode="json")
        if isinstance(record, RemovedItem):
            document[REMOVED] = True
        existing = session.exec(
            select(PublishedRecord).where(
                PublishedRecord.store_id == store_id,
                PublishedRecord.kind == kind,
                PublishedRecord.code == record.code,
            )
        ).first()
        if existing is not None and existing.document == document:
            continue
        if REMOVED in document and (existing is None or REMOVED in existing.document):
            continue
        row = existing or PublishedRecord(
            store_id=store_id,
            kind=kind,
            code=record.code,
            written_at=record.written_at,
            document={},
        )
        written_at = record.written_at
        if latest is not None and _naive(written_at) <= _naive(latest):
            written_at = latest + timedelta(microseconds=1)
        row.written_at, row.document = written_at, document
        session.add(row)
        changed += 1
    session.flush()
    return changed


def _latest_written(session: Session, store_id: str) -> datetime | None:
    rows = session.exec(
        select(PublishedRecord.written_at).where(PublishedRecord.store_id == store_id)
    ).all()
    return max(rows, key=_naive, default=None)


def master_data_since(
    session: Session, store_id: str, since: datetime | None
) -> MasterDataDocument:
    """The store's records written after ``since`` (None: all of them): what a till holding
    the publication up to watermark ``since`` lacks."""
    query = select(PublishedRecord).where(PublishedRecord.store_id == store_id)
    everything = session.exec(query).all()
    chosen = [row for row in everything if since is None or _naive(row.written_at) > _naive(since)]
    latest = max((row.written_at for row in everything), key=_naive, default=since)
    articles = [row for row in chosen if row.kind == ARTICLE]
    return MasterDataDocument(
        store_id=store_id,
        since=since,
        watermark=latest,
        articles=[
            StoreArticle.model_validate(row.document)
            for row in articles
            if REMOVED not in row.document
        ],
        promotions=[
            StorePromotion.model_validate(r.document) for r in chosen if r.kind == PROMOTION
        ],
        removed=[
            RemovedItem.model_validate(row.document)
            for row in articles
            if REMOVED in row.document and since is not None
        ],
    )


def _naive(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: compare every write date as naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def publication(session: Session, store_id: str) -> TillPublication:
    return session.get(TillPublication, store_id) or TillPublication(store_id=store_id)


def save_publication(session: Session, state: TillPublication) -> None:
    session.merge(state)
    session.flush()


def save_available(
    session: Session, store_id: str, quantities: Iterable[AvailableQuantity]
) -> None:
    for quantity in quantities:
        row = session.exec(
            select(AvailableToSell).where(
                AvailableToSell.store_id == store_id,
                AvailableToSell.item_code == quantity.item_code,
            )
        ).first() or AvailableToSell(
            store_id=store_id,
            item_code=quantity.item_code,
            quantity=Decimal(0),
            read_at=quantity.read_at,
        )
        row.quantity, row.read_at = quantity.available, quantity.read_at
        session.add(row)
    session.flush()


def read_available(
    session: Session, store_id: str, item_codes: Iterable[str] = ()
) -> list[AvailableQuantity]:
    query = select(AvailableToSell).where(AvailableToSell.store_id == store_id)
    codes = sorted(set(item_codes))
    if codes:
        query = query.where(col(AvailableToSell.item_code).in_(codes))
    return [
        AvailableQuantity(item_code=row.item_code, available=row.quantity, read_at=row.read_at)
        for row in session.exec(query.order_by(AvailableToSell.item_code)).all()
    ]

"""Which POS adapter reads a request body, by its Content-Type."""

from starter.intake.formats import SourceFormat

MEDIA_TYPES: dict[str, SourceFormat] = {
    "application/json": SourceFormat.JSON,
    "application/x-ndjson": SourceFormat.JSON,
    "application/xml": SourceFormat.POSLOG,
    "text/xml": SourceFormat.POSLOG,
    "application/vnd.arts.poslog+xml": SourceFormat.POSLOG,
    "application/vnd.sitoo+json": SourceFormat.SITOO,
}


def format_of_content_type(content_type: str | None) -> SourceFormat | None:
    """The format for a Content-Type header (parameters such as charset are ignored)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return MEDIA_TYPES.get(media_type)

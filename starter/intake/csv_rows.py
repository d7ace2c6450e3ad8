"""A CSV file's rows validated by a model: every bad row is named with its line, field and
reason, so a file is taken whole or not at all."""

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

Row = TypeVar("Row", bound=BaseModel)


def validated_rows(
    path: Path, reader: Iterable[dict[str, str | None]], model: type[Row]
) -> tuple[list[Row], list[str]]:
    """The rows that validate, and one message per problem of those that do not (empty
    cells count as absent; line numbers count the header as line 1)."""
    rows: list[Row] = []
    errors: list[str] = []
    for line_number, raw in enumerate(reader, start=2):
        values = {key: value for key, value in raw.items() if key and value not in (None, "")}
        try:
            rows.append(model.model_validate(values))
        except ValidationError as error:
            errors += [
                f"{path}:{line_number}: {'.'.join(str(part) for part in issue['loc'])}: "
                f"{issue['msg']}"
                for issue in error.errors()
            ]
    return rows, errors

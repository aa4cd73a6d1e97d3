"""Writing export rows as CSV text, a chunk at a time."""

import csv
import io
from collections.abc import Iterable, Iterator

from app.exports.services import COLUMNS, safe_cell


def csv_chunks(rows: Iterable[dict], *, every: int = 1000) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for count, row in enumerate(rows, 1):
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

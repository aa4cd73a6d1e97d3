"""Logging that never carries health data, whatever level an operator turns on.

Application code logs ids and counts, never values. SQLAlchemy is the one library that could
log data: its engine is created with ``hide_parameters`` (app/config.py), so statements are
logged without their values, and the filter here drops the result rows it logs at DEBUG
("Row (...)"), which would otherwise show notes and answers read back from the database.
"""

import logging

ENGINE_LOGGER = "sqlalchemy.engine.Engine"


class NoResultRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records of the rows a query returned."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


def register() -> None:
    logger = logging.getLogger(ENGINE_LOGGER)
    if not any(isinstance(f, NoResultRows) for f in logger.filters):
        logger.addFilter(NoResultRows())

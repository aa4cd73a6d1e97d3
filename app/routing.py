"""URL converters."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id any table can hold on both databases


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that answers 404 for ids no row can have (no overflow errors, no 500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

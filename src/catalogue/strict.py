"""Strict decoding of request bodies that carry money or quantities.

Litestar converts a body to its Struct laxly (as it must for query strings), so "1", 1e3 and
1.0 would pass for integers. Handlers that take money read their body again with msgspec's
strict mode: a non-integer is a 422 naming its field, as the API promises.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request

from catalogue.errors import UnprocessableError

T = TypeVar("T")
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


async def strict_body(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """The JSON body as `type_`, with no coercion from strings or floats."""
    try:
        return msgspec.json.decode(await request.body(), type=type_, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _PATH.search(message)
        key = found["path"] if found else "body"
        text = message[: found.start()] if found else message
        raise UnprocessableError(f"{key}: {text}", errors=[{"key": key, "message": text}]) from None


async def strictly(request: Request[Any, Any, Any], data: T) -> T:
    """`data`, which Litestar decoded laxly, decoded again strictly from the same body."""
    return await strict_body(request, type(data))

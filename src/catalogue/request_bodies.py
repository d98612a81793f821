"""The JSON body guard every request passes before its handler: a JSON endpoint refuses other
content types (415) and bodies nested too deeply to decode (400)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, SerializationException
from litestar.params import BodyKwarg

_JSON_TYPES = ("application/json",)


def _expects_json(request: Request[Any, Any, Any]) -> bool:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    kwarg = data.kwarg_definition
    media_type = kwarg.media_type if isinstance(kwarg, BodyKwarg) else RequestEncodingType.JSON
    return media_type == RequestEncodingType.JSON


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """A JSON endpoint refuses other content types with 415 instead of guessing, and a body
    nested too deeply to decode with 400 (the decoder's recursion limit, not a server error).
    The body decoded here is the one the handler then receives (Litestar keeps it)."""
    if not _expects_json(request):
        return
    media_type = request.content_type[0]
    if media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise ClientException(
            "Le corps de la requête doit être en application/json.", status_code=415
        )
    try:
        await request.json()
    except RecursionError:
        raise ClientException(
            "Le JSON envoyé est imbriqué trop profondément.", status_code=400
        ) from None
    except SerializationException:
        return  # unreadable JSON: the handler's own reading answers it, as before

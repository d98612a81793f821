"""The lti connector: a registered LTI 1.3 tool's offering as a catalogue resource.

A document is a tool registration as the platform stored it: the OpenID Connect client
registration a tool sends (``client_name``, ``logo_uri``, the LTI tool configuration with
``description`` and ``target_link_uri``) with the ``client_id`` the platform gave it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from connectors.contract import Context, Record, Rejected, ResourceDraft, Status

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class LtiConnector:
    name = "lti"
    description = "Outil LTI 1.3 enregistré (enregistrement dynamique ou par l'API)"

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        del context
        try:
            tool = msgspec.json.decode(data)
        except (msgspec.DecodeError, RecursionError) as exc:
            yield Rejected(message=f"JSON illisible : {exc}")
            return
        if not isinstance(tool, dict) or not tool.get("client_id"):
            yield Rejected(message="un outil enregistré doit avoir son client_id")
            return
        yield _record(tool)


def _record(tool: dict[str, Any]) -> Record | Rejected:
    configuration = tool.get(TOOL_CONFIGURATION) or {}
    target = configuration.get("target_link_uri") or next(
        iter(tool.get("redirect_uris") or []), None
    )
    offers = tool.get("offers") or []
    fields = {
        "title": (tool.get("client_name") or "").strip() or "Outil LTI",
        "description": configuration.get("description") or "",
        "access_url": target,
        "thumbnail_url": tool.get("logo_uri"),
        "offers": offers,
        # A tool nobody can buy is no catalogue entry yet: a draft until an offer is added.
        "status": Status.PUBLISHED if offers else Status.DRAFT,
    }
    try:
        draft = msgspec.convert(fields, ResourceDraft)
    except msgspec.ValidationError as exc:
        return Rejected(message=f"champ invalide : {exc}", source_id=tool["client_id"])
    return Record(draft=draft, source_id=tool["client_id"])

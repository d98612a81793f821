"""The compte ressource over HTTP: handlers that translate a request into one call of
`accounts.service.AccountsService` (declared as `accounts: Accounts`) and its answer back.

`budget.py` periods, allocations and rules; `acquisitions.py` purchases and decisions on
them; `statements.py` statements, reports and their CSV forms; `movements.py` moves and
departures of people; `privacy.py` a person's own data to download.
"""

from __future__ import annotations

from accounts.api.acquisitions import AcquisitionsController
from accounts.api.budget import AllocationsController, PeriodsController, RulesController
from accounts.api.movements import MovementsController
from accounts.api.privacy import PrivacyController
from accounts.api.statements import StatementsController

ROUTES = [
    PeriodsController,
    AllocationsController,
    RulesController,
    AcquisitionsController,
    StatementsController,
    MovementsController,
    PrivacyController,
]

"""All page controllers, for the app factory."""

from __future__ import annotations

from catalogue.web.admin import AdminPages, GarPages, ModerationPages
from catalogue.web.budget import BudgetPages
from catalogue.web.communs import CommunPages
from catalogue.web.establishments import EstablishmentPages
from catalogue.web.movements import MovementPages
from catalogue.web.publisher import PublisherPages
from catalogue.web.teacher import TeacherPages

ROUTES = [
    TeacherPages,
    AdminPages,
    BudgetPages,
    MovementPages,
    EstablishmentPages,
    ModerationPages,
    GarPages,
    PublisherPages,
    CommunPages,
]

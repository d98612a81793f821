"""All page controllers, for the app factory."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from catalogue.web.admin import AdminPages, GarPages, ModerationPages
from catalogue.web.budget import BudgetPages
from catalogue.web.collections import CollectionPages, FeaturedPages
from catalogue.web.communs import CommunPages
from catalogue.web.establishments import EstablishmentPages
from catalogue.web.home import home
from catalogue.web.movements import MovementPages
from catalogue.web.publisher import PublisherPages
from catalogue.web.teacher import TeacherPages
from catalogue.web.thumbnails import thumbnail_file

ROUTES: list[ControllerRouterHandler] = [
    home,
    TeacherPages,
    AdminPages,
    BudgetPages,
    MovementPages,
    EstablishmentPages,
    ModerationPages,
    GarPages,
    PublisherPages,
    CommunPages,
    CollectionPages,
    FeaturedPages,
    thumbnail_file,
]

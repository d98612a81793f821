"""All page controllers, for the app factory."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from catalogue.web.admin import AdminPages, ModerationPages
from catalogue.web.budget import BudgetPages
from catalogue.web.home import home
from catalogue.web.publisher import PublisherPages
from catalogue.web.teacher import TeacherPages

ROUTES: list[ControllerRouterHandler] = [
    home,
    TeacherPages,
    AdminPages,
    BudgetPages,
    ModerationPages,
    PublisherPages,
]

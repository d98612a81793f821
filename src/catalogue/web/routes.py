"""All page controllers, for the app factory."""

from __future__ import annotations

from catalogue.web.admin import AdminPages, ModerationPages
from catalogue.web.budget import BudgetPages
from catalogue.web.communs import CommunPages
from catalogue.web.publisher import PublisherPages
from catalogue.web.teacher import TeacherPages

ROUTES = [TeacherPages, AdminPages, BudgetPages, ModerationPages, PublisherPages, CommunPages]

"""The groups data migrations create, for tests that run after a transactional test's flush
(which empties every table, groups included)."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

MIGRATIONS = {
    "HR editors": "ladder.migrations.0003_hr_editors_group",
    "Recruiters": "postings.migrations.0002_posting_history_recruiters",
}


def group(name: str) -> Group:
    """The named group with the permissions its migration gives it."""
    found, created = Group.objects.get_or_create(name=name)
    if created or not found.permissions.exists():
        spec = importlib.import_module(MIGRATIONS[name]).PERMISSIONS
        for app_label, models in spec.items():
            for model, actions in models.items():
                found.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        codename__in=[f"{action}_{model}" for action in actions],
                    )
                )
    return found

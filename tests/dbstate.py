"""A fingerprint of the ladder tables: row counts and a checksum of their contents."""

from __future__ import annotations

import hashlib

from django.apps import apps


def fingerprint(*app_labels: str) -> dict[str, tuple[int, str]]:
    state: dict[str, tuple[int, str]] = {}
    for label in app_labels or ("ladder", "postings"):
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            rows = list(model.objects.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            state[model._meta.label] = (len(rows), digest)
    return state

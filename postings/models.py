"""Job postings imported from job boards, and the ladder level staff confirmed for each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

POSTING_SECTIONS = [
    ("responsibilities", "Responsibilities"),
    ("requirements", "Requirements"),
    ("about", "About the company"),
    ("legal", "Legal / EEO"),
    ("other", "Other"),
]
FORMATS = [("html", "Job-board HTML"), ("text", "Plain text"), ("markdown", "Job-board markdown")]


class Posting(models.Model):
    title = models.CharField(max_length=300)
    company = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    pay_range = models.CharField(
        max_length=100, blank=True, help_text="As the posting states it, e.g. $90,000 – $110,000."
    )
    source_name = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=10, choices=FORMATS)
    raw = models.TextField(help_text="The input exactly as imported.")
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    years_min = models.PositiveSmallIntegerField(null=True, blank=True)
    years_max = models.PositiveSmallIntegerField(null=True, blank=True)
    degree = models.CharField(max_length=50, blank=True)
    people_management = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now_add=True)
    level = models.ForeignKey(
        "ladder.Level",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postings",
        help_text="The ladder level staff confirmed for this posting.",
    )
    level_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Who imported, edited, confirmed or deleted what, when (the raw input is kept once).
    history = HistoricalRecords(excluded_fields=["raw"])

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.company})" if self.company else self.title

    def get_absolute_url(self) -> str:
        return reverse("postings:detail", args=[self.pk])


class PostingItem(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=20, choices=POSTING_SECTIONS)
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["posting", "position"]

    def __str__(self) -> str:
        return self.text[:80]

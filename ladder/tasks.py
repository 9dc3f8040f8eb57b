"""Background tasks, run by ``manage.py db_worker`` (django-tasks-db; ``make run`` starts it)."""

from __future__ import annotations

import logging

from django.tasks import task

from ladder.models import HandbookUpload
from ladder.uploads import handbook_upload_run

logger = logging.getLogger(__name__)


@task()
def handbook_upload_task(upload_id: int, apply: bool) -> None:
    """Check (``apply=False``) or import an admin upload; the admin page polls its progress."""
    try:
        handbook_upload_run(upload_id=upload_id, apply=apply)
    except Exception as exc:
        # The admin waits on the upload's state, not on the task's: never leave it "running".
        logger.exception("handbook upload %s failed", upload_id)
        HandbookUpload.objects.filter(pk=upload_id).update(
            state=HandbookUpload.State.FAILED,
            step="failed",
            errors=[f"the import stopped unexpectedly: {type(exc).__name__}: {exc}"],
        )
        raise

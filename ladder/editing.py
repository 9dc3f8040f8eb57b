"""The admin's writes moved into ``ladder.services``; these names stay for older imports."""

from ladder.services import (  # noqa: F401
    Conflict,
    ReimportPreview,
    family_after_edit,
    family_reimport_apply,
    family_reimport_preview,
    grade_for,
    item_render,
)

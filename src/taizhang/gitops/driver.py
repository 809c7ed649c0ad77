"""What the merge driver does with a file git hands it: notices.yaml merged notice by notice
(gitops.merge_notices), any other file registered by `git-setup` (a ledger) item by item
(gitops.merge)."""

from __future__ import annotations

from pathlib import PurePosixPath

from taizhang.domain.models import Settings
from taizhang.gitops.merge import MergeResult, merge_ledger
from taizhang.repo.layout import NOTICES_FILE


def merge_file(base: str, ours: str, theirs: str, *, path: str, settings: Settings | None = None) -> MergeResult:
    """Merge the three versions of the file at `path` (as git names it, `%P`)."""
    settings = settings or Settings()
    if PurePosixPath(path.replace("\\", "/")).name == NOTICES_FILE:
        from taizhang.gitops.merge_notices import merge_notices

        return merge_notices(base, ours, theirs, path=path, year=settings.year)
    return merge_ledger(base, ours, theirs, path=path, settings=settings)

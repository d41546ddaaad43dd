"""The rules that decide whether a campaign tested anything at all.

A campaign is *not tested* (exit code 2, whatever else it found) when:
- no request reached the implementation (nothing sent, or only transport errors);
- every answer was a 404: the requests never reached an operation, so the base URL probably lacks the API's path;
- every request that carried the configured credentials was refused: 401, 403, or the refusal the operation
  documents for a caller not logged in (`x-refusals.notLoggedIn`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.results import ErrorKind, SpecResult

__all__ = ["judge", "mock_url_hint"]


def mock_url_hint(base_url: str, spec: str) -> str:
    """Where the mock serves the contract on the same origin, for the 404 hint."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}/{spec}"


def judge(result: SpecResult, credentials: str) -> None:
    """Set `result.untested` when the campaign judged nothing; `credentials` names their sources for the hint."""
    if result.untested is not None:
        return
    counts = result.counts
    if counts.answered == 0:
        transport = [group for group in result.errors if group.kind is ErrorKind.TRANSPORT]
        if transport:
            failed = sum(group.count for group in transport)
            result.untested = (
                f"no request reached {result.base_url}: {failed} request(s) failed ({transport[0].message}); "
                "check --base-url and that the server is running"
            )
        elif result.stop_reason == "max_time":
            result.untested = "--max-time ran out before any case was answered; give the run more time"
        else:
            result.untested = "no request was sent, so nothing was tested"
    elif counts.not_found == counts.answered:
        result.untested = (
            f"every response was 404 ({counts.answered} of {counts.answered}): the base URL probably lacks the API's "
            f"path (for the mock: {mock_url_hint(result.base_url, result.spec)})"
        )
    elif counts.authenticated and counts.refused == counts.authenticated:
        result.untested = (
            f"every authenticated request was refused with 401, 403 or the documented not-logged-in answer "
            f"({counts.refused} of {counts.authenticated}): "
            f"check the credentials for {result.spec} ({credentials})"
        )

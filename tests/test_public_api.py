"""The names `import newsgraph` promises."""

from __future__ import annotations

import newsgraph


def test_public_api_is_pinned() -> None:
    assert sorted(newsgraph.__all__) == [
        "RequestContext",
        "Settings",
        "build_context",
        "create_app",
        "schema",
    ]
    for name in newsgraph.__all__:
        assert getattr(newsgraph, name) is not None

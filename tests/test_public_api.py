"""The names `import newsgraph` promises, and that importing it loads nothing else."""

from __future__ import annotations

import subprocess
import sys

import newsgraph
from newsgraph.schema import NewsgraphSchema


def test_public_api_is_pinned() -> None:
    assert sorted(newsgraph.__all__) == [
        "RequestContext",
        "Settings",
        "build_context",
        "create_app",
        "make_schema",
        "schema",
    ]
    for name in newsgraph.__all__:
        assert getattr(newsgraph, name) is not None


def test_importing_newsgraph_loads_none_of_its_parts() -> None:
    probe = (
        "import sys, newsgraph; print(sorted(m for m in sys.modules if m.startswith('newsgraph.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


async def test_the_schema_module_stands_for_the_default_schema() -> None:
    result = await newsgraph.schema.execute("{ __typename }")
    assert result.data == {"__typename": "Query"}
    assert isinstance(newsgraph.schema.default_schema(), NewsgraphSchema)
    assert newsgraph.schema.as_str() == newsgraph.schema.default_schema().as_str()

"""Extractors turn an article's structure into a structured document.

`Extractor` is the protocol; `RuleBasedExtractor` (deterministic, no network, no model
downloads) is the default. Another extractor (spaCy, a language model) is any object
with the same `extract` method, selected by `NEWSGRAPH_EXTRACTOR=package.module:Class`
or passed to `newsgraph.ingest.pipeline.ingest_text(..., extractor=...)`.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any, Protocol

from newsgraph.errors import ConfigurationError
from newsgraph.ingest.structure import Structure

__all__ = ["Extractor", "load_extractor"]


class Extractor(Protocol):
    """Finds actors, events and claims in an article."""

    def extract(self, article: Structure, *, published: date) -> dict[str, Any]:
        """The document's `actors`, `events` and `claims` (DESIGN.md format)."""
        ...


def load_extractor(spec: str | None) -> Extractor:
    """The extractor named `module:Class` (None: the rule-based one)."""
    if not spec:
        from newsgraph.ingest.extract.rules import RuleBasedExtractor

        return RuleBasedExtractor()
    module_name, _, class_name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigurationError(
            f"NEWSGRAPH_EXTRACTOR: cannot load {spec!r} ({exc}); use package.module:Class"
        ) from exc
    extractor: Extractor = factory()
    return extractor

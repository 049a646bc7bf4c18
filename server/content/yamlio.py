"""YAML read with libyaml when PyYAML has it (ten times faster than the pure-Python parser;
checking the whole content parses a few hundred files), with the same safe constructors."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """Like yaml.safe_load, faster."""
    return yaml.load(text, Loader=SafeLoader)

"""YAML read with libyaml when PyYAML has it (ten times faster than the pure-Python parser;
checking the whole content parses a few hundred files), with the same safe constructors."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """Like yaml.safe_load, faster."""
    return yaml.load(text, Loader=SafeLoader)


class _Dumper(yaml.SafeDumper):
    """YAML as translators write it: lists indented under their key, long lines kept whole."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(data: Any) -> str:
    """`data` as the content files write YAML (keys in their order, Unicode as it is)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6)

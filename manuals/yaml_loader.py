"""Parse YAML the strict way the hand-edited manuals need."""

from __future__ import annotations

from typing import Any

import yaml


class StrictLoader(yaml.SafeLoader):
    """Safe loader that refuses duplicate and non-string mapping keys."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict[str, Any]:
    """Build a mapping, failing where plain YAML would silently lose or coerce data."""
    loader.flatten_mapping(node)
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        # YAML 1.1 turns unquoted no/yes/on/off into booleans and 12:30 into a number,
        # so a key like the country code NO would stop being a string.
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key {key!r} is not a string; quote it", key_node.start_mark
            )
        # A second `en:` in a bilingual pair would otherwise win without a word.
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)  # type: ignore[return-value]


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document with the strict loader."""
    return yaml.load(text, Loader=StrictLoader)  # StrictLoader is a SafeLoader

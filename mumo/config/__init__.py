"""Typed YAML configuration: ``extends`` inheritance, ``key.sub=value`` overrides, strict validation."""

from mumo.config.loader import (
    apply_overrides,
    from_dict,
    load_config,
    merge_dicts,
    read_yaml_tree,
    save_config,
    to_dict,
)

__all__ = [
    "apply_overrides",
    "from_dict",
    "load_config",
    "merge_dicts",
    "read_yaml_tree",
    "save_config",
    "to_dict",
]

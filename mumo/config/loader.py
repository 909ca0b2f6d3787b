"""Load YAML configs into typed dataclass schemas.

A config file may name one or more base files with ``extends: base.yaml`` (paths relative to the file); bases
are merged first, the file's own keys override them key by key. Command-line overrides ``key.sub=value`` are
applied last, with ``value`` parsed as YAML. Validation is strict: an unknown key or a value of the wrong type
raises :class:`~mumo.errors.ConfigError` naming the full key path and, for unknown keys, the closest one, or
where the setting went for a key the schema lists in its ``MOVED_KEYS`` class attribute (old key → new place).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from mumo.errors import ConfigError, InputError

T = TypeVar("T")

EXTENDS_KEY = "extends"


def read_yaml_tree(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file and merge the bases named by its ``extends`` key.

    Returns:
        The merged mapping, without the ``extends`` key.
    """
    return _read_yaml_tree(Path(path), chain=())


def _read_yaml_tree(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ConfigError(f"config 'extends' cycle: {cycle}")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    bases = data.pop(EXTENDS_KEY, None)
    if bases is None:
        return data
    merged: dict[str, Any] = {}
    for base in [bases] if isinstance(bases, str) else bases:
        merged = merge_dicts(merged, _read_yaml_tree(path.parent / base, (*chain, path)))
    return merge_dicts(merged, data)


def merge_dicts(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Recursively merge ``update`` into a copy of ``base``; mappings merge, other values replace."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_dicts(out[key], value)
        else:
            out[key] = value
    return out


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``key.sub=value`` overrides (value parsed as YAML) to a nested mapping, returning a new one."""
    out = merge_dicts({}, data)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"override {item!r} is not of the form key.sub=value")
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError as exc:
            raise ConfigError(f"override {item!r}: value is not valid YAML ({exc})") from exc
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else child
                if not isinstance(child, dict):
                    raise ConfigError(f"override {item!r}: '{part}' is not a section")
                node[part] = child
            node = child
        node[parts[-1]] = value
    return out


def load_config(path: str | Path, schema: type[T], overrides: Sequence[str] = ()) -> T:
    """Read ``path`` (with its ``extends`` bases), apply ``overrides``, and validate into ``schema``."""
    data = apply_overrides(read_yaml_tree(path), overrides)
    try:
        return from_dict(schema, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def from_dict(schema: type[T], data: Any, key_path: str = "") -> T:
    """Build a dataclass instance of ``schema`` from nested plain data, strictly.

    Raises:
        ConfigError: unknown keys (with the closest valid name), missing required keys, wrong types.
    """
    return _convert(schema, data, key_path)


def to_dict(config: Any) -> Any:
    """Turn a config dataclass (recursively) into plain YAML-serialisable data."""
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return {f.name: to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, enum.Enum):
        return config.value
    if isinstance(config, Path):
        return str(config)
    if isinstance(config, (list, tuple)):
        return [to_dict(v) for v in config]
    if isinstance(config, dict):
        return {k: to_dict(v) for k, v in config.items()}
    return config


def save_config(config: Any, path: str | Path) -> None:
    """Write a config dataclass as YAML."""
    Path(path).write_text(yaml.safe_dump(to_dict(config), sort_keys=False))


def _name(key_path: str) -> str:
    return key_path or "<root>"


def _join(key_path: str, key: str) -> str:
    return f"{key_path}.{key}" if key_path else key


def _convert(tp: Any, value: Any, key_path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _convert(arg, value, key_path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(
            errors[0] if len(errors) == 1 else f"{_name(key_path)}: {value!r} fits none of {tp}"
        )
    if origin is typing.Literal:
        if value not in args:
            close = difflib.get_close_matches(str(value), [str(a) for a in args], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{_name(key_path)}: {value!r} is not one of {list(args)}{hint}")
        return value
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, key_path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            valid = [m.value for m in tp]
            raise ConfigError(f"{_name(key_path)}: {value!r} is not one of {valid}") from None
    if origin in (list, tuple, Sequence) or tp in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{_name(key_path)}: expected a list, got {type(value).__name__} {value!r}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise ConfigError(f"{_name(key_path)}: expected {len(args)} items, got {len(value)}")
            return tuple(
                _convert(a, v, f"{key_path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
            )
        item_tp = args[0] if args else Any
        items = [_convert(item_tp, v, f"{key_path}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple or tp is tuple else items
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{_name(key_path)}: expected a mapping, got {type(value).__name__}")
        value_tp = args[1] if args else Any
        return {str(k): _convert(value_tp, v, _join(key_path, str(k))) for k, v in value.items()}
    return _convert_scalar(tp, value, key_path)


def _convert_scalar(tp: Any, value: Any, key_path: str) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:  # YAML 1.1 reads "1e-5" as a string
                return float(value)
            except ValueError:
                pass
    elif tp is str:
        if isinstance(value, str):
            return value
    elif tp is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
    else:
        raise ConfigError(f"{_name(key_path)}: unsupported schema type {tp!r}")
    raise ConfigError(f"{_name(key_path)}: expected {tp.__name__}, got {type(value).__name__} {value!r}")


def _convert_dataclass(tp: Any, value: Any, key_path: str) -> Any:
    if dataclasses.is_dataclass(value) and isinstance(value, tp):
        return value
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_name(key_path)}: expected a section (mapping), got {value!r}")
    fields = {f.name: f for f in dataclasses.fields(tp) if f.init}
    hints = typing.get_type_hints(tp)
    moved = getattr(tp, "MOVED_KEYS", {})
    for key in value:
        if key in moved:
            raise ConfigError(f"'{_join(key_path, str(key))}' is no longer a setting here; use {moved[key]}")
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.5)
            hint = f" (did you mean '{_join(key_path, close[0])}'?)" if close else ""
            valid = ", ".join(fields)
            raise ConfigError(f"unknown key '{_join(key_path, str(key))}'{hint}; valid keys: {valid}")
    kwargs = {}
    for name, field in fields.items():
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], _join(key_path, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"missing required key '{_join(key_path, name)}'")
    try:
        return tp(**kwargs)
    except (ValueError, TypeError, InputError) as exc:
        raise ConfigError(f"{_name(key_path)}: {exc}") from None

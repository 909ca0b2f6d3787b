from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from mumo.config import apply_overrides, from_dict, load_config, save_config, to_dict
from mumo.errors import ConfigError


@dataclass
class Optim:
    learning_rate: float = 5e-5
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)


@dataclass
class Stage:
    name: str
    optim: Optim = field(default_factory=Optim)
    tasks: dict[str, float] = field(default_factory=lambda: {"joint": 1.0})
    freeze: Literal["none", "motion_only", "music_only"] = "none"
    init_from: Path | None = None
    epochs: int = 1


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_loads_nested_values_with_types(tmp_path):
    cfg_path = write(
        tmp_path / "c.yaml",
        "name: s1\noptim:\n  learning_rate: 1e-5\n  betas: [0.8, 0.9]\nfreeze: motion_only\n"
        "tasks: {music2motion: 0.5, joint: 0.5}\ninit_from: runs/a/epoch=18\n",
    )
    cfg = load_config(cfg_path, Stage)
    assert cfg.optim.learning_rate == pytest.approx(1e-5)
    assert cfg.optim.betas == (0.8, 0.9)
    assert cfg.freeze == "motion_only"
    assert cfg.tasks == {"music2motion": 0.5, "joint": 0.5}
    assert cfg.init_from == Path("runs/a/epoch=18")
    assert cfg.optim.weight_decay == pytest.approx(0.1)


def test_unknown_key_names_full_path_and_closest_key(tmp_path):
    cfg_path = write(tmp_path / "c.yaml", "name: s1\noptim:\n  learnin_rate: 1e-5\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg_path, Stage)
    message = str(info.value)
    assert "optim.learnin_rate" in message
    assert "did you mean 'optim.learning_rate'" in message


def test_wrong_type_names_key_path(tmp_path):
    cfg_path = write(tmp_path / "c.yaml", "name: s1\nepochs: many\n")
    with pytest.raises(ConfigError, match=r"epochs: expected int, got str 'many'"):
        load_config(cfg_path, Stage)


def test_literal_choice_suggests_valid_value():
    with pytest.raises(ConfigError, match="did you mean 'motion_only'"):
        from_dict(Stage, {"name": "s", "freeze": "motion_onyl"})


def test_missing_required_key():
    with pytest.raises(ConfigError, match="missing required key 'name'"):
        from_dict(Stage, {})


def test_extends_merges_base_then_overrides(tmp_path):
    write(tmp_path / "base.yaml", "name: base\nepochs: 30\noptim:\n  learning_rate: 5e-5\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\noptim:\n  weight_decay: 0.0\n")
    cfg = load_config(child, Stage, overrides=["optim.learning_rate=1e-5", "epochs=3"])
    assert cfg.name == "child"
    assert cfg.epochs == 3
    assert cfg.optim.learning_rate == pytest.approx(1e-5)
    assert cfg.optim.weight_decay == 0.0


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_config(tmp_path / "a.yaml", Stage)


def test_missing_file_and_bad_override(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml", Stage)
    with pytest.raises(ConfigError, match=r"key\.sub=value"):
        apply_overrides({}, ["epochs"])


def test_override_of_unknown_key_fails(tmp_path):
    cfg_path = write(tmp_path / "c.yaml", "name: s1\n")
    with pytest.raises(ConfigError, match=r"optim\.lr"):
        load_config(cfg_path, Stage, overrides=["optim.lr=1e-5"])


def test_save_round_trip(tmp_path):
    cfg = from_dict(Stage, {"name": "s", "init_from": "x/y", "optim": {"betas": [0.5, 0.6]}})
    save_config(cfg, tmp_path / "resolved.yaml")
    again = load_config(tmp_path / "resolved.yaml", Stage)
    assert again == cfg
    assert to_dict(again)["init_from"] == "x/y"

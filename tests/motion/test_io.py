import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion import joints_to_features
from mumo.motion.io import load_dance
from mumo.motion.skeleton import SMPL22


def _dance(frames: int = 30) -> np.ndarray:
    rest = SMPL22.rest_joints()
    sway = 0.05 * np.sin(np.linspace(0, 3, frames))[:, None, None] * np.array([1.0, 0.0, 0.0])
    return (rest[None] + sway).astype(np.float32)


def test_joints_smpl_joints_and_features_all_read_as_smpl22(tmp_path):
    dance = _dance()
    np.save(tmp_path / "j22.npy", dance)
    np.save(tmp_path / "j24.npy", np.concatenate([dance, dance[:, -2:]], axis=1))
    np.save(tmp_path / "features.npy", joints_to_features(dance, 60.0))
    for name in ("j22", "j24"):
        joints, fps = load_dance(tmp_path / f"{name}.npy", fps=30.0)
        np.testing.assert_allclose(joints, dance, atol=1e-6)
        assert fps == 30.0
    joints, _ = load_dance(tmp_path / "features.npy")
    assert joints.shape == dance.shape
    np.testing.assert_allclose(joints[:, 1:] - joints[:, :1], dance[:, 1:] - dance[:, :1], atol=1e-4)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("other.npy", np.zeros((30, 17, 3)), "22-joint"),
        ("nan.npy", np.full((30, 22, 3), np.nan), "NaN"),
        ("dance.txt", None, "unsupported"),
        ("missing.npy", None, "not found"),
    ],
)
def test_unusable_dance_files_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        np.save(path, content)
    elif name.endswith(".txt"):
        path.write_text("0 1 2")
    with pytest.raises(MotionError, match=message):
        load_dance(path)

"""Throughput of the motion feature conversions on dance-length clips (60 fps, 22 joints).

Run: ``.venv/bin/python bench/motion_features.py``. Prints seconds per clip and the ratio of clip
duration to conversion time (how many times faster than real time).
"""

import numpy as np
from timing import median_seconds

from mumo.motion import features_to_joints, joints_to_features, resample_features, resample_joints
from mumo.motion.rotations import yaw_matrices
from mumo.motion.skeleton import SMPL22

FPS = 60.0


def _random_walk_clip(num_frames: int, seed: int = 0) -> np.ndarray:
    """``[T, 22, 3]`` clip from smoothly varying random joint twists and a drifting root."""
    rng = np.random.default_rng(seed)
    rotations = yaw_matrices(np.cumsum(rng.normal(scale=0.02, size=(num_frames, 22)), axis=0))
    root = np.cumsum(rng.normal(scale=0.01, size=(num_frames, 3)), axis=0) + np.array([0.0, 0.93, 0.0])
    return SMPL22.forward_kinematics(rotations, root)


def main() -> None:
    print(f"{'frames':>7} {'operation':<28} {'ms/clip':>9} {'x real time':>12}")
    for num_frames in (600, 1800, 7200):
        joints = _random_walk_clip(num_frames)
        features = joints_to_features(joints, FPS)
        operations = {
            "joints_to_features": lambda j=joints: joints_to_features(j, FPS),
            "features_to_joints": lambda f=features: features_to_joints(f),
            "resample_joints 60->20": lambda j=joints: resample_joints(j, FPS, 20),
            "resample_features 60->20": lambda f=features: resample_features(f, FPS, 20),
        }
        for name, operation in operations.items():
            seconds = median_seconds(operation, 5)
            print(f"{num_frames:>7} {name:<28} {seconds * 1e3:>9.2f} {num_frames / FPS / seconds:>12.0f}")


if __name__ == "__main__":
    main()

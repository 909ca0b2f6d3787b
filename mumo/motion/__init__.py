"""Motion representation: the skeletons, joints ↔ 263-d features, normalisation, resampling, validation.

Joint clips are ``[T, J, 3]`` float arrays in metres, y up, at a stated frame rate (60 fps in datasets).
"""

from mumo.motion import skeleton
from mumo.motion.bvh import read_bvh, write_bvh
from mumo.motion.features import (
    FEATURE_DIM,
    NUM_JOINTS,
    canonicalize_joints,
    features_to_joints,
    joints_to_features,
    root_velocities,
)
from mumo.motion.normalization import STD_FLOOR, FeatureStats, compute_feature_stats
from mumo.motion.resample import resample_features, resample_joints
from mumo.motion.retarget import read_bvh_smpl22
from mumo.motion.validate import validate_features, validate_joints

__all__ = [
    "FEATURE_DIM",
    "NUM_JOINTS",
    "STD_FLOOR",
    "FeatureStats",
    "canonicalize_joints",
    "compute_feature_stats",
    "features_to_joints",
    "joints_to_features",
    "read_bvh",
    "read_bvh_smpl22",
    "resample_features",
    "resample_joints",
    "root_velocities",
    "skeleton",
    "validate_features",
    "validate_joints",
    "write_bvh",
]

import numpy as np
import pytest

from mumo.motion.rotations import (
    heading_angles,
    matrix_to_6d,
    rotation_between,
    smoothed_heading_angles,
    yaw_matrices,
)
from mumo.motion.skeleton import SMPL22


def _assert_rotation(matrices: np.ndarray) -> None:
    identity = np.broadcast_to(np.eye(3), matrices.shape)
    np.testing.assert_allclose(np.swapaxes(matrices, -1, -2) @ matrices, identity, atol=1e-9)
    np.testing.assert_allclose(np.linalg.det(matrices), 1.0, atol=1e-9)


def test_rotation_between_maps_source_onto_target():
    rng = np.random.default_rng(0)
    source, target = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    rotations = rotation_between(source, target)
    _assert_rotation(rotations)
    mapped = np.einsum("nij,nj->ni", rotations, source / np.linalg.norm(source, axis=-1, keepdims=True))
    np.testing.assert_allclose(mapped, target / np.linalg.norm(target, axis=-1, keepdims=True), atol=1e-9)


@pytest.mark.parametrize("source", [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.3, -0.4, 0.2]])
def test_rotation_between_handles_opposite_and_zero_targets(source):
    source = np.asarray(source)
    half_turn = rotation_between(source, -2.0 * source)
    _assert_rotation(half_turn)
    np.testing.assert_allclose(half_turn @ source, -source, atol=1e-9)
    np.testing.assert_allclose(rotation_between(source, np.zeros(3)), np.eye(3), atol=1e-12)


def test_yaw_and_heading_agree():
    angles = np.linspace(-3.0, 3.0, 7)
    yaws = yaw_matrices(angles)
    _assert_rotation(yaws)
    np.testing.assert_allclose(
        yaws @ [0.0, 0.0, 1.0], np.stack([np.sin(angles), 0 * angles, np.cos(angles)], -1), atol=1e-12
    )
    turned = np.einsum("aij,kj->aki", yaws, SMPL22.rest_joints())
    np.testing.assert_allclose(heading_angles(turned, SMPL22), angles, atol=1e-9)


def test_matrix_to_6d_takes_the_first_two_columns():
    matrix = yaw_matrices(np.array(0.5))
    np.testing.assert_allclose(matrix_to_6d(matrix), np.concatenate([matrix[:, 0], matrix[:, 1]]))


def test_smoothed_heading_is_the_facing_averaged_over_time():
    angles = 0.3 * (-1.0) ** np.arange(41)  # facing left and right of +z in turn
    turned = np.einsum("aij,kj->aki", yaw_matrices(angles), SMPL22.rest_joints())
    np.testing.assert_allclose(smoothed_heading_angles(turned, SMPL22, 0.0), angles, atol=1e-9)
    np.testing.assert_allclose(smoothed_heading_angles(turned, SMPL22, 3.0)[10:-10], 0.0, atol=1e-3)
    # Turned shoulders outweigh the hips (HumanML3D's combination: shoulders minus hips).
    twisted = SMPL22.rest_joints()[None].copy()
    shoulders = [*SMPL22.face_joints[2:]]
    twisted[:, shoulders] = twisted[:, shoulders] @ yaw_matrices(np.array(0.4)).T
    assert smoothed_heading_angles(twisted, SMPL22, 0.0)[0] > 0.4 > heading_angles(twisted, SMPL22)[0]

import numpy as np
from scipy.spatial.transform import Rotation

from mumo.motion.skeleton import SMPL22, SMPL24


def test_smpl22_is_smpl24_without_hands():
    assert SMPL22.num_joints == 22
    assert SMPL24.num_joints == 24
    assert SMPL22.parents == SMPL24.parents[:22]
    assert [SMPL22.joint_names[i] for i in SMPL22.left_foot] == ["left_ankle", "left_foot"]
    assert [SMPL22.joint_names[i] for i in SMPL22.face_joints] == [
        "right_hip", "left_hip", "right_shoulder", "left_shoulder",
    ]  # fmt: skip
    assert all(parent < joint for joint, parent in enumerate(SMPL22.parents))


def test_forward_kinematics_with_identity_rotations_gives_the_rest_pose():
    root = np.array([[0.5, 0.93, -1.0], [0.0, 0.93, 0.0]])
    joints = SMPL22.forward_kinematics(np.broadcast_to(np.eye(3), (2, 22, 3, 3)), root)
    rest = SMPL22.rest_joints()
    np.testing.assert_allclose(joints, rest[None] + (root - rest[0])[:, None], atol=1e-12)
    assert rest[SMPL22.left_foot[1], 1] < 0.05  # toes near the floor
    assert rest[SMPL22.left_foot[0], 0] > 0  # the subject's left side is +x


def test_forward_kinematics_keeps_bone_lengths():
    rotations = Rotation.random(5 * 22, random_state=0).as_matrix().reshape(5, 22, 3, 3)
    joints = SMPL22.forward_kinematics(rotations, np.zeros((5, 3)))
    parents = np.asarray(SMPL22.parents[1:])
    lengths = np.linalg.norm(joints[:, 1:] - joints[:, parents], axis=-1)
    np.testing.assert_allclose(lengths, np.broadcast_to(SMPL22.bone_lengths(), lengths.shape), atol=1e-12)

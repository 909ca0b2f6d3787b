import numpy as np
import pytest
import torch

from mumo.motion.features import CONTACT_JOINTS, FOOT_CONTACTS, features_to_joints, joints_to_features
from mumo.tokenizers.kinematic_losses import foot_slide_loss, joint_path_loss, rebuild_joints

from .helpers import swaying_clip


@pytest.mark.parametrize("version", [1, 2])
def test_rebuilt_joints_are_those_of_features_to_joints(version):
    features = joints_to_features(swaying_clip(90, seed=3), 60.0, version)  # turning and travelling
    rebuilt = rebuild_joints(torch.from_numpy(features[None]).double())[0].numpy()
    np.testing.assert_allclose(rebuilt, features_to_joints(features), atol=1e-6)


def test_the_slide_term_averages_the_squared_speeds_of_standing_feet_only():
    clip = swaying_clip(40, seed=1)
    joints = torch.from_numpy(clip[None])
    target = torch.from_numpy(joints_to_features(clip)[None])
    target[..., FOOT_CONTACTS] = 0.0
    assert foot_slide_loss(joints, target, 60.0) == 0
    target[0, 5:9, FOOT_CONTACTS.start + 2] = 1.0  # the right ankle stands in frames 5-8
    feet = joints[0, :, list(CONTACT_JOINTS)][..., [0, 2]]  # horizontal positions [T, 4, 2]
    speeds = (feet[1:] - feet[:-1]).norm(dim=-1) * 60.0
    assert speeds.max() > 0.1  # the body travels and one knee bends
    torch.testing.assert_close(foot_slide_loss(joints, target, 60.0), speeds[5:9, 2].square().mean())


def test_the_path_term_is_the_mean_squared_joint_distance():
    joints = torch.from_numpy(swaying_clip(30, seed=0)[None])
    assert joint_path_loss(joints, joints) == 0
    moved = joints + torch.tensor([0.3, 0.0, 0.4])  # every joint 0.5 m away
    torch.testing.assert_close(joint_path_loss(moved, joints), torch.tensor(0.25))

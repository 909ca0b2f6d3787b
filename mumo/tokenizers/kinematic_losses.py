"""Loss terms of the motion VQ-VAE on the joints its features rebuild: standing feet that slide, and the path.

A dance's joints are rebuilt from its features by integrating the root's turning rate and velocity and adding
the root-relative joint positions (:func:`mumo.motion.features.features_to_joints`). A decoder can get every
channel nearly right and still let a standing foot slide, when the root's step and the foot's root-relative
step do not cancel; an LM's samples, which a decoder never saw from its encoder, do so most (docs/quality.md,
"Foot skating: the decoder"). :func:`rebuild_joints` is that rebuild in torch, differentiable, over a
training window; :func:`foot_slide_loss` penalises feet that move over the floor where the target's contact
channels say they stand, and :func:`joint_path_loss` keeps the rebuilt joints, root path and turns included,
on the target's (without it, a decoder lowers the sliding by shortening every step and turn).
"""

from __future__ import annotations

import torch

from mumo.motion.features import (
    CONTACT_JOINTS,
    FOOT_CONTACTS,
    JOINT_POSITIONS,
    NUM_JOINTS,
    ROOT_ANGULAR_VELOCITY,
    ROOT_HEIGHT,
    ROOT_LINEAR_VELOCITY,
)


def rebuild_joints(features: torch.Tensor) -> torch.Tensor:
    """Joints ``[B, T, 22, 3]`` of de-normalised features ``[B, T, 263]``, rebuilt as
    :func:`mumo.motion.features.features_to_joints` rebuilds them (metres, y up, the first frame's root
    above the origin facing +z)."""
    batch, frames, _ = features.shape
    half_turns = torch.cumsum(features[:, :-1, ROOT_ANGULAR_VELOCITY.start], dim=1)
    heading = -2.0 * torch.cat([half_turns.new_zeros(batch, 1), half_turns], dim=1)  # [B, T]
    cos, sin = torch.cos(heading)[..., None], torch.sin(heading)[..., None]
    step = features[:, :-1, ROOT_LINEAR_VELOCITY]  # facing frame of the next frame
    step_x = cos[:, 1:, 0] * step[..., 0] + sin[:, 1:, 0] * step[..., 1]
    step_z = cos[:, 1:, 0] * step[..., 1] - sin[:, 1:, 0] * step[..., 0]
    path = torch.cumsum(torch.stack([step_x, step_z], dim=-1), dim=1)
    path = torch.cat([path.new_zeros(batch, 1, 2), path], dim=1)  # [B, T, 2]
    relative = features[..., JOINT_POSITIONS].reshape(batch, frames, NUM_JOINTS - 1, 3)
    x = cos * relative[..., 0] + sin * relative[..., 2] + path[..., :1]
    z = cos * relative[..., 2] - sin * relative[..., 0] + path[..., 1:]
    body = torch.stack([x, relative[..., 1], z], dim=-1)
    root = torch.stack([path[..., 0], features[..., ROOT_HEIGHT.start], path[..., 1]], dim=-1)
    return torch.cat([root[:, :, None], body], dim=2)


def foot_slide_loss(joints: torch.Tensor, target: torch.Tensor, fps: float) -> torch.Tensor:
    """Mean squared horizontal speed ``(m/s)²`` of the foot joints of ``joints [B, T, 22, 3]`` over the
    steps whose first frame the target features ``[B, T, 263]`` mark as standing (contact channel above
    0.5); 0 when none is."""
    standing = (target[:, :-1, FOOT_CONTACTS] > 0.5).to(joints.dtype)
    squared = _squared_foot_steps(joints) * fps**2
    return (squared * standing).sum() / standing.sum().clamp(min=1.0)


def joint_path_loss(joints: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared distance (m²) between rebuilt joints ``[B, T, 22, 3]`` and the target's."""
    return (joints - target).square().sum(-1).mean()


def _squared_foot_steps(joints: torch.Tensor) -> torch.Tensor:
    """Squared horizontal steps ``[B, T - 1, 4]`` (m² per frame²) of the contact joints."""
    feet = joints[:, :, list(CONTACT_JOINTS)][..., [0, 2]]
    return feet.diff(dim=1).square().sum(-1)

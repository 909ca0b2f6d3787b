"""The joint music–motion language model (plain PyTorch; training lives in :mod:`mumo.train`).

Example::

    from mumo.lm import DEBUG_CONFIG, MusicMotionLM, Task, generate

    lm = MusicMotionLM(DEBUG_CONFIG)
    conditions = lm.encode_descriptions(["a house track"], ["bouncy steps"])
    logits = lm(Task.JOINT, conditions, music_codes, motion_codes)  # codes [B, K, T]
    result = generate(lm, Task.MUSIC2MOTION, music_codes=music_codes, guidance_scale=4.0)
"""

from mumo.lm.config import DEBUG_CONFIG, MUSICGEN_SMALL_CONFIG, LMConfig
from mumo.lm.freezing import POLICIES, FreezeSummary, apply_freezing, parameter_groups
from mumo.lm.generate import GenerationResult, generate
from mumo.lm.model import Conditions, MusicMotionLM, StreamLogits
from mumo.lm.streams import Stream
from mumo.lm.tasks import Layout, Task, task_spec
from mumo.lm.text import drop_descriptions

__all__ = [
    "DEBUG_CONFIG",
    "MUSICGEN_SMALL_CONFIG",
    "POLICIES",
    "Conditions",
    "FreezeSummary",
    "GenerationResult",
    "LMConfig",
    "Layout",
    "MusicMotionLM",
    "Stream",
    "StreamLogits",
    "Task",
    "apply_freezing",
    "drop_descriptions",
    "generate",
    "parameter_groups",
    "task_spec",
]

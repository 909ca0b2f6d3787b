"""The generation pipeline: a trained LM with its tokenizers, from waveforms and joints to performances.

Example::

    import mumo
    from mumo.audio import load

    pipe = mumo.load("outputs/demo/bundle")            # or RUN_DIR/epoch=N
    song = load("song.wav", pipe.sample_rate)          # [1, N] at 32 kHz
    dance = pipe.dance(song, pipe.sample_rate, motion_text="a house dance", seed=1)
    dance.save("out/")                                 # dance.npy, dance.bvh, music.wav, ...
    dance.render("out/dance.mp4")                      # skeleton video with the song
    music = pipe.music(dance.joints[0], fps=60)        # dance → music
    both = pipe.joint(duration_s=10, music_text="a house track", motion_text="a house dance")

Sequences longer than the training window are generated window by window
(:mod:`mumo.pipeline.longform`), so a 60 s song gives a 60 s dance.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from typing_extensions import TypedDict, Unpack

from mumo import checks
from mumo.audio import as_waveform, is_silent, resample
from mumo.errors import AudioError, InputError, MotionError
from mumo.lm import Task
from mumo.motion import resample_joints
from mumo.motion.validate import validate_fps, validate_joints
from mumo.pipeline.bundle import Components, load_components, save_bundle
from mumo.pipeline.longform import generate_long
from mumo.pipeline.results import DanceResult, JointResult, MusicResult
from mumo.tokenizers.long_audio import decode_in_windows, encode_in_windows

MIN_DURATION_S = 1.0
"""Shortest input or output the pipeline generates for, seconds."""
MAX_LENGTH_S = 600.0
"""Longest input or output the pipeline generates for unless told otherwise (``max_length_s``,
``mumo generate --max-length``), seconds."""
MAX_BATCH = 1024
"""Most samples drawn at once."""
ENCODING_SHARE = 0.1
"""Share of a generation's progress given to encoding its input, window by window."""
Progress = Callable[[float], None]


class Sampling(TypedDict, total=False):
    """How codes are drawn (keyword arguments of every generation method).

    Attributes:
        guidance: classifier-free guidance scale (1 = off); default 4.
        temperature: sampling temperature (0 = greedy); default 1.
        top_k: sample among the k most likely codes; default 250.
        seed: seed of the sampling; default 0.
        batch: number of samples drawn; default 1.
    """

    guidance: float
    temperature: float
    top_k: int
    seed: int
    batch: int


SAMPLING_DEFAULTS: Sampling = {"guidance": 4.0, "temperature": 1.0, "top_k": 250, "seed": 0, "batch": 1}


class Pipeline:
    """Music → dance, dance → music and joint generation with one trained model.

    Args:
        components: the LM, its tokenizers and settings (see :func:`load`).
        device: where the model runs.
        context_fraction: share of each window that prompts it with the previous window's codes (long
            inputs only).
        compile: decode with a compiled step (``torch.compile``; CUDA graphs on a GPU): the first generation
            of each shape compiles (tens of seconds), later ones run faster, with the same codes.
        bf16: hold the LM's weights and key/value caches in bfloat16 (the tokenizers stay float32): half the
            memory, and on a GPU a compiled decoding step twice as fast; the codes differ from float32's.
        max_length_s: longest music or dance generated for, seconds (inputs beyond it are refused).
    """

    def __init__(
        self,
        components: Components,
        device: str | torch.device = "cpu",
        context_fraction: float = 0.5,
        compile: bool = False,
        bf16: bool = False,
        max_length_s: float = MAX_LENGTH_S,
    ) -> None:
        self.components = components
        self.compile = compile
        self.max_length_s = checks.number(max_length_s, "max_length_s", minimum=MIN_DURATION_S)
        self.device = checks.device(str(device))
        self.model = components.model.to(self.device, torch.bfloat16 if bf16 else torch.float32).eval()
        self.music_tokenizer = components.music_tokenizer.to(self.device)
        self.motion_tokenizer = components.motion_tokenizer.to(self.device)
        self.frame_rate = float(self.music_tokenizer.frame_rate)
        self.motion_fps = float(self.motion_tokenizer.input_fps)
        self.window = round(components.settings.window_s * self.frame_rate)
        self.context = int(self.window * context_fraction)

    @property
    def sample_rate(self) -> int:
        """Sample rate of the music the model reads and writes, Hz."""
        return int(self.music_tokenizer.sample_rate)

    def save_bundle(self, directory: str | Path) -> Path:
        """Write this pipeline as a self-contained inference bundle (see :mod:`mumo.pipeline.bundle`)."""
        return save_bundle(self.components, directory)

    @torch.no_grad()
    def dance(
        self,
        audio: np.ndarray,
        sample_rate: int,
        *,
        motion_text: str = "",
        duration_s: float | None = None,
        progress: Progress | None = None,
        **sampling: Unpack[Sampling],
    ) -> DanceResult:
        """Dance to ``audio`` ``[C, N]`` (or ``[N]``) at ``sample_rate`` Hz.

        Args:
            motion_text: description of the dance, e.g. ``"a breakdance"``.
            duration_s: dance only the first seconds of the music (default: all of it).
            progress: called with the fraction done (0–1).
            sampling: ``guidance``, ``temperature``, ``top_k``, ``seed``, ``batch`` (see :class:`Sampling`).

        Raises:
            AudioError: empty, non-finite, silent or too short audio, or ``duration_s`` beyond its end.
            InputError: a sampling option out of its range, music longer than ``max_length_s``, or work that
                does not fit in memory.
        """
        options = self._sampling(sampling)
        batch = options["batch_size"]
        audio = self._music_input(audio, sample_rate, duration_s)
        self._check_memory(batch, audio.shape[-1] / self.sample_rate)
        waveform = torch.from_numpy(audio)[None].to(self.device)  # [1, 1, N]
        num_frames = round(audio.shape[-1] / self.sample_rate * self.frame_rate)
        encoding, generating = _split_progress(progress)
        music_codes = encode_in_windows(self.music_tokenizer, waveform, on_window=encoding)
        music_codes = music_codes[..., :num_frames].expand(batch, -1, -1)
        result = generate_long(
            self.model, Task.MUSIC2MOTION, num_frames, self.window, self.context, music_codes=music_codes,
            motion_descriptions=[motion_text] * batch, **options,
            on_progress=generating,
        )  # fmt: skip
        motion_frames = round(audio.shape[-1] / self.sample_rate * self.motion_fps)
        joints = self.motion_tokenizer.decode_to_joints(result.motion_codes, motion_frames)
        return DanceResult(
            joints.numpy(), self.motion_fps, np.repeat(audio[None], batch, axis=0), self.sample_rate,
            _numpy(music_codes), _numpy(result.motion_codes),
        )  # fmt: skip

    @torch.no_grad()
    def music(
        self,
        joints: np.ndarray,
        fps: float,
        *,
        music_text: str = "",
        duration_s: float | None = None,
        progress: Progress | None = None,
        **sampling: Unpack[Sampling],
    ) -> MusicResult:
        """Music for a dance: ``joints`` ``[T, 22, 3]`` (metres, y up) at ``fps``.

        Arguments as in :meth:`dance`; ``music_text`` describes the music, e.g. ``"a funk track"``.

        Raises:
            MotionError: not SMPL22 joints, non-finite values, or too short.
            InputError: as in :meth:`dance`.
        """
        options = self._sampling(sampling)
        batch = options["batch_size"]
        joints = self._dance_input(joints, fps, duration_s)
        self._check_memory(batch, len(joints) / self.motion_fps)
        motion_codes = self.motion_tokenizer.encode_joints(joints[None]).expand(batch, -1, -1)
        num_frames = motion_codes.shape[-1]
        result = generate_long(
            self.model, Task.MOTION2MUSIC, num_frames, self.window, self.context, motion_codes=motion_codes,
            music_descriptions=[music_text] * batch, **options,
            on_progress=progress,
        )  # fmt: skip
        samples = round(len(joints) / self.motion_fps * self.sample_rate)
        audio = decode_in_windows(self.music_tokenizer, result.music_codes)[..., :samples]
        return MusicResult(
            np.repeat(joints[None], batch, axis=0), self.motion_fps, _numpy(audio).astype(np.float32),
            self.sample_rate, _numpy(result.music_codes), _numpy(motion_codes),
        )  # fmt: skip

    @torch.no_grad()
    def joint(
        self,
        duration_s: float = 10.0,
        *,
        music_text: str = "",
        motion_text: str = "",
        progress: Progress | None = None,
        **sampling: Unpack[Sampling],
    ) -> JointResult:
        """Music and dance together, ``duration_s`` seconds, from descriptions (arguments as in
        :meth:`dance`)."""
        duration_s = check_duration(duration_s, self.max_length_s)
        options = self._sampling(sampling)
        batch = options["batch_size"]
        self._check_memory(batch, duration_s)
        num_frames = round(duration_s * self.frame_rate)
        result = generate_long(
            self.model, Task.JOINT, num_frames, self.window, self.context,
            music_descriptions=[music_text] * batch, motion_descriptions=[motion_text] * batch,
            **options, on_progress=progress,
        )  # fmt: skip
        samples = round(duration_s * self.sample_rate)
        audio = decode_in_windows(self.music_tokenizer, result.music_codes)[..., :samples]
        joints = self.motion_tokenizer.decode_to_joints(
            result.motion_codes, round(duration_s * self.motion_fps)
        )
        return JointResult(
            joints.numpy(), self.motion_fps, _numpy(audio).astype(np.float32), self.sample_rate,
            _numpy(result.music_codes), _numpy(result.motion_codes),
        )  # fmt: skip

    def _sampling(self, sampling: Sampling) -> dict[str, Any]:
        """Arguments of :func:`~mumo.pipeline.longform.generate_long` for ``sampling`` (defaults filled)."""
        options = check_sampling(sampling)
        return {
            "guidance_scale": options["guidance"],
            "temperature": options["temperature"],
            "top_k": options["top_k"],
            "seed": options["seed"],
            "batch_size": options["batch"],
            "music_vocab_size": self.music_tokenizer.cardinality,
            "motion_vocab_size": self.motion_tokenizer.cardinality,
            "compile": self.compile,
        }

    def _check_memory(self, batch: int, duration_s: float) -> None:
        """Refuse a generation whose outputs and caches would not fit in memory (before allocating them)."""
        config = self.model.config
        # keys and values of both streams, doubled for guidance, float32
        cache = 2 * config.num_layers * 2 * batch * 2 * self.window * config.dim * 4
        # three float32 copies of the audio, joints and features twice
        per_second = self.sample_rate * 4 * 3 + self.motion_fps * (22 * 3 + 263) * 4 * 2
        need = cache + batch * duration_s * per_second
        checks.fits_in_memory(need, f"{batch} sample(s) of {duration_s:g} s", self.device)

    def _music_input(self, audio: np.ndarray, sample_rate: int, duration_s: float | None) -> np.ndarray:
        """Mono ``[1, N]`` float32 at the codec's rate, cut to ``duration_s``."""
        sample_rate = checks.integer(sample_rate, "sample_rate", minimum=1)
        audio = as_waveform(audio, "music")
        duration_s = check_duration(duration_s, self.max_length_s)
        length_s = audio.shape[-1] / sample_rate
        self._check_length(length_s, duration_s, "music")
        if duration_s is not None:  # a second more than used, so that resampling has no edge at the cut
            audio = audio[:, : round(min(duration_s + 1, length_s) * sample_rate)]
        audio = resample(audio.mean(axis=0, keepdims=True), sample_rate, self.sample_rate)
        seconds = _seconds_used(audio.shape[-1] / self.sample_rate, duration_s, "music", AudioError)
        audio = audio[:, : round(seconds * self.sample_rate)]
        if is_silent(audio):
            raise AudioError("the music is silent; give a recording with audible sound")
        return audio

    def _check_length(self, length_s: float, duration_s: float | None, what: str) -> None:
        """Refuse a whole input (no ``duration_s``) of ``length_s`` seconds beyond :attr:`max_length_s`."""
        if duration_s is None and length_s > self.max_length_s:
            raise InputError(
                f"the {what} is {length_s:.0f} s long, more than the {self.max_length_s:g} s allowed; give a "
                "duration, or raise the limit (max_length_s, mumo generate --max-length)"
            )

    def _dance_input(self, joints: np.ndarray, fps: float, duration_s: float | None) -> np.ndarray:
        """Joints ``[T, 22, 3]`` float32 at 60 fps, cut to ``duration_s``."""
        duration_s = check_duration(duration_s, self.max_length_s)
        joints = validate_joints(joints, expected_joints=22)
        fps = validate_fps(fps)
        self._check_length(len(joints) / fps, duration_s, "dance")
        joints = resample_joints(joints, fps, self.motion_fps).astype(np.float32)
        seconds = _seconds_used(len(joints) / self.motion_fps, duration_s, "dance", MotionError)
        return joints[: round(seconds * self.motion_fps)]


def load(
    checkpoint: str | Path,
    device: str | torch.device = "cpu",
    compile: bool = False,
    bf16: bool = False,
    max_length_s: float = MAX_LENGTH_S,
) -> Pipeline:
    """A :class:`Pipeline` from an inference bundle, ``RUN_DIR/epoch=N`` or a training ``.ckpt`` file
    (``compile``, ``bf16``, ``max_length_s``: see :class:`Pipeline`).

    Raises:
        CheckpointError: nothing usable there, or weights that do not fit (the tensors are listed).
        InputError: a device this machine does not have.
    """
    device = checks.device(str(device))
    components = load_components(checkpoint)
    return Pipeline(components, device, compile=compile, bf16=bf16, max_length_s=max_length_s)


def check_sampling(sampling: Sampling) -> Sampling:
    """``sampling`` with its defaults filled in, after checking every value (the command line calls this
    before loading a model).

    Raises:
        TypeError: an unknown option name.
        InputError: a value that is not a finite number in its range.
    """
    options: Sampling = {**SAMPLING_DEFAULTS, **sampling}
    unknown = set(options) - set(SAMPLING_DEFAULTS)
    if unknown:
        choices = list(SAMPLING_DEFAULTS)
        raise TypeError(f"unknown sampling options {sorted(unknown)}; choose from {choices}")
    return {
        "guidance": checks.number(options["guidance"], "guidance", minimum=0.0, maximum=100.0),
        "temperature": checks.number(options["temperature"], "temperature", minimum=0.0, maximum=100.0),
        "top_k": checks.integer(options["top_k"], "top_k (0 = no limit)", minimum=0),
        "seed": checks.integer(options["seed"], "seed", minimum=0, maximum=2**63 - 1),
        "batch": checks.integer(options["batch"], "batch", minimum=1, maximum=MAX_BATCH),
    }


def check_duration(duration_s: float | None, max_length_s: float = MAX_LENGTH_S) -> float | None:
    """``duration_s`` (None = the input's length) after checking it is a finite number of seconds in
    ``[MIN_DURATION_S, max_length_s]`` (the limit of :class:`Pipeline`, ``mumo generate --max-length``).

    Raises:
        InputError: naming the allowed range.
    """
    if duration_s is None:
        return None
    value = checks.number(duration_s, "duration (seconds)", minimum=MIN_DURATION_S)
    if value > max_length_s:
        raise InputError(f"duration {value:g} s is longer than the {max_length_s:g} s allowed")
    return value


def _split_progress(progress: Progress | None) -> tuple[Callable[[int, int], None], Progress | None]:
    """Callbacks for encoding (windows done, in all) and generating (fraction) that report one fraction to
    ``progress``: encoding its first :data:`ENCODING_SHARE`."""
    if progress is None:
        return (lambda done, total: None), None
    report = progress

    def encoding(done: int, total: int) -> None:
        report(ENCODING_SHARE * done / total)

    def generating(fraction: float) -> None:
        report(ENCODING_SHARE + (1 - ENCODING_SHARE) * fraction)

    return encoding, generating


def _seconds_used(
    length_s: float, duration_s: float | None, what: str, error: type[AudioError | MotionError]
) -> float:
    """Seconds of an input of ``length_s`` seconds to generate for: ``duration_s`` (default: all of it).

    Raises:
        error: ``duration_s`` beyond the input's end, or fewer than :data:`MIN_DURATION_S` seconds.
    """
    if duration_s is not None and duration_s > length_s + 1e-6:
        raise error(f"duration {duration_s:g} s is longer than the {what} ({length_s:.2f} s)")
    seconds = length_s if duration_s is None else duration_s
    if seconds < MIN_DURATION_S:
        raise error(f"{what} of {seconds:.2f} s is too short; give at least {MIN_DURATION_S:g} s")
    return seconds


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()

"""What generation needs, from a training checkpoint or from an inference bundle.

An inference bundle is a self-contained directory (``mumo bundle CHECKPOINT --out DIR``)::

    bundle.json          the generation settings the LM's config does not hold, and where it came from
    lm/                  the joint LM (config.json, with its attention layout, + model.safetensors)
    music_tokenizer/     the music codec
    motion_tokenizer/    the motion VQ-VAE

A training checkpoint (``RUN_DIR/epoch=N`` or a ``.ckpt`` file) works as well: its run's ``config.yaml``
names the token store, whose metadata names the two tokenizers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from mumo import checks
from mumo.config import load_config
from mumo.data.token_store import TokenStore
from mumo.errors import CheckpointError, InputError
from mumo.files import OutputFolder
from mumo.lm import MusicMotionLM
from mumo.tokenizers import EncodecTokenizer, MotionTokenizer, MusicTokenizer, load_tokenizer
from mumo.train.build import build_model
from mumo.train.checkpoints import model_state, read_checkpoint, resolve_checkpoint
from mumo.train.config import TrainConfig
from mumo.train.layout import BUILT_MODEL_CONFIG, RESOLVED_CONFIG
from mumo.weights import load_state_strict

BUNDLE_FILE = "bundle.json"
BUNDLE_FORMAT = "mumo-inference-bundle/2"
LM_DIR, MUSIC_DIR, MOTION_DIR = "lm", "music_tokenizer", "motion_tokenizer"
MusicCodec = MusicTokenizer | EncodecTokenizer


@dataclass(frozen=True)
class GenerationSettings:
    """How the model must be sampled, as it was trained, beyond what its config holds (the attention layout
    is ``model.config.layout``).

    Attributes:
        window_s: length of the training windows, seconds (longer outputs are generated window by window).
        source: the checkpoint the weights come from.
    """

    window_s: float
    source: str

    def __post_init__(self) -> None:
        checks.number(self.window_s, "window_s", minimum=0.1, maximum=3600.0)


@dataclass
class Components:
    """The LM, its two tokenizers and its generation settings."""

    model: MusicMotionLM
    music_tokenizer: MusicCodec
    motion_tokenizer: MotionTokenizer
    settings: GenerationSettings


def load_components(reference: str | Path) -> Components:
    """Open a bundle directory, ``RUN_DIR/epoch=N`` or a ``.ckpt`` file of a training run.

    Raises:
        CheckpointError: nothing usable there, weights that do not fit the model's config (listing the
            tensors), or tokenizers whose codebooks do not fit the LM.
    """
    path = Path(reference)
    if (path / BUNDLE_FILE).is_file():
        components = _from_bundle(path)
    elif path.is_dir():
        raise CheckpointError(
            f"{path}: no {BUNDLE_FILE} here; give an inference bundle, RUN_DIR/epoch=N or a .ckpt file"
        )
    else:
        components = _from_checkpoint(str(reference))
    _check_fit(components)
    return components


def save_bundle(components: Components, out: str | Path, overwrite: bool = False) -> Path:
    """Write ``components`` as an inference bundle at ``out`` (built beside it, then moved into place).

    Raises:
        InputError: ``out`` holds files and ``overwrite`` is false, or cannot be written.
    """
    out = Path(out)
    with OutputFolder(out, overwrite) as staging:
        components.model.save_pretrained(staging / LM_DIR)
        components.music_tokenizer.save(staging / MUSIC_DIR)
        components.motion_tokenizer.save(staging / MOTION_DIR)
        manifest = {"format": BUNDLE_FORMAT, **asdict(components.settings)}
        (staging / BUNDLE_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def _from_bundle(path: Path) -> Components:
    try:
        manifest = json.loads((path / BUNDLE_FILE).read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path / BUNDLE_FILE}: not valid JSON ({exc})") from None
    found = manifest.pop("format", None)
    if found != BUNDLE_FORMAT:
        raise CheckpointError(
            f"{path / BUNDLE_FILE}: format {found!r}, not {BUNDLE_FORMAT!r}; write the bundle again with "
            "this version (mumo bundle CHECKPOINT --out DIR)"
        )
    try:
        settings = GenerationSettings(**manifest)
    except (TypeError, InputError) as exc:
        raise CheckpointError(f"{path / BUNDLE_FILE}: {exc}") from None
    return Components(
        MusicMotionLM.from_pretrained(path / LM_DIR),
        _tokenizer(path / MUSIC_DIR, (MusicTokenizer, EncodecTokenizer), "music"),  # type: ignore[arg-type]
        _tokenizer(path / MOTION_DIR, (MotionTokenizer,), "motion"),  # type: ignore[arg-type]
        settings,
    )


def _from_checkpoint(reference: str) -> Components:

    checkpoint_path = resolve_checkpoint(reference)
    run_config = checkpoint_path.parent.parent / RESOLVED_CONFIG
    if not run_config.is_file():
        raise CheckpointError(
            f"{checkpoint_path}: no {run_config} beside its checkpoints folder, so the model's shape and "
            "tokenizers are unknown; use the checkpoint inside its run directory or an inference bundle"
        )
    config = load_config(run_config, TrainConfig)
    model = build_model(config.model)
    recorded = checkpoint_path.parent.parent / BUILT_MODEL_CONFIG
    if recorded.is_file() and json.loads(recorded.read_text()) != model.config.to_dict():
        raise CheckpointError(
            f"{recorded}: the run built an LM of {recorded.read_text()} but its config now builds "
            f"{model.config.to_dict()} (did the MusicGen directory change?)"
        )
    load_state_strict(model, model_state(read_checkpoint(checkpoint_path)), str(checkpoint_path))
    store = TokenStore(config.data.store)
    return Components(
        model,
        _tokenizer(Path(store.meta.music.directory), (MusicTokenizer, EncodecTokenizer), "music"),  # type: ignore[arg-type]
        _tokenizer(Path(store.meta.motion.directory), (MotionTokenizer,), "motion"),  # type: ignore[arg-type]
        GenerationSettings(config.data.window_s, str(checkpoint_path)),
    )


def _tokenizer(directory: Path, kinds: tuple[type, ...], role: str) -> object:
    tokenizer = load_tokenizer(directory)
    if not isinstance(tokenizer, kinds):
        raise CheckpointError(f"{directory}: holds a {type(tokenizer).__name__}, not a {role} tokenizer")
    return tokenizer.eval()  # type: ignore[attr-defined]


def _check_fit(components: Components) -> None:
    config = components.model.config
    for role, tokenizer in (("music", components.music_tokenizer), ("motion", components.motion_tokenizer)):
        if tokenizer.num_codebooks != config.num_codebooks or tokenizer.cardinality > config.cardinality:
            raise CheckpointError(
                f"the {role} tokenizer has {tokenizer.num_codebooks} codebooks x {tokenizer.cardinality} "
                f"codes but the LM reads {config.num_codebooks} x {config.cardinality}; pair the LM with the "
                "tokenizers of the token store it was trained on"
            )

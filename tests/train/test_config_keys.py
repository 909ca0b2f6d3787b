"""Every key a shipped training config sets is read by the code that trains and evaluates.

One tiny training run with periodic evaluation records which schema fields the code reads (reads made while
validating, copying or saving a config do not count); every key of every shipped stage config must be one
of them. A key that only the schema knows — like the published system's ``base_learning_rate``, which its
optimiser never read — fails here.
"""

import sys
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import pytest

from mumo.config import from_dict, read_yaml_tree
from mumo.data import TokenDataConfig
from mumo.lm.config import LMConfig
from mumo.lm.musicgen_import import random_musicgen
from mumo.train.config import ModelSection, OptimSection, StageSection, TrainConfig, TrainerSection
from mumo.train.evaluation_config import EvaluationSection
from mumo.train.run import train

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SHIPPED = sorted(
    [*(CONFIGS / "experiments").glob("*.yaml"), *(CONFIGS / "demo").glob("lm_stage*.yaml")],
    key=lambda p: p.name,
)
SCHEMAS = (TrainConfig, StageSection, OptimSection, TrainerSection, EvaluationSection, TokenDataConfig)
NOT_USES = {"__post_init__", "lm_config", "save_config", "to_dict"}
"""Functions whose reads validate, copy or save a config rather than use it."""


def _family(cls: type) -> str:
    return "LMConfig" if issubclass(cls, LMConfig) else cls.__name__


@contextmanager
def recorded_reads():
    """Yield the set of ``(schema, field)`` pairs read while the block runs."""
    reads: set[tuple[str, str]] = set()
    saved = {}
    for cls in (*SCHEMAS, LMConfig, ModelSection):
        names = {f.name for f in fields(cls)}

        def getattribute(self, name, _names=names):
            if name in _names:
                caller = sys._getframe(1)
                module = caller.f_globals.get("__name__", "")
                if caller.f_code.co_name not in NOT_USES and module not in (
                    "dataclasses",
                    "mumo.config.loader",
                ):
                    reads.add((_family(type(self)), name))
            return object.__getattribute__(self, name)

        saved[cls] = cls.__dict__.get("__getattribute__")
        cls.__getattribute__ = getattribute
    try:
        yield reads
    finally:
        for cls, original in saved.items():
            if original is None:
                del cls.__getattribute__
            else:
                cls.__getattribute__ = original


SECTIONS = {"data": TokenDataConfig, "model": ModelSection, "stage": StageSection, "optim": OptimSection,
            "trainer": TrainerSection, "evaluation": EvaluationSection}  # fmt: skip


def key_paths(tree: dict) -> list[tuple[str, tuple[str, str]]]:
    """``(key path, (schema family, field))`` of every key a config file sets."""
    out = []
    for key, value in tree.items():
        if key in SECTIONS:
            out += [(f"{key}.{name}", (_family(SECTIONS[key]), name)) for name in value]
        else:
            out.append((key, ("TrainConfig", key)))
    return out


@pytest.fixture(scope="module")
def tiny_musicgen(tmp_path_factory):
    """A random-weight whole MusicGen (T5, projection, decoder, codec) with its tokenizer, saved to a local
    directory, of the token store's codebooks."""
    directory = tmp_path_factory.mktemp("musicgen")
    shape = LMConfig(num_codebooks=4, cardinality=32, dim=32, num_heads=4, num_layers=1, ffn_dim=64)
    model, tokenizer = random_musicgen(shape)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def reads_of_stage(tmp_path_factory, store_with_dataset, tiny_t5, tiny_musicgen, fake_decoders):
    """``reads_of_stage(stage, suites, musicgen)``: the fields read by a tiny one-epoch run with that stage
    section and evaluation suites, starting from a local MusicGen directory or from a fresh LM with T5
    conditioning, with periodic evaluation and a resume (cached per arguments)."""
    cache: dict[str, set[tuple[str, str]]] = {}
    fresh = {"num_codebooks": 4, "cardinality": 32, "dim": 32, "num_heads": 4, "num_layers": 1, "ffn_dim": 64,
             "condition_dim": 32, "text_encoder": "t5", "t5_directory": str(tiny_t5)}  # fmt: skip

    def run(stage: dict, suites: list[str], musicgen: bool) -> set[tuple[str, str]]:
        key = repr((stage, suites, musicgen))
        if key in cache:
            return cache[key]
        run_dir = tmp_path_factory.mktemp("keys") / "run"
        config = {
            "run_dir": str(run_dir),
            "data": {"store": str(store_with_dataset.root), "window_s": 0.4, "batch_size": 4},
            "model": {"musicgen_directory": str(tiny_musicgen), "dropout": 0.1} if musicgen else fresh,
            "stage": stage,
            "optim": {"warmup_steps": 1, "total_steps": 10},
            "trainer": {"max_epochs": 1, "accelerator": "cpu", "limit_train_batches": 2,
                        "limit_val_batches": 1, "progress_bar": False},
            "evaluation": {"every_n_epochs": 1, "suites": suites, "num_clips": 2, "clip_s": 1.0,
                           "render_samples": 0, "bootstrap": 2},
        }  # fmt: skip
        with recorded_reads() as found:
            train(from_dict(TrainConfig, config), decoders=fake_decoders)
            config["trainer"]["max_epochs"] = 2
            config["resume"] = f"{run_dir}/epoch=1"
            train(from_dict(TrainConfig, config), decoders=fake_decoders)
        cache[key] = found
        return found

    return run


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_key_of_a_shipped_config_is_read(path, reads_of_stage):
    tree = read_yaml_tree(path)
    config = from_dict(TrainConfig, tree)
    reads = reads_of_stage(
        tree.get("stage", {}), config.evaluation.suites, bool(config.model.musicgen_directory)
    )
    unread = [key for key, field in key_paths(tree) if field not in reads]
    assert not unread, f"{path.name}: keys nothing reads in this stage: {unread}"


def test_the_recorder_sees_a_key_nothing_reads():
    with recorded_reads() as found:
        section = OptimSection()
        _ = section.learning_rate
    assert ("OptimSection", "learning_rate") in found
    assert ("OptimSection", "eps") not in found

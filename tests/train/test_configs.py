from pathlib import Path

import pytest
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.config import load_config
from mumo.errors import ConfigError
from mumo.lm.tasks import Layout
from mumo.train.build import build_model
from mumo.train.config import TrainConfig, global_batch

EXPERIMENTS = sorted(
    Path(__file__).resolve().parents[2].joinpath("configs", "experiments").glob("attempt*.yaml")
)


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_experiment_configs_load_and_say_what_they_are(path):
    config = load_config(path, TrainConfig)
    assert path.read_text().startswith("# Attempt")
    assert config.run_dir.endswith(path.stem)


def test_the_published_and_logged_settings():
    configs = {path.stem: load_config(path, TrainConfig) for path in EXPERIMENTS}
    for name, config in configs.items():
        assert config.model.musicgen_directory, name
        assert global_batch(config) == 144, name  # 3 per GPU x 48 GPUs
        assert config.optim.learning_rate == pytest.approx(1e-5 if name == "attempt3_2_stage1" else 5e-5)
        evaluation = config.evaluation
        assert (evaluation.every_n_epochs, evaluation.guidance_scales, evaluation.clip_s) == (3, [4.0], 5.0)
    first, second = configs["attempt3_1_stage1"], configs["attempt3_2_stage1"]
    for stage1 in (first, second):
        assert stage1.stage.tasks == {"music2motion": 1.0}
        assert stage1.stage.freeze == "motion_only"
        assert stage1.evaluation.suites == ["dance"]
        assert {19, 22} <= set(stage1.trainer.checkpoint_epochs)  # the log's e18 and e21
    assert first.model.layout is Layout.GIVEN_FULL
    assert second.model.layout is Layout.CAUSAL
    assert first.stage.motion_weight == pytest.approx(0.1)
    assert second.stage.motion_weight == 1.0
    for name in ("attempt3_2_stage2", "attempt3_2_2_stage2", "attempt3_3_stage2"):
        stage2 = configs[name]
        assert set(stage2.stage.tasks) == {"joint", "music2motion", "motion2music"}
        assert stage2.stage.freeze == "all_but_text_encoder"
        assert stage2.stage.music_weight == pytest.approx(0.9)  # (1 - w) CE_music + w CE_motion, w = 0.1
        assert stage2.stage.motion_weight == pytest.approx(0.1)
        assert stage2.evaluation.suites == ["dance", "music"]
        assert stage2.evaluation.music_task in stage2.stage.tasks
        assert stage2.evaluation.music_clip_s == 10.0
    # the log's eN is mumo's epoch=N+1: stage 2 starts from e21, 3.2.2 and 3.3 from e18
    assert configs["attempt3_2_stage2"].init_from.endswith(f"epoch={21 + 1}")
    assert configs["attempt3_2_2_stage2"].init_from.endswith(f"epoch={18 + 1}")
    assert configs["attempt3_3_stage2"].data.store != configs["attempt3_2_stage2"].data.store
    for path in EXPERIMENTS:  # every value set is sourced in a comment
        for line in path.read_text().splitlines()[1:]:
            key, _, value = line.partition(":")
            if value.strip() and key.strip() not in ("extends", "run_dir"):
                assert "#" in value, f"{path.name}: {line!r} says not where it comes from"


def test_a_stage_evaluates_music_only_with_a_task_it_trains(tmp_path):
    stage2 = load_config(EXPERIMENTS[0].parent / "attempt3_2_stage2.yaml", TrainConfig)
    with pytest.raises(ConfigError, match="not a task this stage trains"):
        load_config(
            EXPERIMENTS[0].parent / "attempt3_1_stage1.yaml", TrainConfig, ["evaluation.suites=[dance,music]"]
        )
    assert stage2.evaluation.music_task == "joint"


@pytest.mark.parametrize(("recipe", "name", "layout", "lookahead", "batch", "temperature"), [
    ("demo", "lm_stage1", Layout.GIVEN_FULL, True, 4, 0.6),
    ("demo", "lm_stage2", Layout.GIVEN_FULL, True, 4, 0.6),
    ("quality", "lm_stage1", Layout.GIVEN_FULL, False, 8, 1.0),  # as measured in docs/quality.md
    ("quality", "lm_stage2", Layout.CAUSAL, False, 8, 1.0),
])  # fmt: skip
def test_demo_and_quality_lm_configs_load(recipe, name, layout, lookahead, batch, temperature):
    config = load_config(EXPERIMENTS[0].parents[1] / recipe / f"{name}.yaml", TrainConfig)
    assert config.trainer.accelerator == "cpu"
    assert config.evaluation.every_n_epochs > 0
    assert config.data.batch_size == batch
    assert config.evaluation.temperature == temperature
    model = build_model(config.model)
    assert model.config.layout is layout
    assert model.config.context_lookahead is lookahead
    assert model.music_context is not None
    assert model.motion_context is not None


def test_the_layout_is_a_model_setting_and_the_old_stage_key_says_so():
    stage1 = EXPERIMENTS[0].parents[1] / "demo" / "lm_stage1.yaml"
    with pytest.raises(ConfigError, match=r"'stage\.full_music_context' is no longer a .*model\.layout"):
        load_config(stage1, TrainConfig, ["stage.full_music_context=true"])
    with pytest.raises(ConfigError, match=r"model\.layout: 'sideways' is not one of \['causal', 'given_"):
        load_config(stage1, TrainConfig, ["model.layout=sideways"])


def test_the_layout_reaches_a_model_imported_from_musicgen(tmp_path):
    decoder = MusicgenForCausalLM(
        MusicgenDecoderConfig(
            vocab_size=32, max_position_embeddings=64, num_hidden_layers=1, ffn_dim=32, num_attention_heads=2,
            hidden_size=16, num_codebooks=2, pad_token_id=32, bos_token_id=32,
        )
    )  # fmt: skip
    decoder.save_pretrained(tmp_path / "musicgen")
    base = EXPERIMENTS[0].parent / "base.yaml"
    overrides = [f"model.musicgen_directory={tmp_path / 'musicgen'}", "model.layout=given_full"]
    config = load_config(base, TrainConfig, overrides)
    assert build_model(config.model).config.layout is Layout.GIVEN_FULL


@pytest.mark.parametrize("override", ["model.dim=64", "model.text_encoder=t5", "model.t5_directory=t5"])
def test_model_keys_the_musicgen_import_does_not_read_fail_at_load_time(override):
    with pytest.raises(ConfigError, match=r"taken from model\.musicgen_directory"):
        load_config(EXPERIMENTS[0].parent / "base.yaml", TrainConfig, [override])

import warnings
from dataclasses import replace

import pytest
import torch

from mumo.lm import DEBUG_CONFIG, MusicMotionLM
from mumo.lm.tasks import Layout
from mumo.metrics.dance import ZeroVarianceWarning
from mumo.train import evaluation
from mumo.train.evaluation import evaluate_model
from mumo.train.evaluation_config import EvaluationSection
from mumo.train.metrics_log import read_records


@pytest.mark.slow
def test_evaluation_writes_one_record_per_suite_scale_and_seed(
    tmp_path, store_with_dataset, fake_decoders, monkeypatch
):
    calls, original = [], evaluation.generate

    def spy(model, task, **kwargs):
        calls.append((task, model.config.layout, kwargs))
        return original(model, task, **kwargs)

    monkeypatch.setattr(evaluation, "generate", spy)
    torch.manual_seed(0)
    model = MusicMotionLM(replace(DEBUG_CONFIG, layout=Layout.GIVEN_FULL))
    section = EvaluationSection(
        every_n_epochs=1, suites=["dance", "music"], guidance_scales=[1.0, 4.0], seeds=[0, 1], split="val",
        music_from_dance=True,
        num_clips=3, clip_s=2.0, bootstrap=5, render_samples=1,
    )  # fmt: skip
    records = evaluate_model(model, store_with_dataset, fake_decoders, section, epoch=3, run_dir=tmp_path)
    assert len(records) == 2 * 2 * 2
    assert read_records(tmp_path) == records
    dance = next(r for r in records if r.suite == "dance")
    for key in ("fid_k", "fid_m", "div_k", "beat_align", "beat_align_shuffled", "jitter_m_s3", "music_gap"):
        assert isinstance(dance.metrics[key], float), key
    for key in ("style_accuracy", "style_accuracy_gt"):  # the fixture's dataset labels styles
        assert 0.0 <= dance.metrics[key] <= 1.0, key
    assert 0.0 <= dance.metrics["motion_accuracy_cb0"] <= 1.0
    assert dance.metrics["fid_k_ci95_low"] <= dance.metrics["fid_k_ci95_high"]
    music = next(r for r in records if r.suite == "music")
    assert isinstance(music.metrics["fd_melstat"], float)
    assert music.metrics["frechet_distance"] is None
    assert 0.0 <= music.metrics["music_beat_align"] <= 1.0
    assert 0.0 <= music.metrics["music_beat_align_shuffled"] <= 1.0
    music_calls = [kwargs for task, _, kwargs in calls if task == "motion2music"]
    assert len(music_calls) == 4
    own, shuffled = music_calls[0]["motion_codes"].chunk(2)
    assert torch.equal(shuffled, own.roll(1, dims=0))
    videos = sorted(p.name for p in (tmp_path / "samples").glob("*.mp4"))
    assert len(videos) == 2 * 2  # one per (scale, seed)
    assert videos[-1].startswith("epoch=3_gs4_seed1_")
    assert model.training
    dance_calls = [(layout, kwargs) for task, layout, kwargs in calls if task == "music2motion"]
    assert len(dance_calls) == 4
    for layout, kwargs in dance_calls:  # sampled with the training layout; second half: other clips' music
        assert layout is Layout.GIVEN_FULL
        own, shuffled = kwargs["music_codes"].chunk(2)
        assert torch.equal(shuffled, own.roll(1, dims=0))
        assert not torch.equal(shuffled, own)


def test_blow_up_warnings_become_notes_and_others_pass_through():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(ZeroVarianceWarning("m", [4, 5]), stacklevel=1)
        warnings.warn("something else", UserWarning, stacklevel=1)
    assert len(caught) == 2
    with pytest.warns(UserWarning, match="something else"):
        notes = evaluation._blow_up_notes(caught)
    assert set(notes) == {"fid_m", "div_m"}
    assert notes["fid_m"].startswith("normalisation blow-up: manual feature dimensions")

import json
import warnings
from dataclasses import asdict, replace

import pytest
import torch

from mumo.data.adapters.musiccaps import MusicPrompt
from mumo.errors import DataError
from mumo.lm import DEBUG_CONFIG, MusicMotionLM
from mumo.lm.tasks import Layout
from mumo.metrics.dance import ZeroVarianceWarning
from mumo.train import evaluation
from mumo.train.callbacks import PeriodicEvaluation
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
    assert isinstance(music.metrics["dance_gap"], float)
    assert 0.0 <= music.metrics["music_accuracy_cb0"] <= 1.0
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


def write_prompts(path, captions):
    """A ``prompts.jsonl`` as ``mumo prepare musiccaps`` writes it, one prompt per caption."""
    prompts = [
        MusicPrompt(f"yt{i}_0", caption, ("aspect",), 10.0, False) for i, caption in enumerate(captions)
    ]
    path.write_text("".join(json.dumps(asdict(p)) + "\n" for p in prompts))
    return path


@pytest.mark.slow
def test_music_suite_generates_from_a_prompt_set(tmp_path, store_with_dataset, fake_decoders, monkeypatch):
    calls, original = [], evaluation.generate

    def spy(model, task, **kwargs):
        calls.append((task, kwargs))
        return original(model, task, **kwargs)

    monkeypatch.setattr(evaluation, "generate", spy)
    captions = ["An upbeat drum groove.", "A calm piano piece.", "Distorted guitars, fast.", "Not evaluated."]
    prompts = write_prompts(tmp_path / "prompts.jsonl", captions)
    torch.manual_seed(0)
    section = EvaluationSection(
        suites=["music"], guidance_scales=[1.0], seeds=[0], split="val", num_clips=3, clip_s=2.0,
        music_clip_s=1.0, music_prompts=str(prompts),
    )  # fmt: skip
    [record] = evaluate_model(
        MusicMotionLM(DEBUG_CONFIG), store_with_dataset, fake_decoders, section, 1, tmp_path
    )
    [(task, kwargs)] = calls
    assert task == "joint"
    assert kwargs["music_descriptions"] == captions[:3]  # the first num_clips prompts, in file order
    assert kwargs["motion_descriptions"] is None  # no dance description
    assert kwargs["num_frames"] == 50  # music_clip_s at 50 Hz
    assert isinstance(record.metrics["fd_melstat"], float)
    assert "as a pool" in record.notes["fd_melstat"]
    assert str(prompts) in record.notes["fd_melstat"]
    assert record.metrics["kl_melstat"] is None
    assert record.notes["kl_melstat"].startswith("not computed: it pairs each generated clip")
    assert read_records(tmp_path) == [record]


def test_a_bad_prompt_file_fails_before_anything_is_generated(
    tmp_path, tiny_store, fake_decoders, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("generated despite a bad prompt file")

    monkeypatch.setattr(evaluation, "generate", refuse)
    model = MusicMotionLM(DEBUG_CONFIG)
    malformed = tmp_path / "malformed.jsonl"
    malformed.write_text('{"prompt_id": "a", "caption": "x"\n')
    one = write_prompts(tmp_path / "one.jsonl", ["A lone prompt."])
    cases = {
        tmp_path / "absent.jsonl": "not found; create it with `mumo prepare musiccaps`",
        malformed: r"malformed\.jsonl:1: malformed prompt",
        one: r"1 prompt\(s\); the music suite needs at least 2",
    }
    for path, message in cases.items():
        section = EvaluationSection(every_n_epochs=1, suites=["dance", "music"], music_prompts=str(path))
        with pytest.raises(DataError, match=message):
            evaluate_model(model, tiny_store, fake_decoders, section, 1, tmp_path)
        with pytest.raises(DataError, match=message):  # `mumo train`: before the first epoch
            PeriodicEvaluation(section, tiny_store, fake_decoders, tmp_path, "stage")
    assert not (tmp_path / "metrics.jsonl").exists()
    dance_only = EvaluationSection(suites=["dance"], music_prompts=str(tmp_path / "absent.jsonl"))
    assert evaluation.music_prompts(dance_only) is None  # not read when the music suite does not run

import csv

import pytest

from mumo.data.adapters.musiccaps import MusicPrompt, prepare_musiccaps, read_prompts
from mumo.errors import DataError

COLUMNS = [
    "ytid",
    "start_s",
    "end_s",
    "audioset_positive_labels",
    "aspect_list",
    "caption",
    "author_id",
    "is_balanced_subset",
    "is_audioset_eval",
]


def write_csv(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def test_captions_become_a_prompt_set(tmp_path):
    rows = [
        [
            "abc",
            "30",
            "40",
            "/m/0",
            "['upbeat', 'drums, loud']",
            "An upbeat drum groove.",
            "1",
            "False",
            "True",
        ],
        ["def", "0", "10", "/m/1", "[]", "A calm piano piece.", "2", "True", "False"],
        ["ghi", "10", "10", "/m/2", "[]", "Zero length.", "3", "False", "False"],
        ["jkl", "0", "10", "/m/3", "[]", "  ", "4", "False", "False"],
        ["mno", "0", "10", "/m/4", "['unclosed", "Bad aspects.", "5", "False", "False"],
    ]
    write_csv(tmp_path / "musiccaps-public.csv", rows)
    report = prepare_musiccaps(tmp_path / "musiccaps-public.csv", tmp_path / "out")
    assert (report.read, report.written, len(report.skipped)) == (5, 2, 3)
    reasons = dict(report.skipped)
    assert "not after" in reasons["ghi"]
    assert "empty caption" in reasons["jkl"]
    assert "aspect_list" in reasons["mno"]
    prompts = read_prompts(tmp_path / "out" / "prompts.jsonl")
    assert prompts[0] == MusicPrompt(
        "abc_30", "An upbeat drum groove.", ("upbeat", "drums, loud"), 10.0, True
    )
    assert prompts[1].audioset_eval is False


def test_missing_inputs_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        prepare_musiccaps(tmp_path / "none.csv", tmp_path / "out")
    with pytest.raises(DataError, match="musiccaps"):
        read_prompts(tmp_path / "prompts.jsonl")


def test_prompts_need_a_caption_and_a_unique_id(tmp_path):
    line = '{"prompt_id": "%s", "caption": "%s", "aspects": [], "duration_s": 10.0, "audioset_eval": false}\n'
    empty = tmp_path / "empty.jsonl"
    empty.write_text(line % ("a_0", "A groove.") + line % ("b_0", "  "))
    with pytest.raises(DataError, match=r"empty\.jsonl:2: malformed prompt \(empty caption\)"):
        read_prompts(empty)
    twice = tmp_path / "twice.jsonl"
    twice.write_text(line % ("a_0", "A groove.") + "\n" + line % ("a_0", "Another."))
    with pytest.raises(DataError, match=r"twice\.jsonl:3: prompt id 'a_0' appears twice"):
        read_prompts(twice)

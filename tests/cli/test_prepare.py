import json

from mumo.cli.main import main
from mumo.data.adapters.aistpp_lists import SHIPPED, read_name_list

from ..data.adapter_fixtures import coco17_from_smpl24, smpl24_dance, write_keypoint_pickle, write_tone


def test_prepare_musiccaps_writes_prompts_and_summary(tmp_path, capsys):
    csv_path = tmp_path / "musiccaps-public.csv"
    csv_path.write_text(
        "ytid,start_s,end_s,audioset_positive_labels,aspect_list,caption,author_id,is_balanced_subset,"
        "is_audioset_eval\n"
        "a1,0,10,/m/0,\"['calm']\",A calm piano piece.,1,False,True\n"
        "b2,5,5,/m/0,[],Zero length.,1,False,False\n"
    )
    assert main(["prepare", "musiccaps", "--csv", str(csv_path), "--out", str(tmp_path / "out")]) == 0
    output = capsys.readouterr().out
    assert "read 2, written 1, skipped 1" in output
    assert "skipped b2" in output
    prompts = [json.loads(line) for line in (tmp_path / "out" / "prompts.jsonl").read_text().splitlines()]
    assert [p["prompt_id"] for p in prompts] == ["a1_0"]


def test_prepare_without_input_is_a_one_line_error(tmp_path, capsys):
    assert main(["prepare", "humanml3d", "--root", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "split list" in capsys.readouterr().err


def test_prepare_aistpp_from_keypoints_needs_no_smpl_model(tmp_path, capsys):
    name = read_name_list(SHIPPED / "crossmodal_test.txt")[0]
    write_keypoint_pickle(tmp_path / "keypoints3d" / f"{name}.pkl", coco17_from_smpl24(smpl24_dance(90, 0)))
    write_tone(tmp_path / "wav" / f"{name.split('_')[4]}.wav", 2.0)
    args = ["prepare", "aistpp", "--root", str(tmp_path), "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "--joints-from keypoints3d" in capsys.readouterr().err
    assert main([*args, "--joints-from", "keypoints3d"]) == 0
    output = capsys.readouterr().out
    assert "read 1, written 1, skipped 0" in output
    assert "crossmodal_test.txt: mumo's copy" in output
    assert "crossmodal_val.txt: not found, so no val clips" in output

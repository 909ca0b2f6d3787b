"""`mumo serve` driven in a real headless Chromium: a dance for an uploaded song, its BVH downloaded, then a
corrupt upload. ``MUMO_SCREENSHOT=docs/images/serve.png`` also copies the screenshot of the finished page
there (the README's)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect, sync_playwright

from mumo.audio import save as save_audio
from mumo.motion import read_bvh_smpl22
from mumo.pipeline import save_bundle

from ..pipeline.conftest import synthetic_song, tiny_components

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)"
    ),
]
START_S = 90.0
"""Longest wait for the server to answer, seconds (it imports torch and the web framework first)."""
STOP_S = 30.0
"""Longest wait for the server to stop after Ctrl-C, seconds."""


def _ignore_ctrl_c() -> None:
    """Start the server with SIGINT ignored, as a background job of a script starts it: Ctrl-C must still stop
    it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    """URL of `mumo serve` with a tiny random model on a free loopback port; stopped (Ctrl-C) afterwards, when
    its temporary folder must be gone."""
    bundle = save_bundle(tiny_components(), tmp_path / "bundle")
    temp = tmp_path / "server_tmp"
    temp.mkdir()
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mumo.cli.main", "serve", "--checkpoint", str(bundle), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(temp)},
        preexec_fn=_ignore_ctrl_c,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while not _answers(url):
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.5)
        yield url
        assert process.poll() is None, "the server stopped serving"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=STOP_S) == 0, (tmp_path / "server.log").read_text()
        assert not list(temp.glob("mumo-serve-*"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_a_dance_for_an_uploaded_song_then_a_corrupt_upload(server, tmp_path):
    song = save_audio(tmp_path / "song.wav", synthetic_song(1.5), 32_000)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 20)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
            page.goto(server)
            page.locator("#dance-song input[type=file]").set_input_files(song)
            page.get_by_label("motion description").fill("a house dance")
            page.locator("#dance-generate").click()
            page.wait_for_function(
                "() => { const v = document.querySelector('#dance-video video');"
                " return v !== null && v.readyState >= 1 && v.duration > 0; }",
                timeout=45_000,
            )
            duration = page.locator("#dance-video video").evaluate("v => v.duration")
            assert duration == pytest.approx(1.5, abs=0.1)
            command = page.locator("#dance-command textarea")
            expect(command).to_have_value(
                re.compile(r"^mumo generate .* --music song\.wav --motion-text 'a house dance' ")
            )
            with page.expect_download() as download:
                page.locator("#dance-bvh").click()
            download.value.save_as(tmp_path / "downloaded.bvh")
            joints, fps = read_bvh_smpl22(tmp_path / "downloaded.bvh")
            assert (joints.shape, fps) == ((90, 22, 3), 60.0)
            page.screenshot(path=tmp_path / "serve.png", full_page=True)
            if os.environ.get("MUMO_SCREENSHOT"):
                shutil.copyfile(tmp_path / "serve.png", os.environ["MUMO_SCREENSHOT"])

            page.locator("#dance-song").get_by_label("Clear").click()
            page.locator("#dance-song input[type=file]").set_input_files(corrupt)
            page.locator("#dance-generate").click()
            expect(page.get_by_text("corrupt.wav: not a readable audio file")).to_be_visible(timeout=20_000)
        finally:
            browser.close()
    assert _answers(server)
    assert (tmp_path / "serve.png").stat().st_size > 10_000

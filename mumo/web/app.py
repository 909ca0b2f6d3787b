"""The web page (Gradio): one tab per job of :mod:`mumo.web.jobs`, served from one loaded model.

Requests wait in a bounded queue and generate one at a time; a user's mistake
(:class:`~mumo.errors.MumoError`) is shown on the page as one line and the server goes on serving.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from mumo.errors import MumoError
from mumo.motion.io import DANCE_SUFFIXES
from mumo.web.inputs import SONG_SUFFIXES
from mumo.web.jobs import Generated, Jobs, Limits, Progress
from mumo.web.settings import Settings

MEGABYTE = 1_000_000
"""Bytes in the megabyte of :attr:`Limits.max_upload_mb`."""
JOBS = "generate"
"""Queue shared by the three jobs' buttons, so that one generation runs at a time."""
PROGRESS = gr.Progress()
"""Default of the handlers' ``progress`` argument, through which the framework passes the progress bar."""
Shown = tuple[str | gr.DownloadButton, ...]
"""What a handler puts into its outputs: file paths, download buttons and the command."""


def build_app(jobs: Jobs, clips: dict[str, Path]) -> gr.Blocks:
    """The page: a tab per job; ``clips`` (label → song) are the held-out demo songs to pick from."""
    with gr.Blocks(title="mumo", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        gr.Markdown(
            "# mumo\nA dance for a song, music for a dance, or both together, from the model "
            f"`{jobs.checkpoint}`."
        )
        with gr.Tab("music → dance"):
            _dance_tab(jobs, clips)
        with gr.Tab("dance → music"):
            _music_tab(jobs)
        with gr.Tab("music + dance"):
            _joint_tab(jobs)
    return app


def start(jobs: Jobs, clips: dict[str, Path], host: str, port: int) -> gr.Blocks:
    """Serve the page on ``host``:``port`` in the background; ``block_thread()`` on the result waits until
    Ctrl-C, ``close()`` stops it.

    Raises:
        MumoError: the port is taken.
    """
    app = build_app(jobs, clips)
    app.queue(max_size=jobs.limits.queue_size, default_concurrency_limit=1)
    try:
        app.launch(
            server_name=host, server_port=port, share=False, ssr_mode=False, mcp_server=False, pwa=False,
            max_file_size=int(jobs.limits.max_upload_mb * MEGABYTE), allowed_paths=[str(jobs.workspace.root)],
            prevent_thread_lock=True, quiet=True,
        )  # fmt: skip
    except OSError as exc:
        raise MumoError(f"cannot serve on {host}:{port} ({exc}); choose another --port") from None
    return app


def _dance_tab(jobs: Jobs, clips: dict[str, Path]) -> None:
    with gr.Row():
        with gr.Column():
            song = gr.File(
                label="song (WAV, MP3, OGG, FLAC)", file_types=list(SONG_SUFFIXES), elem_id="dance-song"
            )
            clip = gr.Dropdown(list(clips), value=None, label="or a held-out demo song", visible=bool(clips))
            text = gr.Textbox(label="motion description", placeholder="a house dance")
            settings = _settings_inputs(jobs.limits, "the whole song")
            button = gr.Button("generate", variant="primary", elem_id="dance-generate")
        with gr.Column():
            video = gr.Video(label="the dance with the song", elem_id="dance-video")
            sheet = gr.Image(label="contact sheet", type="filepath")
            with gr.Row():
                bvh = _download("BVH", "dance-bvh")
                joints = _download("joints .npy", "dance-npy")
                mp4 = _download("MP4", "dance-mp4")
            command = _command_output("dance-command")
    song.upload(lambda: None, outputs=clip)
    clip.input(lambda: None, outputs=song)

    def generate(
        upload: str | None, picked: str | None, motion_text: str, *values: float, progress=PROGRESS
    ) -> Shown:
        path = _given(upload or clips.get(picked or ""), "give a song: upload one or pick a demo song")
        out = _run(lambda report: jobs.dance(path, motion_text, _settings(*values), report), progress)
        return str(out.video), str(out.contact_sheet), *_enabled(out.bvh, out.joints, out.video), out.command

    outputs = [video, sheet, bvh, joints, mp4, command]
    button.click(generate, [song, clip, text, *settings], outputs, concurrency_id=JOBS)


def _music_tab(jobs: Jobs) -> None:
    with gr.Row():
        with gr.Column():
            dance = gr.File(
                label="dance (BVH or joints .npy)", file_types=list(DANCE_SUFFIXES), elem_id="music-dance"
            )
            fps = gr.Number(60, label="frame rate of a .npy, fps")
            text = gr.Textbox(label="music description", placeholder="a funk track")
            settings = _settings_inputs(jobs.limits, "the whole dance")
            button = gr.Button("generate", variant="primary", elem_id="music-generate")
        with gr.Column():
            audio = gr.Audio(label="the music", type="filepath", elem_id="music-audio")
            video = gr.Video(label="the dance with the music", elem_id="music-video")
            with gr.Row():
                wav = _download("WAV", "music-wav")
                mp4 = _download("MP4", "music-mp4")
            command = _command_output("music-command")

    def generate(
        upload: str | None, rate: float | None, music_text: str, *values: float, progress=PROGRESS
    ) -> Shown:
        path = _given(upload, "give a dance: upload a BVH or a joints .npy")
        settings = _settings(*values)
        out = _run(lambda report: jobs.music(path, music_text, settings, rate or 60.0, report), progress)
        return str(out.music), str(out.video), *_enabled(out.music, out.video), out.command

    outputs = [audio, video, wav, mp4, command]
    button.click(generate, [dance, fps, text, *settings], outputs, concurrency_id=JOBS)


def _joint_tab(jobs: Jobs) -> None:
    with gr.Row():
        with gr.Column():
            music_text = gr.Textbox(label="music description", placeholder="a house track")
            motion_text = gr.Textbox(label="motion description", placeholder="a house dance")
            settings = _settings_inputs(jobs.limits, None)
            button = gr.Button("generate", variant="primary", elem_id="joint-generate")
        with gr.Column():
            video = gr.Video(label="the dance with the music", elem_id="joint-video")
            with gr.Row():
                mp4 = _download("MP4", "joint-mp4")
                wav = _download("WAV", "joint-wav")
                bvh = _download("BVH", "joint-bvh")
            command = _command_output("joint-command")

    def generate(music: str, motion: str, *values: float, progress=PROGRESS) -> Shown:
        out = _run(lambda report: jobs.joint(music, motion, _settings(*values), report), progress)
        return str(out.video), *_enabled(out.video, out.music, out.bvh), out.command

    outputs = [video, mp4, wav, bvh, command]
    button.click(generate, [music_text, motion_text, *settings], outputs, concurrency_id=JOBS)


def _settings_inputs(limits: Limits, whole: str | None) -> list[gr.components.Component]:
    """Guidance, temperature, seed and duration inputs (``whole``: what a duration of 0 means; ``None``
    for a duration that must be given)."""
    duration_label = f"duration, s (up to {limits.max_seconds:g})"
    with gr.Row():
        guidance = gr.Slider(1.0, 10.0, value=4.0, step=0.5, label="guidance")
        temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="temperature (0: greedy)")
    with gr.Row():
        seed = gr.Number(0, precision=0, label="seed")
        if whole is None:
            duration = gr.Number(10, label=duration_label)
        else:
            duration = gr.Number(0, label=f"{duration_label}; 0: {whole}")
    return [guidance, temperature, seed, duration]


def _settings(guidance: float, temperature: float, seed: float | None, duration: float | None) -> Settings:
    """The settings of the page's inputs (an empty seed is seed 0; an empty or zero duration: the whole
    input)."""
    return Settings(float(guidance), float(temperature), int(seed or 0), duration)


def _given(path: str | Path | None, missing: str) -> Path:
    """``path`` of an input the user must give; the page says ``missing`` when it is ``None``."""
    if path is None:
        raise _page_error(missing)
    return Path(path)


def _download(label: str, elem_id: str) -> gr.DownloadButton:
    """A download button, disabled until a result is there."""
    return gr.DownloadButton(label, interactive=False, elem_id=elem_id)


def _enabled(*paths: Path) -> list[gr.DownloadButton]:
    """Updates of download buttons to ``paths``, enabled."""
    return [gr.DownloadButton(value=str(path), interactive=True) for path in paths]


def _command_output(elem_id: str) -> gr.Textbox:
    return gr.Textbox(
        label="the same from the command line", lines=2, interactive=False, buttons=["copy"], elem_id=elem_id
    )


def _run(job: Callable[[Progress], Generated], progress: gr.Progress) -> Generated:
    """Run ``job`` with its progress on the page; a user's mistake becomes the page's error message."""
    try:
        return job(_reporter(progress))
    except MumoError as exc:
        raise _page_error(str(exc)) from None


def _page_error(message: str) -> gr.Error:
    """An error the page shows as ``message`` (as text) until the user closes it."""
    return gr.Error(html.escape(message), duration=None, print_exception=False)


def _reporter(progress: gr.Progress) -> Progress:
    """A :data:`~mumo.web.jobs.Progress` that updates the page once per percent (not once per step)."""
    shown = {"stage": "", "percent": -1}

    def report(fraction: float, stage: str) -> None:
        percent = int(fraction * 100)
        if stage != shown["stage"] or percent != shown["percent"]:
            shown.update(stage=stage, percent=percent)
            progress(fraction, desc=stage)

    return report

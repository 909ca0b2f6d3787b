import numpy as np
import pytest

from mumo.data.token_store import TokenItem, TokenizerInfo, TokenStoreWriter, new_store_meta

K, CARD = 4, 32


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory):
    """A token store of 12 short clips with K = 4 codebooks of 32 codes for both streams."""
    root = tmp_path_factory.mktemp("store")
    info = TokenizerInfo(
        directory="/none", config_sha256="0" * 64, frame_rate=50.0, num_codebooks=K, cardinality=CARD
    )
    rng = np.random.default_rng(0)
    with TokenStoreWriter(root, new_store_meta(info, info)) as writer:
        for i in range(12):
            frames = 40
            music = rng.integers(0, CARD, (K, frames))
            writer.add(
                TokenItem(
                    clip_id=f"c{i}", split="val" if i >= 10 else "train", music_codes=music,
                    motion_codes=(music + 1) % CARD, music_text=f"song {i % 3}", motion_text=f"dance {i % 2}",
                    duration_s=frames / 50.0, style="",
                )
            )  # fmt: skip
    return root

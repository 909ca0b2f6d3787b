"""The embedded synthetic dataset: procedural music in four styles and beat-locked dances."""

from mumo.data.synthetic.build import build_synthetic_dataset

__all__ = ["build_synthetic_dataset"]

"""Evaluation metrics: dance (features, FID, diversity, beat alignment) and music."""

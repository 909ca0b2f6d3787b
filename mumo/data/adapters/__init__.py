"""Adapters from public datasets (AIST++, HumanML3D, Music4All, MusicCaps) to mumo's dataset layout.

Each adapter validates every input item; a missing file, corrupt pickle, NaN values or a wrong frame
count is recorded in the output's ``report.json`` with its reason and the item is skipped.
"""

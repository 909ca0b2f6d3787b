"""The web page of ``mumo serve``: music → dance, dance → music and joint generation in a browser.

:mod:`mumo.web.jobs` does the work as plain functions of files (no web framework), :mod:`mumo.web.app` builds
the page around them (Gradio), :mod:`mumo.web.workspace` owns the temporary folder every file goes to.
"""

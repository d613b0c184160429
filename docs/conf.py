"""Sphinx configuration of the identkit documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_tools"))

project = "identkit"
author = "identkit developers"
copyright = "2026, identkit developers"
release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "numpydoc",
]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_tools", "conftest.py", "Thumbs.db", ".DS_Store"]
html_theme = "furo"
html_title = "identkit"
html_static_path = ["_static"]
html_css_files = ["identkit.css"]
numpydoc_show_class_members = False
autosummary_generate = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"
suppress_warnings = ["myst.xref_missing"]
nitpicky = False


def _figures(app):
    from figures import make_figures

    make_figures(os.path.join(app.srcdir, "_generated"))


def setup(app):
    app.connect("builder-inited", _figures)

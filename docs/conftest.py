# The Sphinx configuration and the page generator are not part of the documentation examples.
collect_ignore = ["conf.py", "_tools"]

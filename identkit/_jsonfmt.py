"""JSON that people can read: one key a line, and lists of scalars (matrix rows, names) on one
line each."""

from __future__ import annotations

import json


def _scalar(x) -> bool:
    return x is None or isinstance(x, (str, int, float, bool))


def dumps(obj, indent: int = 2, _level: int = 0) -> str:
    """Serialize ``obj`` (dicts, lists, scalars) as indented JSON with compact scalar lists."""
    pad = " " * (indent * (_level + 1))
    end = " " * (indent * _level)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {dumps(v, indent, _level + 1)}"
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, (list, tuple)):
        if all(_scalar(x) for x in obj):
            return json.dumps(list(obj), ensure_ascii=False)
        items = [pad + dumps(x, indent, _level + 1) for x in obj]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return json.dumps(obj, ensure_ascii=False)

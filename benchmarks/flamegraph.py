"""A flame graph (SVG) from collapsed stacks (`frame;frame;frame count` per line, as `py-spy record -f raw` writes):
each frame is a box as wide as its share of the samples, callers below callees. Hovering shows the frame and its
share. Deliberately small: for zooming, load the `.folded.gz` next to it into speedscope.app.
"""

from __future__ import annotations

import html
import re
import zlib
from typing import Any

_WIDTH, _ROW = 1600, 16
_LINE = re.compile(r":\d+\)$")


def _tree(folded: str) -> tuple[dict[str, Any], int]:
    root: dict[str, Any] = {"n": 0, "children": {}}
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        node = root
        node["n"] += count
        for frame in stack.split(";"):
            frame = _LINE.sub(")", frame)  # one box per function, whatever line it was on
            node = node["children"].setdefault(frame, {"n": 0, "children": {}})
            node["n"] += count
    return root, root["n"]


def _colour(frame: str) -> str:
    if "mockserver/" in frame or "contracts/" in frame:
        base = (230, 120, 40)  # the mock's own code: orange
    elif "site-packages" in frame or "/lib/python" in frame:
        base = (200, 180, 60)  # libraries and the standard library: yellow
    else:
        base = (170, 170, 170)
    jitter = zlib.crc32(frame.encode()) % 40
    return f"rgb({base[0] - jitter // 2},{base[1] - jitter // 3},{base[2]})"


def render(folded: str, title: str) -> str:
    """The SVG text."""
    root, total = _tree(folded)
    boxes: list[str] = []
    depth_max = 0

    def walk(node: dict[str, Any], x: float, depth: int) -> None:
        nonlocal depth_max
        depth_max = max(depth_max, depth)
        for frame, child in sorted(node["children"].items()):
            width = _WIDTH * child["n"] / total
            if width >= 0.5:
                label = html.escape(frame)
                share = 100 * child["n"] / total
                text = html.escape(frame if width > 7 * len(frame) else frame[: int(width / 7)])
                boxes.append(
                    f"<g><title>{label} ({share:.1f}%, {child['n']} samples)</title>"
                    f'<rect x="{x:.1f}" y="{{y{depth}}}" width="{max(width - 0.3, 0.2):.1f}" height="{_ROW - 1}" '
                    f'fill="{_colour(frame)}"/>'
                    + (f'<text x="{x + 2:.1f}" y="{{t{depth}}}">{text}</text>' if width > 21 else "")
                    + "</g>"
                )
                walk(child, x, depth + 1)
            x += width

    if total:
        walk(root, 0.0, 0)
    height = (depth_max + 3) * _ROW
    body = "\n".join(boxes)
    for depth in range(depth_max + 1):
        y = height - (depth + 2) * _ROW
        body = body.replace(f"{{y{depth}}}", str(y)).replace(f"{{t{depth}}}", str(y + _ROW - 4))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'font-family="monospace" font-size="11">\n'
        f'<text x="4" y="13" font-size="13">{html.escape(title)}: {total} samples</text>\n{body}\n</svg>\n'
    )

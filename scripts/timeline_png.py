"""Render the evolution timeline of a catalog to a PNG (for the README) with headless Chromium.

Usage: .venv/bin/python scripts/timeline_png.py [CATALOG] [OUTPUT]   (defaults: catalog docs/assets/timeline.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

from aligncat import load_catalog
from aligncat.atomic import write_atomic
from aligncat.render.graph_views import timeline_svg

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    catalog_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "catalog")
    output = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/assets/timeline.png")
    catalog = load_catalog(catalog_dir)
    svg = timeline_svg(catalog)
    html = (
        "<!doctype html><meta charset=utf-8><style>body{margin:0;background:#fff;color:#222}"
        "a{text-decoration:none}</style>" + svg
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 600}, device_scale_factor=1)
        page.set_content(html)
        png = page.locator("svg").screenshot()
        browser.close()
    write_atomic(output, png)
    print(f"wrote {output} ({len(png) // 1024} KiB) from {catalog_dir} ({len(catalog.records)} records)")


if __name__ == "__main__":
    main()

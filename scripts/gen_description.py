"""Build each add-on's description page (static/description/index.html) from its readme/ fragments.

Usage: python3 scripts/gen_description.py [--check] [ADDON ...]   (default: every add-on of the repository)

The fragments (DESCRIPTION, CONFIGURE, USAGE, in Markdown) are what Odoo's
Apps page and the package index show; ``--check`` fails when the page is
out of date, as lint does.
"""

import ast
import sys
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("kreancia_collect", "kreancia_collect_queue_job", "kreancia_collect_sepa")
SECTIONS = (("DESCRIPTION", None), ("CONFIGURE", "Configuration"), ("USAGE", "Usage"))


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    parts = [
        '<section class="oe_container">',
        '<div class="oe_row oe_spaced">',
        f'<h2 class="oe_slogan">{manifest["name"]}</h2>',
        f'<h3 class="oe_slogan">{manifest["summary"]}</h3>',
    ]
    for fragment, title in SECTIONS:
        if title:
            parts.append(f"<h3>{title}</h3>")
        parts.append(markdown.markdown((addon / "readme" / f"{fragment}.md").read_text(), extensions=["tables"]))
    parts += ["</div>", "</section>", ""]
    return "\n".join(parts)


def main():
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")] or ADDONS
    for name in names:
        addon = ROOT / name
        target = addon / "static" / "description" / "index.html"
        page = render(addon)
        if "--check" in sys.argv:
            if not target.exists() or target.read_text() != page:
                sys.exit(f"{name}/static/description/index.html is out of date: run python3 scripts/gen_description.py")
            continue
        target.write_text(page)
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

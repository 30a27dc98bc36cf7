"""Build the add-on's description page (static/description/index.html) from its readme/ fragments.

Usage: python3 scripts/gen_description.py [--check]

The fragments (DESCRIPTION, CONFIGURE, USAGE, in Markdown) are what Odoo's
Apps page and the package index show; ``--check`` fails when the page is
out of date, as lint does.
"""

import ast
import sys
from pathlib import Path

import markdown

ADDON = Path(__file__).resolve().parent.parent / "kreancia_collect"
SECTIONS = (("DESCRIPTION", None), ("CONFIGURE", "Configuration"), ("USAGE", "Usage"))


def render():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
    parts = [
        '<section class="oe_container">',
        '<div class="oe_row oe_spaced">',
        f'<h2 class="oe_slogan">{manifest["name"]}</h2>',
        f'<h3 class="oe_slogan">{manifest["summary"]}</h3>',
    ]
    for fragment, title in SECTIONS:
        if title:
            parts.append(f"<h3>{title}</h3>")
        parts.append(markdown.markdown((ADDON / "readme" / f"{fragment}.md").read_text(), extensions=["tables"]))
    parts += ["</div>", "</section>", ""]
    return "\n".join(parts)


def main():
    target = ADDON / "static" / "description" / "index.html"
    page = render()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != page:
            sys.exit("static/description/index.html is out of date: run python3 scripts/gen_description.py")
        return
    target.write_text(page)
    print(f"wrote {target.relative_to(ADDON.parent)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# make lint: ruff, ruff format --check and pylint-odoo (19.0 rules).
set -euo pipefail
cd "$(dirname "$0")/.."
addons=(kreancia_collect kreancia_collect_queue_job kreancia_collect_sepa)
python3 -m ruff check "${addons[@]}" benchmarks
python3 -m ruff format --check "${addons[@]}" benchmarks
# missing-readme: the project's README.md stands at the repository root
python3 -m pylint --rcfile=.pylintrc --disable=missing-readme "${addons[@]}"
# every test module is imported by tests/__init__.py, or `odoo-bin --test-enable` would skip it silently
for addon in "${addons[@]}"; do
    missing=$(cd "$addon/tests" && for f in test_*.py; do
        grep -qx "from \. import ${f%.py}" __init__.py || echo "$f"
    done)
    if [ -n "$missing" ]; then
        echo "$addon/tests/__init__.py does not import: $missing" >&2
        exit 1
    fi
done
# OCA's checks of manifests, XML, CSV and translations (oca-odoo-pre-commit-hooks, as .pre-commit-config.yaml)
oca-checks-odoo-module "${addons[@]/%//__manifest__.py}"
# po-pretty-format is off: its layout empties every translation equal to its source ("Date", "Note"), which fr.po keeps
for addon in "${addons[@]}"; do
    oca-checks-po --disable=po-pretty-format "$addon/i18n/fr.po" "$addon/i18n/$addon.pot"
done
python3 scripts/gen_description.py --check

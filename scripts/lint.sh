#!/usr/bin/env bash
# make lint: ruff, ruff format --check and pylint-odoo (19.0 rules).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m ruff check kreancia_collect benchmarks
python3 -m ruff format --check kreancia_collect benchmarks
# missing-readme: the project's README.md stands at the repository root
python3 -m pylint --rcfile=.pylintrc --disable=missing-readme kreancia_collect

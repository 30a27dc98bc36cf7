#!/usr/bin/env bash
# make test: a fresh database, the add-on installed, the whole suite through pytest-odoo.
# KC_TESTS="kreancia_collect/tests/test_x.py" runs only those files (the default is every test).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres

db="kc_test_$$"
conf="$PWD/.odoo-test.conf"
kc_write_config "$conf" "$db"
echo "http_port = ${KC_TEST_PORT:-8169}" >> "$conf"  # leaves 8069 to a running demo
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

echo "Installing kreancia_collect (and payment_demo for the online payment tests) in a fresh database $db ..."
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect,payment_demo --stop-after-init --without-demo=True \
    --log-level=warn --load-language=fr_FR
python3 -m pytest -p no:cacheprovider --odoo-config="$conf" --odoo-database="$db" --odoo-http \
    ${KC_TESTS:-kreancia_collect/tests} "$@"

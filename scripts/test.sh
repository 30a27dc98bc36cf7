#!/usr/bin/env bash
# make test: a fresh database, the add-on installed, the whole suite through pytest-odoo; then a second
# fresh database with kreancia_collect_queue_job (and OCA's queue_job) installed, for the bridge's tests; a
# third with OCA's account_banking_sepa_direct_debit, which installs kreancia_collect_sepa by itself.
# KC_TESTS="kreancia_collect/tests/test_x.py kreancia_collect_queue_job/tests/test_y.py" runs only those
# files, each in the database of its add-on (the default is every test of the three).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres

main_tests=()
queue_tests=()
sepa_tests=()
for selected in ${KC_TESTS:-kreancia_collect/tests kreancia_collect_queue_job/tests kreancia_collect_sepa/tests}; do
    case "$selected" in
        kreancia_collect_queue_job*) queue_tests+=("$selected") ;;
        kreancia_collect_sepa*) sepa_tests+=("$selected") ;;
        upgrade) ;;  # scripts/test_upgrade.sh, last
        *) main_tests+=("$selected") ;;
    esac
done

db="kc_test_$$"
queue_db="kc_test_qj_$$"
sepa_db="kc_test_sdd_$$"
conf="$PWD/.odoo-test-$$.conf"
kc_write_config "$conf" "$db"
echo "http_port = ${KC_TEST_PORT:-8169}" >> "$conf"  # leaves 8069 to a running demo
trap 'rm -f "$conf"; dropdb --if-exists "$db" >/dev/null 2>&1 || true; dropdb --if-exists "$queue_db" >/dev/null 2>&1 || true; dropdb --if-exists "$sepa_db" >/dev/null 2>&1 || true' EXIT

status=0
if [ ${#main_tests[@]} -gt 0 ]; then
    echo "Installing kreancia_collect (and payment_demo for the online payment tests) in a fresh database $db ..."
    python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect,payment_demo --stop-after-init --without-demo=True \
        --log-level=warn --load-language=fr_FR
    python3 -m pytest -p no:cacheprovider --odoo-config="$conf" --odoo-database="$db" --odoo-http \
        "${main_tests[@]}" "$@" || status=$?
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
fi

if [ ${#queue_tests[@]} -gt 0 ]; then
    echo "Installing kreancia_collect_queue_job (kreancia_collect with OCA's queue_job) in a fresh database $queue_db ..."
    kc_write_config "$conf" "$queue_db"
    echo "http_port = ${KC_TEST_PORT:-8169}" >> "$conf"
    python3 "$ODOO_BIN" -c "$conf" -d "$queue_db" -i kreancia_collect_queue_job --stop-after-init \
        --without-demo=True --log-level=warn --load-language=fr_FR
    python3 -m pytest -p no:cacheprovider --odoo-config="$conf" --odoo-database="$queue_db" \
        "${queue_tests[@]}" "$@" || status=$?
fi

if [ ${#sepa_tests[@]} -gt 0 ]; then
    # OCA's SEPA direct debit only: kreancia_collect_sepa must follow by itself (auto_install), its tests check it
    echo "Installing kreancia_collect with OCA's account_banking_sepa_direct_debit in a fresh database $sepa_db ..."
    kc_write_config "$conf" "$sepa_db"
    echo "http_port = ${KC_TEST_PORT:-8169}" >> "$conf"
    python3 "$ODOO_BIN" -c "$conf" -d "$sepa_db" -i kreancia_collect,account_banking_sepa_direct_debit \
        --stop-after-init --without-demo=True --log-level=warn --load-language=fr_FR
    python3 -m pytest -p no:cacheprovider --odoo-config="$conf" --odoo-database="$sepa_db" --odoo-http \
        "${sepa_tests[@]}" "$@" || status=$?
fi
# the upgrade from the previous release, when KC_TESTS is unset or names "upgrade"
if [ -z "${KC_TESTS:-}" ] || [[ " $KC_TESTS " == *" upgrade "* ]]; then
    scripts/test_upgrade.sh || status=$?
fi
exit "$status"

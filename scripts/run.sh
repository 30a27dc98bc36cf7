#!/usr/bin/env bash
# make run: the demo database, served on http://localhost:8069 (login admin / admin).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres

db="${KC_DB:-kreancia_demo}"
conf="$PWD/.odoo-run.conf"
kc_write_config "$conf" "$db"
if ! psql -d "$db" -Atc "select 1 from ir_module_module where name = 'kreancia_collect' and state = 'installed'" 2>/dev/null | grep -q 1; then
    echo "Creating the demo database $db (about two minutes) ..."
    # The French chart of accounts first: the demo's French company loads it when kreancia_collect
    # installs (installed together, l10n_fr_account would come after kreancia_collect's demo).
    # payment_demo too: the demo company gets its provider, which the demo publishes for the debtor page.
    python3 "$ODOO_BIN" -c "$conf" -d "$db" -i l10n_fr_account,payment_demo --with-demo --load-language=fr_FR \
        --stop-after-init --log-level=warn
    python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect --stop-after-init --log-level=warn
    # The first start prints the demo's letters: wkhtmltopdf fetches their styles from web.base.url.
    psql -d "$db" -qc "UPDATE ir_config_parameter SET value = 'http://localhost:${KC_PORT:-8069}' WHERE key = 'web.base.url'"
fi
echo "Serving $db on http://localhost:${KC_PORT:-8069} (login: admin, password: admin)"
exec python3 "$ODOO_BIN" -c "$conf" -d "$db" --http-port="${KC_PORT:-8069}" "$@"

#!/usr/bin/env bash
# make sample-case: render the README's hand-over cover sheet.
# A scratch database (French company in EUR, no demo), served over HTTP so that
# wkhtmltopdf loads the report styles; output in docs/ (PDF and PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres

db="kc_sample_case"
port="${KC_SAMPLE_PORT:-8173}"
conf="$PWD/.odoo-sample-case.conf"
kc_write_config "$conf" "$db"
echo "http_port = $port" >> "$conf"
dropdb --if-exists "$db"
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect --stop-after-init --without-demo=True \
    --log-level=warn --load-language=fr_FR
python3 "$ODOO_BIN" -c "$conf" -d "$db" --log-level=warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 5
KC_SAMPLE_URL="http://127.0.0.1:$port" python3 "$ODOO_BIN" shell -c "$conf" -d "$db" --no-http --log-level=warn \
    < scripts/sample_case.py
rm -f docs/case_cover_sheet-*.png
pdftoppm -r 70 -png docs/case_cover_sheet.pdf docs/case_cover_sheet
ls docs/case_cover_sheet*

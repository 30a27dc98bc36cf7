#!/usr/bin/env bash
# make sample-letter / make sample-case: render a README sample document.
#   scripts/sample.sh letter   the formal notice under a third-party brand (scripts/sample_letter.py)
#   scripts/sample.sh case     the hand-over cover sheet (scripts/sample_case.py)
# A scratch database (French company in EUR, no demo), served over HTTP so that
# wkhtmltopdf loads the report styles; output in docs/ (PDF and PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    letter) db="kc_sample" port="${KC_SAMPLE_PORT:-8172}" document="formal_notice_third_party" ;;
    case) db="kc_sample_case" port="${KC_SAMPLE_PORT:-8173}" document="case_cover_sheet" ;;
    *) echo "usage: scripts/sample.sh letter|case" >&2; exit 2 ;;
esac
source scripts/odoo-env.sh
kc_ensure_postgres

conf="$PWD/.odoo-$db.conf"
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
    < "scripts/sample_$1.py"
rm -f "docs/$document"-*.png
pdftoppm -r 70 -png "docs/$document.pdf" "docs/$document"
ls "docs/$document"*

#!/usr/bin/env bash
# Re-export i18n/kreancia_collect.pot from a scratch database and merge it into i18n/fr.po;
# lists the French entries still to translate.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres
db="kc_i18n_$$"
conf="$PWD/.odoo-i18n.conf"
kc_write_config "$conf" "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -f "$conf"' EXIT
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect --with-demo --stop-after-init --log-level=warn
python3 "$ODOO_BIN" i18n export -c "$conf" -d "$db" -o kreancia_collect/i18n/kreancia_collect.pot kreancia_collect
msgmerge --quiet --no-fuzzy-matching --update --backup=none kreancia_collect/i18n/fr.po kreancia_collect/i18n/kreancia_collect.pot
msgattrib --no-obsolete -o kreancia_collect/i18n/fr.po kreancia_collect/i18n/fr.po
untranslated=$(msgattrib --untranslated --no-obsolete kreancia_collect/i18n/fr.po | grep -c '^msgid' || true)
echo "fr.po: $((untranslated > 0 ? untranslated - 1 : 0)) entries to translate"

#!/usr/bin/env bash
# Re-export each add-on's i18n/<addon>.pot from a scratch database and merge it into its i18n/fr.po;
# lists the French entries still to translate. kreancia_collect_queue_job needs OCA's queue_job
# and kreancia_collect_sepa OCA's banking stack (requirements-addons.txt, installed by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/odoo-env.sh
kc_ensure_postgres
db="kc_i18n_$$"
conf="$PWD/.odoo-i18n.conf"
kc_write_config "$conf" "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -f "$conf"' EXIT
addons=(kreancia_collect kreancia_collect_queue_job kreancia_collect_sepa)
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i "$(IFS=,; echo "${addons[*]}")" --with-demo --stop-after-init \
    --log-level=warn
for addon in "${addons[@]}"; do
    python3 "$ODOO_BIN" i18n export -c "$conf" -d "$db" -o "$addon/i18n/$addon.pot" "$addon"
    msgmerge --quiet --no-fuzzy-matching --update --backup=none "$addon/i18n/fr.po" "$addon/i18n/$addon.pot"
    msgattrib --no-obsolete -o "$addon/i18n/fr.po" "$addon/i18n/fr.po"
    untranslated=$(msgattrib --untranslated --no-obsolete "$addon/i18n/fr.po" | grep -c '^msgid' || true)
    echo "$addon/i18n/fr.po: $((untranslated > 0 ? untranslated - 1 : 0)) entries to translate"
done

#!/usr/bin/env bash
# make test-upgrade: the previous release (KC_UPGRADE_FROM, default ab23c75 = 19.0.1.3.0) installed with its
# demo in a scratch database, a day's run and a hand-over performed, then `-u kreancia_collect` with the
# current code; scripts/upgrade_check.py checks nothing was lost (one PASS/FAIL line per check).
# Needs the repository's history (a clean clone has it). 3 minutes on 2 quiet cores, 8 on busy ones
# (the upgrade itself: 15 to 45 s).
# KC_UPGRADE_KEEP=1 keeps the database and the recorded before.json, to look into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
source scripts/odoo-env.sh
kc_ensure_postgres

from="${KC_UPGRADE_FROM:-ab23c75}"
db="kc_upgrade_$$"
tmp=$(mktemp -d)
conf="$tmp/odoo.conf"
server=""
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    if [ -n "${KC_UPGRADE_KEEP:-}" ]; then
        echo "Kept the database $db and $tmp (before.json, upgrade.log)"
    else
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
start=$SECONDS

git -C "$root" archive "$from" kreancia_collect | tar -x -C "$tmp"
old_path="$ODOO_ROOT/addons,$tmp"
new_path="$ADDONS_PATH"
version=$(python3 -c "import ast, sys; print(ast.literal_eval(open(sys.argv[1]).read())['version'])" \
    kreancia_collect/__manifest__.py)

echo "Installing the previous release ($from, $(grep -o '"19\.0\.[0-9.]*"' "$tmp/kreancia_collect/__manifest__.py")) with its demo in $db ..."
ADDONS_PATH="$old_path" kc_write_config "$conf" "$db"
# as scripts/run.sh makes the demo: the French chart first, then the add-on
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i l10n_fr_account,payment_demo --with-demo --stop-after-init --log-level=warn
python3 "$ODOO_BIN" -c "$conf" -d "$db" -i kreancia_collect --stop-after-init --log-level=warn
python3 scripts/upgrade_check.py record --addons-path="$old_path" -d "$db" --json "$tmp/before.json"
echo "Previous release ready in $((SECONDS - start)) s; upgrading to the current code ($version) ..."

ADDONS_PATH="$new_path" kc_write_config "$conf" "$db"
upgrade_start=$SECONDS
status=0
python3 "$ODOO_BIN" -c "$conf" -d "$db" -u kreancia_collect --stop-after-init --log-level=warn \
    >"$tmp/upgrade.log" 2>&1 || status=$?
cat "$tmp/upgrade.log"
echo "Upgrade took $((SECONDS - upgrade_start)) s"
failures=0
if [ "$status" = 0 ]; then echo "PASS upgrade ran"; else echo "FAIL upgrade ran: exit status $status"; failures=1; fi
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$tmp/upgrade.log" >/dev/null; then
    echo "FAIL no ERROR in the upgrade log"
    failures=1
else
    echo "PASS no ERROR in the upgrade log"
fi
python3 scripts/upgrade_check.py check --addons-path="$new_path" -d "$db" --json "$tmp/before.json" \
    --version "$version" || failures=1

# the debtor page of one link recorded before the upgrade, served by the current code
port="${KC_UPGRADE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
page=$(python3 -c "import json, sys
links = json.load(open(sys.argv[1]))['links']
print(next(f'/collect/{i}?access_token={v[\"access_token\"]}' for i, v in links.items() if v['state'] == 'valid'))" \
    "$tmp/before.json")
python3 "$ODOO_BIN" -c "$conf" -d "$db" --http-port="$port" --max-cron-threads=0 --log-level=warn \
    >"$tmp/server.log" 2>&1 &
server=$!
code=000
for _ in $(seq 60); do
    code=$(python3 -c "import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=60).status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print('000')" "http://127.0.0.1:$port$page")
    [ "$code" = 000 ] || break
    kill -0 "$server" 2>/dev/null || break  # the server stopped: its log follows
    sleep 1
done
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=""
if [ "$code" = 200 ]; then echo "PASS debtor page of a recorded link answers 200"; else
    echo "FAIL debtor page of a recorded link answers 200: got $code"; tail -20 "$tmp/server.log"; failures=1; fi
echo "Upgrade check done in $((SECONDS - start)) s"
exit "$failures"

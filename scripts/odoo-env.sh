# Sourced by the project's scripts: finds Odoo 19.0 and PostgreSQL, or stops
# at once saying what is missing. Sets ODOO_ROOT, ODOO_BIN, ADDONS_PATH.
# Odoo must be importable by python3, or ODOO_SRC must name its source tree.

_kc_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$_kc_root/scripts/setup.sh"
[ -n "${KC_NO_SETUP:-}" ] || kc_setup_machine

kc_odoo_root() {  # the folder holding the importable odoo package, when it is Odoo 19
    # found from odoo.release: odoo is a namespace package, and OCA add-ons installed by pip
    # (site-packages/odoo/addons/...) may come first in its __path__
    python3 -c 'import os, sys, odoo.release as r
if r.version_info[0] != 19: sys.exit(1)
print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))' 2>/dev/null
}

if [ -n "${ODOO_SRC:-}" ]; then
    export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
fi
ODOO_ROOT=$(kc_odoo_root || true)
if [ -z "$ODOO_ROOT" ] && [ -z "${ODOO_SRC:-}" ]; then
    # neither python3 nor ODOO_SRC gives Odoo 19.0: fetch it as a user with network would
    _kc_odoo="$_kc_root/.odoo"
    _kc_git="${ODOO_GIT:-https://github.com/odoo/odoo.git}"
    if [ ! -f "$_kc_odoo/odoo-bin" ]; then
        echo "Odoo 19.0 is not importable: cloning branch 19.0 of $_kc_git into .odoo (shallow) ..."
        rm -rf "$_kc_odoo"
        if ! git clone --quiet --depth 1 --branch 19.0 "$_kc_git" "$_kc_odoo" 2>/dev/null; then
            rm -rf "$_kc_odoo"
            echo "Odoo 19.0 is missing: make it importable by python3, set ODOO_SRC to a 19.0 source tree, or ODOO_GIT to a reachable clone of Odoo's repository (see README.md, 'Prerequisites')." >&2
            exit 2
        fi
        python3 -m pip install --quiet --disable-pip-version-check -r "$_kc_odoo/requirements.txt"
    fi
    export PYTHONPATH="$_kc_odoo${PYTHONPATH:+:$PYTHONPATH}"
    ODOO_ROOT=$(kc_odoo_root || true)
fi
if [ -z "$ODOO_ROOT" ]; then
    echo "Odoo 19.0 is not importable by python3: make it importable or set ODOO_SRC to a 19.0 source tree (see ../shared/ODOO19.md and README.md, 'Prerequisites')." >&2
    exit 2
fi
ODOO_BIN="$ODOO_ROOT/odoo-bin"
ADDONS_PATH="$ODOO_ROOT/addons,$_kc_root"
# queue_job, for kreancia_collect_queue_job's tests (requirements-addons.txt); installed in no database by default
[ -d "$_kc_root/.odoo-addons/odoo/addons" ] && ADDONS_PATH="$ADDONS_PATH,$_kc_root/.odoo-addons/odoo/addons"
[ -d "$ODOO_ROOT/addons/account" ] || {
    echo "Odoo found at $ODOO_ROOT has no addons/account: point ODOO_SRC at a complete Odoo 19.0 tree." >&2
    exit 2
}

kc_ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        if command -v service >/dev/null 2>&1; then
            service postgresql start >/dev/null 2>&1 || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q 2>/dev/null && break; sleep 1; done
        fi
    fi
    pg_isready -q 2>/dev/null || {
        echo "PostgreSQL is not running and could not be started (install Debian's postgresql, see README.md)." >&2
        exit 2
    }
    if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        su postgres -c "createuser --superuser $(id -un)" >/dev/null 2>&1 || true
    fi
    psql -d postgres -Atc 'select 1' >/dev/null 2>&1 || {
        echo "Cannot connect to PostgreSQL as $(id -un): create that role (createuser --superuser $(id -un))." >&2
        exit 2
    }
}

kc_write_config() {  # kc_write_config FILE DBNAME
    cat > "$1" <<CONF
[options]
addons_path = $ADDONS_PATH
db_name = $2
dbfilter = ^$2\$
data_dir = $_kc_root/var/data
list_db = False
http_interface = 127.0.0.1
CONF
}

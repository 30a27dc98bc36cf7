#!/usr/bin/env bash
# What a fresh machine lacks for `make run` / `make test`: Debian packages (as root), the Python
# packages of requirements.txt, the OCA add-ons of requirements-addons.txt (into .odoo-addons/).
# Sourced by odoo-env.sh; also runnable alone (`scripts/setup.sh`).

kc_setup_machine() {
    local need=() pkg
    command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
    command -v wkhtmltopdf >/dev/null 2>&1 || need+=(wkhtmltopdf)
    command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v git >/dev/null 2>&1 || need+=(git)
    [ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
    [ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
    for pkg in libpq-dev libldap2-dev libsasl2-dev; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing Debian packages: ${need[*]}"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        else
            echo "Missing Debian packages (install them as root): ${need[*]}" >&2
        fi
    fi
    python3 -m pip install --quiet --disable-pip-version-check -r "$_kc_root/requirements.txt" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check -r "$_kc_root/requirements.txt"
    kc_install_addons
}

kc_install_addons() {  # the OCA add-ons of requirements-addons.txt into .odoo-addons/ (see that file)
    local target="$_kc_root/.odoo-addons"
    cmp -s "$_kc_root/requirements-addons.txt" "$target/requirements-addons.txt" && return 0
    rm -rf "$target"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" \
        -r "$_kc_root/requirements-addons.txt" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" \
            -r "$_kc_root/requirements-addons.txt"
    cp "$_kc_root/requirements-addons.txt" "$target/requirements-addons.txt"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    _kc_root=$(cd "$(dirname "$0")/.." && pwd)
    kc_setup_machine
fi

#!/usr/bin/env bash
# Make .venv ready on a machine that may have nothing but Python 3.11, pip and apt:
# install the Debian packages that are missing (with sudo when not root), create the virtual
# environment and install the project, its tools and pinned versions (constraints.txt).
# Idempotent: `make` runs it again only when pyproject.toml or constraints.txt change.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# Debian packages the project needs at run time or for its tests: Pango and HarfBuzz's subsetter
# for WeasyPrint (the statements), DejaVu fonts (they have every Kazakh letter), poppler-utils
# (pdftoppm, for the page images under docs/), jq and curl (the README's examples), Chromium
# (the pages' browser tests drive Debian's build through Playwright: Playwright's own browser
# downloads are not reachable here).
SYSTEM_PACKAGES=${SYSTEM_PACKAGES:-libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils jq curl chromium}

say() { printf 'bootstrap: %s\n' "$*"; }

apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { say "missing ${missing[*]} and no apt-get here"; exit 1; }
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing ${missing[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { say "$PYTHON is older than 3.11"; exit 1; }

# Debian's own Python keeps venv and ensurepip in a separate package.
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${version}-venv"
fi
# shellcheck disable=SC2086
[ -n "$SYSTEM_PACKAGES" ] && apt_install $SYSTEM_PACKAGES
# npm fetches the front-end packages the pages serve (scripts/fetch_assets.py).
command -v npm >/dev/null || apt_install npm

if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
say "installing the project and its tools"
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
say "ready"

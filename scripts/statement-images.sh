#!/usr/bin/env bash
# Page images of the demo's statements for docs/: a furnace batch in Russian and an
# ammunition burn in Kazakh, first pages, drawn by pdftoppm from the PDFs `custody` renders.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CUSTODY_DATA_DIR="$work/data"
.venv/bin/custody demo >/dev/null
final() {
    .venv/bin/custody statement list --json | .venv/bin/python -c \
        "import json, sys; print(next(s['batch'] for s in json.load(sys.stdin) if s['final'] and s['kind'] == '$1'))"
}
for spec in "furnace ru" "burn kk"; do
    set -- $spec
    .venv/bin/custody statement render "$(final "$1")" --lang "$2" --out "$work/$1.pdf"
    .venv/bin/custody verify-statement "$work/$1.pdf" >/dev/null
    pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/$1.pdf" "docs/statement-$1-$2"
done
echo "drew docs/statement-furnace-ru.png and docs/statement-burn-kk.png"

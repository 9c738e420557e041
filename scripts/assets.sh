#!/usr/bin/env bash
# Install the front-end libraries pinned in package-lock.json (npm ci, install scripts off) and
# copy the files gongxin serves itself into src/gongxin/web/static/vendor/: Swagger UI for the
# API documentation at /docs, ReDoc for /redoc, ECharts for charts. Nothing is loaded from a
# CDN at run time.
# Idempotent: does nothing when the copies are newer than package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENDOR=src/gongxin/web/static/vendor
STAMP=node_modules/.gongxin-assets
say() { printf 'assets: %s\n' "$*"; }

if [[ -f $STAMP && $STAMP -nt package-lock.json && -f $VENDOR/swagger-ui/swagger-ui-bundle.js && -f $VENDOR/redoc/redoc.standalone.js ]]; then
    say "up to date"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "npm not found: apt-get install nodejs npm"
        DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm </dev/null
    else
        say "npm not found: install Node.js and npm (Debian: apt-get install nodejs npm)" >&2
        exit 1
    fi
fi
say "npm ci (package-lock.json)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
mkdir -p "$VENDOR/swagger-ui" "$VENDOR/redoc" "$VENDOR/echarts"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   node_modules/swagger-ui-dist/LICENSE "$VENDOR/swagger-ui/"
# ReDoc's sidebar credit shows a logo from its CDN: point it at nothing (the image hides itself
# when it fails to load), so the page asks no other site for anything
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:,#g' node_modules/redoc/bundles/redoc.standalone.js \
    > "$VENDOR/redoc/redoc.standalone.js"
cp node_modules/redoc/LICENSE "$VENDOR/redoc/"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$VENDOR/echarts/"
touch "$STAMP"
say "copied into $VENDOR"

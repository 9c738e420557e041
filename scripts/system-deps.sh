#!/usr/bin/env bash
# Install the Debian packages gongxin needs outside Python. Idempotent: when every
# package is already installed it changes nothing and does not touch apt at all.
#
#   postgresql          server binaries under /usr/lib/postgresql/*/bin (the test suite
#                       starts its own throwaway server with them)
#   postgresql-contrib  extensions such as pg_trgm
#   chromium            headless browser for end-to-end page tests
#   fonts-noto-cjk      Chinese glyphs for screenshots and PDF reports
#   poppler-utils       pdftoppm / pdftotext, to check generated PDF reports
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
#                       the text layout libraries WeasyPrint renders PDF reports with
#   openjdk-17-jre-headless
#                       Java for Apache Spark (pyspark), the batch engine beside DuckDB
set -euo pipefail

PACKAGES=(postgresql postgresql-contrib chromium fonts-noto-cjk poppler-utils
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 openjdk-17-jre-headless)

say() { printf 'system-deps: %s\n' "$*"; }

if ! command -v dpkg-query >/dev/null 2>&1; then
    say "dpkg-query not found: this script supports Debian/Ubuntu only." >&2
    say "install these packages (or their equivalents) by hand: ${PACKAGES[*]}" >&2
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" == "install ok installed" ]]; then
        say "$pkg: installed"
    else
        say "$pkg: missing${status:+ ($status)}"
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    say "all ${#PACKAGES[@]} packages present, nothing to do"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    say "missing packages: ${missing[*]}" >&2
    say "installing them needs root; run as root:" >&2
    say "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    say "or: sudo make system-deps" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
say "running: apt-get update"
apt-get update </dev/null
say "running: apt-get install -y --no-install-recommends ${missing[*]}"
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null

# Check again: apt-get can exit 0 and still leave a package unconfigured.
for pkg in "${missing[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
        say "$pkg is still not installed after apt-get (status: ${status:-unknown})" >&2
        exit 1
    fi
done
say "installed: ${missing[*]}"

#!/bin/sh
# The browser tests drive Debian's Chromium (no browser download: this machine reaches only the
# package registries). Install it when it is missing.
set -e
if [ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium for the browser tests (about 30 s)..."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null

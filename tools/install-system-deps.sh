#!/bin/sh
# Debian packages the tests need: Chromium (browser tests), Noto fonts (Khmer and
# Vietnamese rendering, leaflets), poppler-utils (PDF to image and text).
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -f /usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf ] || missing="$missing fonts-noto-core"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing

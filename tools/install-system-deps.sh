#!/bin/sh
# Debian packages Loa needs. `runtime`: the Noto fonts leaflets are drawn with (Khmer and
# Vietnamese). `test` (default): also Chromium (browser tests) and poppler-utils (PDF to
# image and text) and espeak-ng (speech the audio tests record). Installs only what is missing.
set -e
what="${1:-test}"
missing=""
[ -f /usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf ] || missing="$missing fonts-noto-core"
if [ "$what" = "test" ]; then
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
fi
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing

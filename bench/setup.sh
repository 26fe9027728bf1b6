#!/bin/sh
# The C tools the cold whole-process suite (bench/cold.sh) compares against, from Debian:
#   ndpiReader (libndpi-bin), softflowd, nfpcapd (nfdump), argus (argus-server). Only what is missing is installed.
set -e
missing=""
for p in libndpi-bin softflowd nfdump argus-server; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

#!/usr/bin/env bash
# Sets up a fresh Debian machine for Switchboard's tests: the system packages the
# tests drive (Debian's chromium for the browser tests, espeak-ng for prompt audio, Kamailio and sipp
# for the softphone tests), then the npm packages
# from the lockfile. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# espeak-ng renders text prompts to audio (ivr/prompts/tts.ts).
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
# The softphone tests: Kamailio (registrar and proxy, with its WebSocket module) and sipp.
[ -x /usr/sbin/kamailio ] || missing+=(kamailio)
[ -n "$(find /usr/lib -path '*/kamailio/modules/websocket.so' -print -quit 2>/dev/null)" ] || missing+=(kamailio-websocket-modules)
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
# A Japanese font, so the widget's Japanese screenshots show text rather than boxes.
[ -d /usr/share/fonts/opentype/ipafont-gothic ] || missing+=(fonts-ipafont-gothic)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing from Debian: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# better-sqlite3 builds from source here (about a minute); esbuild ships its binary in a registry package.
npm ci --no-audit --no-fund

#!/usr/bin/env bash
# Builds (when missing or stale) and runs the CLBlast SGEMM peer: scripts/peer_clblast.c against
# Debian's libclblast-dev. Arguments go to the program (--m --n --k [--device] [--iterations]).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/peer_clblast
if [ ! -x "$bin" ] || [ scripts/peer_clblast.c -nt "$bin" ]; then
    mkdir -p .build
    version=$(dpkg-query -W -f='${Version}' libclblast-dev 2>/dev/null || echo unknown)
    cc -O2 -DCLBLAST_PKG_VERSION="\"$version\"" -o "$bin" scripts/peer_clblast.c -lclblast -lOpenCL -lm
fi
exec "$bin" "$@"

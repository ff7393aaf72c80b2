#!/usr/bin/env bash
# Publishes the tanh sample and the language model with NativeAOT, fails on any trim/AOT warning, and checks that
# the native binaries train exactly as the JIT builds do (identical per-step losses). Prints sizes and start-up times.
# Needs clang (Debian: `apt install clang`); set CLANG=clang-14 (for example) if only a versioned binary exists.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
rid=linux-x64
clang=${CLANG:-$(command -v clang || command -v clang-14 || echo clang)}

publish() { # project, directory
  dotnet publish "samples/$1" -c Release -r $rid -p:PublishAot=true -p:CppCompilerAndLinker="$clang" -o "$2" > "$2.log" 2>&1 \
    || { cat "$2.log"; exit 1; }
  if grep -E "warning (IL|NETSDK)[0-9]+" "$2.log"; then echo "AOT/trim warnings in $1"; exit 1; fi
}

publish TanhNetwork "$out/tanh"
publish NeuralLM "$out/nlm"

"$out/tanh/TanhNetwork" --steps 200 --print-every 10 > "$out/tanh-aot.txt"
dotnet run -c Release --project samples/TanhNetwork -- --steps 200 --print-every 10 > "$out/tanh-jit.txt"
cmp "$out/tanh-aot.txt" "$out/tanh-jit.txt" && echo "tanh: AOT output identical to JIT"

(cd "$out" && "$out/nlm/NeuralLM" --epochs 1 --threads 1 --plot "$out/aot.png" --loss-log "$out/nlm-aot.txt" | tail -1)
dotnet run -c Release --project samples/NeuralLM -- --epochs 1 --threads 1 --plot "$out/jit.png" --loss-log "$out/nlm-jit.txt" | tail -1
cmp "$out/nlm-aot.txt" "$out/nlm-jit.txt" && echo "NeuralLM: $(wc -l < "$out/nlm-aot.txt") per-step losses identical between AOT and JIT"

echo "sizes: TanhNetwork $(stat -c %s "$out/tanh/TanhNetwork") bytes, NeuralLM $(stat -c %s "$out/nlm/NeuralLM") bytes (+ $(du -cb "$out"/nlm/*.so | tail -1 | cut -f1) bytes of SkiaSharp/HarfBuzz for the plot)"
for i in 1 2 3; do /usr/bin/time -f "start-up, TanhNetwork 1 step, AOT: %e s, %M KB" "$out/tanh/TanhNetwork" --steps 1 --print-every 1 > /dev/null; done
rm -rf "$out"

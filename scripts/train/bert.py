"""A BERT encoder forward pass in JAX over Hugging Face key names: embeddings, post-LN layers,
and what distillation reads (each layer's output, attention distributions, queries, keys, values)."""
import jax
import jax.numpy as jnp

# Masked keys get this added to their scores: exp() of it is exactly 0 in float32, as in the engine.
MASK_VALUE = -1e9


def layer_norm(x, weight, bias, eps):
    """LayerNorm over the last axis."""
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + eps) * weight + bias


def linear(params, name, x):
    """x @ W.T + b for the Linear called `name` (HF stores W as [out, in])."""
    return x @ params[name + ".weight"].T + params[name + ".bias"]


def forward(params, config, ids, mask):
    """Runs the encoder on ids [B, T] with mask [B, T] (1 = token): a dict with `hidden` (each
    layer's output, [B, T, H]), `attention` ([B, heads, T, T] per layer), `values`/`queries`/`keys`
    ([B, heads, T, d] per layer) and `pooled` (mean over the mask of the last layer, not normalised)."""
    heads, eps = config["num_attention_heads"], config["layer_norm_eps"]
    b, t = ids.shape
    x = params["embeddings.word_embeddings.weight"][ids] + params["embeddings.position_embeddings.weight"][:t][None]
    x = x + params["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, params["embeddings.LayerNorm.weight"], params["embeddings.LayerNorm.bias"], eps)
    bias = jnp.where(mask[:, None, None, :] > 0, 0.0, MASK_VALUE)
    out = {"hidden": [], "attention": [], "queries": [], "keys": [], "values": []}
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def split(y):
            return y.reshape(b, t, heads, -1).transpose(0, 2, 1, 3)

        q, k, v = (split(linear(params, p + "attention.self." + n, x)) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(jnp.float32(q.shape[-1])) + bias
        probs = jax.nn.softmax(scores, axis=-1)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(b, t, -1)
        x = layer_norm(x + linear(params, p + "attention.output.dense", context),
                       params[p + "attention.output.LayerNorm.weight"], params[p + "attention.output.LayerNorm.bias"], eps)
        inner = jax.nn.gelu(linear(params, p + "intermediate.dense", x), approximate=False)
        x = layer_norm(x + linear(params, p + "output.dense", inner),
                       params[p + "output.LayerNorm.weight"], params[p + "output.LayerNorm.bias"], eps)
        for key, value in (("hidden", x), ("attention", probs), ("queries", q), ("keys", k), ("values", v)):
            out[key].append(value)
    out["pooled"] = mean_pool(x, mask)
    return out


def mean_pool(hidden, mask):
    """Mean of hidden [B, T, H] over the tokens where mask [B, T] is 1."""
    m = mask[..., None].astype(hidden.dtype)
    return (hidden * m).sum(1) / jnp.maximum(m.sum(1), 1.0)


def trainable(weights):
    """The float tensors the forward pass reads, as JAX arrays (position_ids and the like dropped)."""
    return {k: jnp.asarray(v) for k, v in weights.items() if k.startswith(("embeddings.", "encoder.layer."))}

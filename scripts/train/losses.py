"""Distillation losses as MiniLM and DistilBERT use them, each averaged over real (unmasked) tokens."""
import jax
import jax.numpy as jnp

# Keeps log() finite where a distribution is exactly 0 (masked keys); 0 * log(tiny) adds nothing.
TINY = 1e-12


def hidden_mse(student, teacher, mask):
    """Mean squared error between hidden states [B, T, H] over the real tokens."""
    per_token = ((student - teacher) ** 2).mean(-1)
    return (per_token * mask).sum() / mask.sum()


def distribution_kl(teacher, student, mask):
    """KL(teacher || student) of row distributions [B, heads, T, T], averaged over heads and real query rows."""
    kl = (teacher * (jnp.log(teacher + TINY) - jnp.log(student + TINY))).sum(-1)
    rows = mask[:, None, :]
    return (kl * rows).sum() / (rows.sum() * kl.shape[1])


def relation(x, mask):
    """MiniLM's self-relation softmax(x x^T / sqrt(d)) over the real keys, x [B, heads, T, d]."""
    scores = x @ x.transpose(0, 1, 3, 2) / jnp.sqrt(jnp.float32(x.shape[-1]))
    return jax.nn.softmax(jnp.where(mask[:, None, None, :] > 0, scores, -1e9), axis=-1)


def pooled_cosine_loss(student, teacher):
    """1 - cosine between pooled embeddings [B, H], averaged over the batch."""
    return 1.0 - cosine(student, teacher).mean()


def cosine(a, b):
    """Row-wise cosine of [B, H] arrays."""
    return (a * b).sum(-1) / (jnp.linalg.norm(a, axis=-1) * jnp.linalg.norm(b, axis=-1) + TINY)


def distillation_losses(s, t, mask, layer_map):
    """{name: loss} between student outputs s and teacher outputs t (bert.forward dicts); student
    layer i learns teacher layer layer_map[i]; relations are those of the last layers."""
    hidden = sum(hidden_mse(s["hidden"][i], t["hidden"][j], mask) for i, j in enumerate(layer_map)) / len(layer_map)
    return {
        "hidden": hidden,
        "attention": distribution_kl(t["attention"][-1], s["attention"][-1], mask),
        "value": distribution_kl(relation(t["values"][-1], mask), relation(s["values"][-1], mask), mask),
        "pooled": pooled_cosine_loss(s["pooled"], t["pooled"]),
    }

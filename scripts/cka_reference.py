"""Debiased CKA in NumPy for the reference scripts (make_probe_reference.py,
make_cka_interval_reference.py): Kornblith et al.'s cka(gram_linear(x), gram_linear(y),
debiased=True), written out, independent of BertBench's Swift code."""

import numpy as np


def debiased_cka(x, y):
    """Kornblith et al.'s cka(gram_linear(x), gram_linear(y), debiased=True), written out."""
    def centred_gram(a):
        a = a - a.mean(0, keepdims=True)
        g = a @ a.T
        n = g.shape[0]
        np.fill_diagonal(g, 0)
        means = g.sum(0) / (n - 2)
        means -= means.sum() / (2 * (n - 1))
        g -= means[:, None]
        g -= means[None, :]
        np.fill_diagonal(g, 0)
        return g
    k, l = centred_gram(x), centred_gram(y)
    return float((k.ravel() @ l.ravel()) / (np.linalg.norm(k) * np.linalg.norm(l)))

#!/usr/bin/env python3
"""Writes the golden fixtures that Tests/MetricsTests compares BertMetrics against.

Every expected value is computed here independently of the Swift code, with numpy, scipy and
scikit-learn in float64: sklearn's LogisticRegression coefficients, scipy's binomtest / chi2 for
McNemar, sklearn's roc_auc_score, scipy's rel_entr / jensenshannon, CKA straight from its formula,
brute-force cosine neighbours, numpy percentiles, scipy.stats.mode and scipy.stats.hypergeom.

Inputs are rounded to multiples of 1/256 so that they are exact in Float32 (the Swift side stores
embeddings as Float) and short in JSON.

Usage (a throwaway environment is enough):
    python3 -m venv /tmp/venv-met
    /tmp/venv-met/bin/pip install numpy scipy scikit-learn==1.9.1
    /tmp/venv-met/bin/python scripts/make_metric_goldens.py
Written with numpy 2.4.6, scipy 1.17.1, scikit-learn 1.9.1 on Python 3.11.
"""

import json
import math
import os
import warnings

import numpy as np
import scipy
import scipy.optimize
import scipy.special
import scipy.spatial.distance
import scipy.stats
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MetricsTests", "Fixtures")
rng = np.random.default_rng(20240717)


def grid(a):
    """Rounds to multiples of 1/256: exact in float32, short in JSON."""
    return np.round(np.asarray(a, dtype=np.float64) * 256) / 256


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def write(name, obj):
    obj = {"generator": "scripts/make_metric_goldens.py",
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                        "scikit-learn": sklearn.__version__},
           **obj}
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


# 1. Logistic regression ---------------------------------------------------------------------------
def logistic_regression():
    n, d = 200, 8
    scales = np.array([1.0, 0.5, 2.0, 1.0, 3.0, 0.25, 1.0, 1.5])
    X = grid(rng.standard_normal((n, d)) * scales + np.array([0, 0.5, 0, -1, 0, 0, 2, 0]))
    w_true = np.array([1.0, -2.0, 0.5, 0.0, 0.3, 4.0, -0.7, 0.2])
    p = scipy.special.expit(X @ w_true - 0.3)
    y = (rng.random(n) < p).astype(int)

    fits = []
    for C in (1.0, 0.1):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any convergence or deprecation warning is a failure
            model = LogisticRegression(C=C, solver="lbfgs", tol=1e-12, max_iter=100000).fit(X, y)
        coef, intercept = model.coef_[0], model.intercept_[0]

        # Cross-check sklearn against the objective written out here, minimised with an exact
        # gradient and Hessian (trust-region Newton): both must land on the same unique optimum.
        def f(theta):
            z = X @ theta[:d] + theta[d]
            return np.sum(np.logaddexp(0, z) - y * z) + theta[:d] @ theta[:d] / (2 * C)

        def grad(theta):
            r = scipy.special.expit(X @ theta[:d] + theta[d]) - y
            return np.concatenate([X.T @ r + theta[:d] / C, [r.sum()]])

        def hess(theta):
            s = scipy.special.expit(X @ theta[:d] + theta[d])
            Xa = np.hstack([X, np.ones((n, 1))])
            H = Xa.T @ (Xa * (s * (1 - s))[:, None])
            H[np.arange(d), np.arange(d)] += 1 / C
            return H

        res = scipy.optimize.minimize(f, np.zeros(d + 1), jac=grad, hess=hess, method="trust-exact",
                                      options={"gtol": 1e-10})
        theta = res.x
        for _ in range(5):  # polish with plain Newton steps to a gradient at rounding level
            theta = theta - np.linalg.solve(hess(theta), grad(theta))
        res.x = theta
        ours = np.concatenate([coef, [intercept]])
        gap = np.max(np.abs(res.x - ours) / np.maximum(1, np.abs(ours)))
        # lbfgs stops on its own scaled-gradient criterion (~1e-6 here even with tol=1e-12), so
        # sklearn sits ~1e-7 (relative) from the optimum; the Newton-type solution is kept too.
        assert gap < 1e-5, f"sklearn and the direct minimisation disagree by {gap}"
        assert np.max(np.abs(grad(res.x))) < 1e-9, "direct minimisation did not converge"
        fits.append({"C": C, "coef": flat(coef), "intercept": float(intercept),
                     "exactCoef": flat(res.x[:d]), "exactIntercept": float(res.x[d]),
                     "objective": float(f(res.x)),
                     "probabilityFirst10": flat(model.predict_proba(X[:10])[:, 1]),
                     "predictions": [int(v) for v in model.predict(X)]})
    # Standardised features (StandardScaler: population std), C = 1.
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-12, max_iter=100000).fit(
            scaler.transform(X), y)
    standardized = {"C": 1.0, "mean": flat(scaler.mean_), "scale": flat(scaler.scale_),
                    "coef": flat(model.coef_[0]), "intercept": float(model.intercept_[0]),
                    "probabilityFirst10": flat(model.predict_proba(scaler.transform(X[:10]))[:, 1])}
    write("logistic_regression.json", {"rows": n, "columns": d, "features": flat(X),
                                       "labels": [int(v) for v in y], "fits": fits,
                                       "standardized": standardized})


# 2. McNemar ---------------------------------------------------------------------------------------
def mcnemar():
    cases = []
    for b, c in [(10, 2), (2, 10), (0, 0), (0, 1), (1, 0), (5, 5), (12, 12), (0, 24), (3, 21),
                 (13, 12), (12, 13), (30, 10), (100, 80), (0, 30), (40, 40), (7, 18), (400, 350)]:
        n = b + c
        if n == 0:
            stat, p, method = 0.0, 1.0, "exactBinomial"
        elif n < 25:
            stat = float(min(b, c))
            p = scipy.stats.binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue
            method = "exactBinomial"
        else:
            stat = (abs(b - c) - 1) ** 2 / n
            p = scipy.stats.chi2.sf(stat, df=1)
            method = "chiSquareContinuityCorrected"
        cases.append({"b": b, "c": c, "statistic": stat, "pValue": float(p), "method": method})
    write("mcnemar.json", {"cases": cases})


# 3. AUROC -----------------------------------------------------------------------------------------
def auroc():
    cases = []
    # Ties within and across the classes.
    neg = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2]
    pos = [0.4, 0.8, 0.9, 0.35, 0.65]
    cases.append((neg, pos))
    # Heavy ties: integer scores.
    neg = [int(v) for v in rng.integers(0, 5, 40)]
    pos = [int(v) for v in rng.integers(1, 7, 30)]
    cases.append((neg, pos))
    # Continuous, overlapping.
    neg = flat(grid(rng.standard_normal(50)))
    pos = flat(grid(rng.standard_normal(45) + 0.8))
    cases.append((neg, pos))
    # Perfect separation and its reverse.
    cases.append(([0.0, 0.1, 0.2], [0.3, 0.4]))
    cases.append(([0.3, 0.4], [0.0, 0.1, 0.2]))
    out = []
    for neg, pos in cases:
        y = [0] * len(neg) + [1] * len(pos)
        out.append({"negatives": [float(v) for v in neg], "positives": [float(v) for v in pos],
                    "auroc": float(roc_auc_score(y, list(neg) + list(pos)))})
    write("auroc.json", {"cases": out})


# 4. KL / Jensen-Shannon ---------------------------------------------------------------------------
def divergence():
    pairs = []
    for classes in (2, 2, 3, 5, 10):
        p = rng.dirichlet(np.ones(classes))
        q = rng.dirichlet(np.ones(classes))
        pairs.append((p, q))
    p = np.array([0.5, 0.5, 0.0])        # p has a zero: that term contributes 0
    q = np.array([0.2, 0.3, 0.5])
    pairs.append((p, q))
    pairs.append((np.array([0.9, 0.1]), np.array([0.9, 0.1])))
    out = []
    for p, q in pairs:
        kl = float(np.sum(scipy.special.rel_entr(p, q)))
        js = float(scipy.spatial.distance.jensenshannon(p, q) ** 2)  # scipy returns sqrt(JS)
        out.append({"p": flat(p), "q": flat(q), "kl": kl, "js": js})
    kls = np.array([c["kl"] for c in out])
    summary = {"mean": float(np.mean(kls)), "std": float(np.std(kls)),
               "median": float(np.percentile(kls, 50)), "p90": float(np.percentile(kls, 90)),
               "p99": float(np.percentile(kls, 99)), "max": float(np.max(kls)), "min": float(np.min(kls))}
    write("divergence.json", {"pairs": out, "klSummary": summary})


# 5. Percentiles, mean, std ------------------------------------------------------------------------
def percentiles():
    qs = [0, 2.5, 10, 25, 50, 75, 90, 97.5, 99, 100]
    samples = [flat(rng.standard_normal(37)), [3.0], [1.0, 2.0], flat(rng.exponential(size=200)),
               [5.0, 1.0, 1.0, 3.0, 3.0, 3.0, 2.0]]
    out = []
    for s in samples:
        a = np.array(s)
        out.append({"values": s, "q": qs, "percentiles": flat(np.percentile(a, qs)),
                    "mean": float(np.mean(a)), "std": float(np.std(a)),
                    "stdSample": float(np.std(a, ddof=1)) if len(s) > 1 else None})
    write("percentiles.json", {"cases": out})


# 6. Linear CKA ------------------------------------------------------------------------------------
def cka_formula(X, Y):
    Xc = X - X.mean(axis=0)
    Yc = Y - Y.mean(axis=0)
    return float(np.linalg.norm(Yc.T @ Xc, "fro") ** 2
                 / (np.linalg.norm(Xc.T @ Xc, "fro") * np.linalg.norm(Yc.T @ Yc, "fro")))


def cka():
    cases = []
    X = grid(rng.standard_normal((40, 12)))
    Y = grid(rng.standard_normal((40, 7)))
    cases.append(("independent, feature space", X, Y))
    A = rng.standard_normal((12, 9))
    cases.append(("related, feature space", X, grid(X @ A + 0.5 * rng.standard_normal((40, 9)))))
    X = grid(rng.standard_normal((10, 12)) + 3)
    Y = grid(np.hstack([X, X]) @ rng.standard_normal((24, 20)) * 0.2 + rng.standard_normal((10, 20)))
    cases.append(("n < d1 + d2, sample space", X, Y))
    out = [{"name": name, "rows": int(X.shape[0]), "xColumns": int(X.shape[1]),
            "yColumns": int(Y.shape[1]), "x": flat(X), "y": flat(Y), "cka": cka_formula(X, Y)}
           for name, X, Y in cases]
    write("cka.json", {"cases": out})


# 7. kNN neighbour sets ----------------------------------------------------------------------------
def neighbours(E, k):
    """Brute force: cosine in float64, self excluded, similarity descending then index ascending."""
    norms = np.linalg.norm(E, axis=1)
    S = (E @ E.T) / np.outer(norms, norms)
    result = []
    for i in range(len(E)):
        idx = np.array([j for j in range(len(E)) if j != i])
        sims = S[i, idx]
        order = np.lexsort((idx, -sims))
        ranked = idx[order]
        top = sims[order]
        # Guard the fixture against near-ties that float rounding could order differently: any two
        # similarities among the first k+1 must either be equal because the vectors are identical,
        # or be clearly apart.
        for a in range(min(k + 1, len(top)) - 1):
            if abs(top[a] - top[a + 1]) < 1e-9:
                assert np.array_equal(E[ranked[a]], E[ranked[a + 1]]), f"near-tie at item {i}"
        result.append([int(v) for v in ranked[:k]])
    return result


def knn():
    cases = []
    A = grid(rng.standard_normal((60, 16)))
    B = grid(A + 0.6 * rng.standard_normal((60, 16)))
    cases.append(("perturbed", A, B, 5))
    # Duplicated rows make exact ties: the lower index must come first.
    base = rng.integers(-5, 6, (24, 8)).astype(np.float64)
    A = np.vstack([base, base[[3, 7, 7, 11]]])           # items 24..27 copy 3, 7, 7, 11
    B = np.vstack([base[::-1], base[[0, 1, 2, 3]]])
    cases.append(("exact ties from duplicates", A, B, 4))
    out = []
    for name, A, B, k in cases:
        na, nb = neighbours(A, k), neighbours(B, k)
        per = [len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(na, nb)]
        out.append({"name": name, "rows": int(A.shape[0]), "columns": int(A.shape[1]), "k": k,
                    "a": flat(A), "b": flat(B), "neighboursA": na, "neighboursB": nb,
                    "jaccardPerItem": per, "jaccardMean": float(np.mean(per))})
    write("knn.json", {"cases": out})


# 8. Deep nearest neighbours -----------------------------------------------------------------------
def deep_knn():
    d, k = 8, 5
    centre = rng.standard_normal(d) * 2
    train = grid(centre + rng.standard_normal((50, d)))
    val = grid(centre + rng.standard_normal((20, d)))
    test = grid(centre + rng.standard_normal((20, d)))
    ood = grid(0.6 * centre + 1.2 * rng.standard_normal((20, d)))  # overlapping, so AUROC < 1

    def unit(E):
        return E / np.linalg.norm(E, axis=1, keepdims=True)

    def scores(Q):
        D = np.linalg.norm(unit(Q)[:, None, :] - unit(train)[None, :, :], axis=2)
        return np.sort(D, axis=1)[:, k - 1]

    sv, st, so = scores(val), scores(test), scores(ood)
    threshold = float(np.sort(sv)[math.ceil(0.95 * len(sv)) - 1])
    assert np.all(np.abs(np.concatenate([st, so]) - threshold) > 1e-6), "score too close to threshold"
    y = [0] * len(st) + [1] * len(so)
    write("deep_knn.json", {
        "columns": d, "k": k, "train": flat(train), "validation": flat(val), "test": flat(test),
        "outOfDistribution": flat(ood), "validationScores": flat(sv), "testScores": flat(st),
        "outOfDistributionScores": flat(so), "threshold": threshold,
        "flaggedTest": [int(i) for i in np.nonzero(st > threshold)[0]],
        "flaggedOutOfDistribution": [int(i) for i in np.nonzero(so > threshold)[0]],
        "auroc": float(roc_auc_score(y, np.concatenate([st, so])))})


# 9. PIEs ------------------------------------------------------------------------------------------
def pies():
    items, classes = 40, 3
    labels = rng.integers(0, classes, items)
    ref = np.where(rng.random((5, items)) < 0.8, labels, rng.integers(0, classes, (5, items)))
    var = np.where(rng.random((4, items)) < 0.6, labels, rng.integers(0, classes, (4, items)))
    # scipy.stats.mode returns the smallest of tied modes: the rule the Swift code documents.
    mr = scipy.stats.mode(ref, axis=0, keepdims=False).mode
    mv = scipy.stats.mode(var, axis=0, keepdims=False).mode
    pie = np.nonzero(mr != mv)[0]
    rest = np.nonzero(mr == mv)[0]
    assert len(pie) > 0 and len(rest) > 0
    write("pies.json", {
        "labels": [int(v) for v in labels], "reference": ref.astype(int).tolist(),
        "variant": var.astype(int).tolist(), "referenceModal": [int(v) for v in mr],
        "variantModal": [int(v) for v in mv], "pies": [int(v) for v in pie],
        "referenceOnPIEs": float(np.mean(mr[pie] == labels[pie])),
        "variantOnPIEs": float(np.mean(mv[pie] == labels[pie])),
        "referenceOnOthers": float(np.mean(mr[rest] == labels[rest])),
        "variantOnOthers": float(np.mean(mv[rest] == labels[rest]))})


# 10. Random-overlap baseline and the PRNG ---------------------------------------------------------
def baseline_and_prng():
    cases = []
    for a, b, n in [(10, 10, 99), (5, 7, 20), (0, 3, 10), (50, 60, 100), (3, 3, 3), (1, 1, 1000),
                    (800, 1000, 10000)]:
        dist = scipy.stats.hypergeom(n, a, b)  # population n, a successes, b draws
        xs = np.arange(max(0, a + b - n), min(a, b) + 1)
        e = float(np.sum(dist.pmf(xs) * xs / (a + b - xs))) if a + b > 0 else 1.0
        cases.append({"a": a, "b": b, "n": n, "expected": e})

    # SplitMix64 from Vigna's splitmix64.c, written out again here.
    mask = (1 << 64) - 1
    state = 1234567
    outputs = []
    for _ in range(6):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        outputs.append(str(z ^ (z >> 31)))  # as strings: JSON numbers above 2^53 lose digits
    write("baseline_prng.json", {"jaccardBaseline": cases,
                                 "splitMix64": {"seed": 1234567, "outputs": outputs}})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    logistic_regression()
    mcnemar()
    auroc()
    divergence()
    percentiles()
    cka()
    knn()
    deep_knn()
    pies()
    baseline_and_prng()

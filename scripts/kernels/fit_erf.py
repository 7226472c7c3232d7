"""Fits the rational erf of Kernels/portable/common.cl (erf_rational_*): erf(x) ~ x P(x^2) / Q(x^2)
on [0, 4] with Q(0) = 1, by iterated linearised least squares (Loeb's method), then checks the
fit evaluated in float32 (Horner, as the kernel does) against math.erf, and the GELU built on it.

Usage: .venv/bin/python scripts/kernels/fit_erf.py [P terms] [Q terms]   (the kernel's: 6 6)
Prints the coefficients (lowest power first) and the errors quoted in common.cl.
"""
import sys
from math import erf

import numpy as np

n_p, n_q = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (6, 6)
# Dense points with Chebyshev-like clustering at the ends of [0, 4].
xs = np.concatenate([np.linspace(0, 4, 6000), 4 * np.cos(np.linspace(0, np.pi / 2, 4000))])
f = np.array([erf(v) for v in xs])
z = xs ** 2
w = np.ones_like(xs)
for _ in range(30):
    # f Q(z) = x P(z), linear in p0..p(n_p-1), q1..q(n_q-1), weighted by 1/Q of the last fit.
    a = np.column_stack([xs * z ** i for i in range(n_p)] + [-f * z ** j for j in range(1, n_q)])
    coef, *_ = np.linalg.lstsq(a * w[:, None], f * w, rcond=None)
    p, q = coef[:n_p], np.concatenate([[1.0], coef[n_p:]])
    w = 1 / np.abs(sum(q[j] * z ** j for j in range(n_q)))
exact = xs * sum(p[i] * z ** i for i in range(n_p)) * w
print("max |error|, exact arithmetic:", np.max(np.abs(exact - f)))
print("P:", [float(v) for v in p])
print("Q:", [float(v) for v in q])

x32 = np.linspace(-6, 6, 2_000_001).astype(np.float32)
c = np.clip(x32, -4, 4).astype(np.float32)
z32 = (c * c).astype(np.float32)
pv, qv = np.float32(p[-1]), np.float32(q[-1])
for a_ in p[-2::-1]:
    pv = (pv * z32 + np.float32(a_)).astype(np.float32)
for a_ in q[-2::-1]:
    qv = (qv * z32 + np.float32(a_)).astype(np.float32)
r = np.clip((c * pv / qv).astype(np.float32), -1, 1)
ref = np.array([erf(float(v)) for v in x32])
print("max |error|, float32 evaluation:", np.max(np.abs(r - ref)))
gelu, gelu_ref = 0.5 * x32 * (1 + r.astype(np.float64)), 0.5 * x32 * (1 + ref)
print("GELU max |error| / max(1, |GELU|):", np.max(np.abs(gelu - gelu_ref) / np.maximum(1, np.abs(gelu_ref))))

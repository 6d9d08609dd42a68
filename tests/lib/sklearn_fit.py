#!/usr/bin/python3
# scikit-learn's fit of a CSV (features..., label; '#' lines are comments)
# with the objective of reportd/metrics/winmodel.c: L2 with C = 1, the
# intercept unpenalised; prints the intercept, the coefficients, then each
# row's probability, one a line (as `test_winmodel --fit FILE` does).
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

data = np.loadtxt(sys.argv[1], delimiter=",", comments="#")
x, y = data[:, :-1], data[:, -1]
m = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-12, max_iter=1000)
m.fit(x, y)
for v in [m.intercept_[0], *m.coef_[0], *m.predict_proba(x)[:, 1]]:
    print("%.10f" % v)

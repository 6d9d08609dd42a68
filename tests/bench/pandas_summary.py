"""The Pareto + RFM summary of crmx's metrics engine in pandas, the way an
analyst would write it in a notebook: the baseline of `make bench`.

usage: pandas_summary.py REVENUE.csv AS_OF WINDOW_DAYS
Prints: n total top20_share gini A-accounts, then the RFM row count, then
the seconds of the computation alone (after reading the CSV)."""
import sys
import time

import numpy as np
import pandas as pd

path, as_of, window = sys.argv[1], pd.Timestamp(sys.argv[2]), int(sys.argv[3])
df = pd.read_csv(path, parse_dates=["day"])
t_read = time.monotonic()

# Concentration of net revenue in the window (docs/metrics.md section 1).
start = as_of - pd.Timedelta(days=window - 1)
w = df[(df.day >= start) & (df.day <= as_of)]
net = w.groupby("account_id")["amount"].sum()
net = net[net > 0].reset_index()
net = net.sort_values(["amount", "account_id"], ascending=[False, True])
v = net["amount"].to_numpy()
n, total = len(v), v.sum()
cum = np.cumsum(v)
k = max(int(np.floor((2 * n + 5) / 10)), 1)
top20 = cum[k - 1] / total
asc = v[::-1]
gini = 2 * np.sum(np.arange(1, n + 1) * asc) / (n * total) - (n + 1) / n
a_count = int(np.sum((cum - v) < 0.8 * total))
print(n, "%.2f" % total, "%.6f" % top20, "%.6f" % gini, a_count)

# RFM per account: a purchase is a day with a row >= 0 (docs/metrics.md section 2).
h = df[df.day <= as_of]
days = h.groupby(["account_id", "day"]).agg(net=("amount", "sum"), maxamt=("amount", "max"))
days = days[days.maxamt >= 0].reset_index()
g = days.groupby("account_id")["day"]
rfm = pd.DataFrame({"first": g.min(), "last": g.max(), "count": g.count()})
rfm["x"] = rfm["count"] - 1
rfm["t_x"] = (rfm["last"] - rfm["first"]).dt.days / 7.0
rfm["T"] = (as_of - rfm["first"]).dt.days / 7.0
print(len(rfm))
print("%.3f" % (time.monotonic() - t_read))  # the computation alone, after read_csv

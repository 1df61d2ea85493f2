#!/usr/bin/env python3
"""Recompute a run's experiment figures from results.json alone, with statsmodels, SciPy and lifelines.

Usage: recompute_experiment.py RESULTS_JSON

For every comparison: each proportion's Wald p-value and interval from the counts; θ, the adjusted lift
and p-value of CUPED from the covariate summaries and the outcome means and standard deviations; the
log-rank statistic from the table of users at risk, events and censorings. Prints the largest
relative (p-values, θ, log-rank) and absolute (intervals, lifts) differences; exits 1 if any is
above 1e-9.
"""

import json
import sys

import numpy as np
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def proportion(m, worst):
    t, c = m["treatment"], m["control"]
    if m["kind"] != "proportion" or m.get("p_value") is None:
        return
    args = (t["successes"], t["users"], c["successes"], c["users"])
    test = test_proportions_2indep(*args, method="wald", correction=False)
    lower, upper = confint_proportions_2indep(*args, method="wald")
    worst["p_value"] = max(worst["p_value"], relative(test.pvalue, m["p_value"]))
    worst["interval"] = max(worst["interval"], abs(lower - m["lower"]), abs(upper - m["upper"]))


def cuped(m, worst):
    cu = m.get("cuped")
    if not cu:
        return
    t, c = m["treatment"], m["control"]
    a, b = cu["treatment_covariate"], cu["control_covariate"]
    n1, n0 = a["users"], b["users"]
    y1, y0 = t["mean"], c["mean"]
    mx = (n1 * a["mean"] + n0 * b["mean"]) / (n1 + n0)
    my = (n1 * y1 + n0 * y0) / (n1 + n0)
    sxy = ((n1 - 1) * a["covariance_with_outcome"] + (n0 - 1) * b["covariance_with_outcome"]
           + n1 * (a["mean"] - mx) * (y1 - my) + n0 * (b["mean"] - mx) * (y0 - my))
    sxx = ((n1 - 1) * a["variance"] + (n0 - 1) * b["variance"]
           + n1 * (a["mean"] - mx) ** 2 + n0 * (b["mean"] - mx) ** 2)
    theta = sxy / sxx
    worst["theta"] = max(worst["theta"], relative(theta, cu["theta"]))
    m1, m0 = y1 - theta * (a["mean"] - mx), y0 - theta * (b["mean"] - mx)
    worst["cuped_lift"] = max(worst["cuped_lift"], abs((m1 - m0) - cu["absolute_lift"]))
    if "p_value" in cu:
        v1 = t["standard_deviation"] ** 2 - 2 * theta * a["covariance_with_outcome"] + theta**2 * a["variance"]
        v0 = c["standard_deviation"] ** 2 - 2 * theta * b["covariance_with_outcome"] + theta**2 * b["variance"]
        test = stats.ttest_ind_from_stats(m1, np.sqrt(v1), n1, m0, np.sqrt(v0), n0, equal_var=False)
        worst["p_value"] = max(worst["p_value"], relative(test.pvalue, cu["p_value"]))


def log_rank(s, worst):
    if s is None or s.get("log_rank_chi_square") is None:
        return
    durations, events = [[], []], [[], []]
    for row in s["log_rank_table"]:
        for g in (0, 1):
            durations[g] += [row["day"]] * (row["events"][g] + row["censored"][g])
            events[g] += [1] * row["events"][g] + [0] * row["censored"][g]
    test = logrank_test(durations[0], durations[1], events[0], events[1])
    worst["log_rank"] = max(worst["log_rank"], relative(test.test_statistic, s["log_rank_chi_square"]))


def main(path):
    experiment = json.load(open(path))["experiment"]
    worst = dict.fromkeys(["p_value", "interval", "theta", "cuped_lift", "log_rank"], 0.0)
    for comparison in experiment["comparisons"]:
        for m in comparison["metrics"]:
            proportion(m, worst)
            cuped(m, worst)
        log_rank(comparison.get("survival"), worst)
    for key, value in worst.items():
        print(f"{key}: {value:.3g}")
    return 0 if max(worst.values()) <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

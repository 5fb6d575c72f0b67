"""Writes the length-controlled win-rate fixture and the values that AlpacaEval's own code gives on it.

Run (not in CI; needs numpy, pandas, patsy and scikit-learn, e.g. Debian bookworm's python3-sklearn 1.2.1,
python3-pandas 1.5.3, python3-patsy 0.5.3, numpy 1.24.2):

    git --git-dir=<tatsu-lab/alpaca_eval> show cd543a149df89434d8a54582c0151c0b945c3d20:src/alpaca_eval/metrics/glm_winrate.py > /tmp/glm_winrate.py
    (same for metrics/winrate.py and metrics/helpers.py)
    git --git-dir=<findalexli/mllm-dpo> show 67f651cea8464ebce8d8497069499fa919f9cfda:llava/eval/data/alpaca_eval/model_answer/annotation_alpaca_eval_gpt4.json > /tmp/ann.json
    /usr/bin/python3 make_expected.py /tmp /tmp/ann.json

What runs is the official code: get_length_controlled_winrate, _get_featurized_data, make_dmatrix_for_model,
logloss_continuous and get_winrate / describe_head2head, loaded from the files above. Three things are replaced:
- hf_hub_download returns this folder's df_gamed.csv (Hugging Face is out of reach here; the published df_gamed.csv
  was never seen, so this one is synthetic, in the layout the code reads: model, index, preference, std_delta_len,
  instruction_difficulty, not_gamed_baseline);
- alpaca_eval.utils is reduced to the two functions the metrics call (convert_to_dataframe, validate_alpacaeval_
  preference), as published;
- fit_LogisticRegressionCV needs scikit-learn >= 1.4 (metadata routing of true_prob / true_sample_weight to the
  scorer); for 1.2 it is written out here step by step as LogisticRegressionCV runs it: the same duplicated soft-label
  data and weights, GroupKFold's dealing of groups (with a stable argsort, as numpy 2 gives, see below), liblinear
  L1 fits for each C of logspace(-4, 4, 10), the official logloss_continuous on each test fold, the C with the
  highest summed score, and a refit on all rows.
The official tol=1e-4 stops liblinear early; the expected values use tol=1e-10 (the optimum the Java code solves
for), and the script prints how far the tol=1e-4 figures lie from them.
GroupKFold sorts groups with np.argsort, whose order among equal sizes is numpy's: numpy 2.x here returns them in
order (stable), numpy 1.24's introsort does not, so the official folds depend on the numpy version; we use the
stable order.
"""
import importlib.util
import json
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression

HERE = Path(__file__).resolve().parent
OFFICIAL, ANNOTATIONS = Path(sys.argv[1]), Path(sys.argv[2])
ROWS = list(range(60)) + [144, 199]  # the first 60 annotations (two unparsable) and two ties (identical outputs)


def write_fixture():
    rows = json.loads(ANNOTATIONS.read_text())
    keep = [{k: rows[i][k] for k in ("instruction", "output_1", "output_2", "preference")} for i in ROWS]
    (HERE / "annotations.json").write_text(json.dumps(keep, indent=1, ensure_ascii=False) + "\n")
    rng = np.random.RandomState(12)
    n = len(ROWS)
    difficulty = rng.normal(0, 1, n)
    frames = []
    for model, sign in (("gpt4_1106_preview_verbose", 1.0), ("gpt4_1106_preview_concise", -1.0)):
        std_delta_len = sign * np.abs(rng.normal(1.0, 0.6, n))
        z = 0.9 * np.tanh(std_delta_len) + difficulty * 0.8 + rng.normal(0, 0.5, n)
        preference = 1 / (1 + np.exp(z))
        frames.append(pd.DataFrame({"model": model, "index": np.arange(n), "preference": preference,
                                    "std_delta_len": std_delta_len, "instruction_difficulty": difficulty,
                                    "not_gamed_baseline": False}))
    df = pd.concat(frames, ignore_index=True)
    df.loc[n + 3, "preference"] = np.nan  # a gamed row without preference: left out of the fit, as any other
    df.to_csv(HERE / "df_gamed.csv", index=False)


def load(name, path, package):
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"{package}.{name}"] = module
    spec.loader.exec_module(module)
    return module


def official_modules():
    hub = types.ModuleType("huggingface_hub")
    hub.hf_hub_download = lambda **kwargs: str(HERE / "df_gamed.csv")
    sys.modules["huggingface_hub"] = hub
    pkg = types.ModuleType("alpaca_eval")
    pkg.__path__ = []
    sys.modules["alpaca_eval"] = pkg
    utils = types.ModuleType("alpaca_eval.utils")

    def convert_to_dataframe(data):
        return data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame.from_records(data)

    def validate_alpacaeval_preference(x, is_allow_nan=True):
        return (1 <= x <= 2) or (is_allow_nan and np.isnan(x))

    utils.convert_to_dataframe = convert_to_dataframe
    utils.validate_alpacaeval_preference = validate_alpacaeval_preference
    constants = types.ModuleType("alpaca_eval.constants")
    constants.DATASETS_TOKEN = None
    constants.DATASETS_FORCE_DOWNLOAD = False
    constants.DEFAULT_CACHE_DIR = None
    annotations_types = types.ModuleType("alpaca_eval.types")
    annotations_types.AnyLoadableDF = object  # only used in annotations
    for name, m in (("utils", utils), ("constants", constants), ("types", annotations_types)):
        sys.modules[f"alpaca_eval.{name}"] = m
        setattr(pkg, name, m)
    metrics = types.ModuleType("alpaca_eval.metrics")
    metrics.__path__ = []
    sys.modules["alpaca_eval.metrics"] = metrics
    load("helpers", OFFICIAL / "helpers.py", "alpaca_eval.metrics")
    load("winrate", OFFICIAL / "winrate.py", "alpaca_eval.metrics")
    return load("glm_winrate", OFFICIAL / "glm_winrate.py", "alpaca_eval.metrics")


def group_kfold(groups, n_splits):
    """sklearn GroupKFold._iter_test_indices, with argsort(kind="stable") (numpy 2's order for equal sizes)."""
    unique_groups, groups = np.unique(groups, return_inverse=True)
    n_samples_per_group = np.bincount(groups)
    indices = np.argsort(n_samples_per_group, kind="stable")[::-1]
    n_samples_per_group = n_samples_per_group[indices]
    n_samples_per_fold = np.zeros(n_splits)
    group_to_fold = np.zeros(len(unique_groups))
    for group_index, weight in enumerate(n_samples_per_group):
        lightest_fold = np.argmin(n_samples_per_fold)
        n_samples_per_fold[lightest_fold] += weight
        group_to_fold[indices[group_index]] = lightest_fold
    indices = group_to_fold[groups]
    return [np.where(indices == f)[0] for f in range(n_splits)]


def make_fit(glm, tol, max_iter, chosen):
    def fit_LogisticRegressionCV(data, col_y_true, is_ytrue_proba=True, n_splits=5, C=100, sample_weight=None,
                                 **kwargs):
        assert is_ytrue_proba and n_splits > 0 and sample_weight is not None
        # as the official function: duplicate the rows, labels 1 and 0, weights p * w and (1 - p) * w
        data = data.reset_index(drop=True).reset_index(drop=False, names=["group"])
        data_1 = data.copy()
        data_1["y"] = 1
        data_0 = data.copy()
        data_0[col_y_true] = 1 - data_0[col_y_true]
        data_0["y"] = 0
        data_dup = pd.concat([data_1, data_0], axis=0).reset_index(drop=True)
        true_prob = data_dup[col_y_true].to_numpy()
        true_sample_weight = np.concatenate([sample_weight, sample_weight], axis=0)
        weight = true_prob * true_sample_weight
        X = data_dup.drop(columns=[col_y_true, "y", "group"])
        y = data_dup["y"].to_numpy()

        def model(c):
            return LogisticRegression(C=c, random_state=123, dual=False, penalty="l1", solver="liblinear",
                                      fit_intercept=False, tol=tol, max_iter=max_iter)

        Cs = np.logspace(-4, 4, 10)  # LogisticRegressionCV's default Cs=10
        scores = np.zeros((n_splits, len(Cs)))
        for f, test in enumerate(group_kfold(data_dup["group"].to_numpy(), n_splits)):
            train = np.setdiff1d(np.arange(len(y)), test)
            for k, c in enumerate(Cs):
                m = model(c).fit(X.iloc[train], y[train], sample_weight=weight[train])
                pred = m.predict_proba(X.iloc[test])[:, 1]
                scores[f, k] = -glm.logloss_continuous(y[test], pred, true_prob[test], true_sample_weight[test])
        best = scores.sum(axis=0).argmax()
        chosen.append(Cs[best])
        return model(Cs[best]).fit(X, y, sample_weight=weight)

    return fit_LogisticRegressionCV


def run(glm, tol, max_iter):
    annotations = json.loads((HERE / "annotations.json").read_text())
    for a in annotations:  # the paper's file leaves these empty; alpaca_eval fills them when it annotates
        a["generator_1"], a["generator_2"], a["annotator"] = "text_davinci_003", "model", "alpaca_eval_gpt4"
    chosen = []
    glm.fit_LogisticRegressionCV = make_fit(glm, tol, max_iter, chosen)
    df = pd.DataFrame.from_records(annotations)
    out = glm.get_length_controlled_winrate(df, save_weights_dir=None, is_warn_extreme_changes=False)
    return {k: float(v) for k, v in out.items()}, chosen[0]


def main():
    if not (HERE / "annotations.json").exists() or "--rewrite" in sys.argv:
        write_fixture()
    glm = official_modules()
    official, c_official = run(glm, 1e-4, 100)
    tight, c_tight = run(glm, 1e-10, 100000)
    expected = dict(tight, C=c_tight)
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print("numpy", np.__version__, "pandas", pd.__version__, "sklearn", sklearn.__version__)
    print("tol=1e-10:", expected)
    print("tol=1e-4 (official default):", official, "C", c_official)
    for k in ("length_controlled_winrate", "lc_standard_error"):
        print(k, "tol 1e-4 minus tol 1e-10:", official[k] - tight[k])


if __name__ == "__main__":
    main()

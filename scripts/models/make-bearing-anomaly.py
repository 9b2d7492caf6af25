#!/usr/bin/python3
"""Writes bearing-anomaly.onnx: a vibration anomaly detector for the predictive-maintenance example.

Run with Debian's interpreter (/usr/bin/python3, packages python3-onnx and python3-numpy), not a pyenv/venv one.
It generates synthetic accelerometer windows from a healthy bearing (shaft tone + noise), computes four
features per window (rms, peak, crest factor, kurtosis), fits their mean and covariance, and writes a model
that scores a reading by its squared Mahalanobis distance from healthy (divided by 4, so ~1 is typical)
and flags it when the score passes the 99.9th percentile of healthy scores.

  input   features  float32 [batch, 4]   rms (g), peak (g), crest factor, kurtosis
  output  score     float32 [batch, 1]
  output  anomaly   bool    [batch]

Deterministic: a fixed seed, so re-running writes the same weights (same machine architecture).
"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240611
RATE_HZ, WINDOW, SHAFT_HZ = 12_800, 2_048, 29.5
FEATURES = ["rms_g", "peak_g", "crest_factor", "kurtosis"]


def window(rng, fault):
    t = np.arange(WINDOW) / RATE_HZ
    x = 0.35 * np.sin(2 * np.pi * SHAFT_HZ * t + rng.uniform(0, 2 * np.pi))
    x += 0.08 * np.sin(2 * np.pi * 2 * SHAFT_HZ * t + rng.uniform(0, 2 * np.pi))
    x += rng.normal(0, rng.uniform(0.08, 0.12), WINDOW)
    if fault:  # outer-race defect: decaying impulses at the ball-pass frequency
        bpfo = 3.58 * SHAFT_HZ
        for k in np.arange(rng.uniform(0, 1 / bpfo), t[-1], 1 / bpfo):
            n = int(k * RATE_HZ)
            ring = np.exp(-np.arange(WINDOW - n) / 12.0) * np.sin(2 * np.pi * 3_000 * np.arange(WINDOW - n) / RATE_HZ)
            x[n:] += fault * ring
    return x


def features(x):
    rms = np.sqrt(np.mean(x**2))
    peak = np.max(np.abs(x))
    kurt = np.mean((x - x.mean()) ** 4) / np.var(x) ** 2
    return [rms, peak, peak / rms, kurt]


def main(path):
    rng = np.random.default_rng(SEED)
    healthy = np.array([features(window(rng, 0)) for _ in range(2_000)])
    mean = healthy.mean(axis=0)
    # whitening matrix W with W W^T = inverse covariance, so ||(x - mean) W||^2 is the squared Mahalanobis distance
    w = np.linalg.cholesky(np.linalg.inv(np.cov(healthy, rowvar=False)))
    scores = np.sum(((healthy - mean) @ w) ** 2, axis=1) / len(FEATURES)
    threshold = float(np.quantile(scores, 0.999))

    init = [
        numpy_helper.from_array(mean.astype(np.float32), "mean"),
        numpy_helper.from_array(w.astype(np.float32), "whiten"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "feature_axis"),
        numpy_helper.from_array(np.array(threshold, dtype=np.float32), "threshold"),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centered"]),
        helper.make_node("MatMul", ["centered", "whiten"], ["white"]),
        helper.make_node("Mul", ["white", "white"], ["squared"]),
        helper.make_node("ReduceMean", ["squared"], ["score"], axes=[1], keepdims=1),
        helper.make_node("Squeeze", ["score", "feature_axis"], ["score_flat"]),
        helper.make_node("Greater", ["score_flat", "threshold"], ["anomaly"]),
    ]
    graph = helper.make_graph(
        nodes, "bearing_anomaly",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", len(FEATURES)])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1]),
         helper.make_tensor_value_info("anomaly", TensorProto.BOOL, ["batch"])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="lichen-scripts-models")
    model.ir_version = 7  # readable by onnxruntime 1.x and onnx >= 1.7
    model.doc_string = __doc__.split("\n")[0]
    helper.set_model_props(model, {"features": ",".join(FEATURES), "threshold": repr(threshold), "seed": str(SEED)})
    onnx.checker.check_model(model)
    onnx.save(model, path)

    rng = np.random.default_rng(SEED + 1)
    for label, fault in (("normal", 0), ("faulty", 0.6)):
        sample = np.array([features(window(rng, fault)) for _ in range(500)])
        s = np.sum(((sample - mean) @ w) ** 2, axis=1) / len(FEATURES)
        print(f"{label}: example features {np.round(sample[0], 3).tolist()}, flagged {np.mean(s > threshold):.1%}")
    print(f"threshold {threshold:.4f}; wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bearing-anomaly.onnx")

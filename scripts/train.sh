#!/usr/bin/env bash
# make train: retrain both NER models (always: the user asked; `python -m pipeline train-status` says whether
# their gold or reviewed labels moved on), refresh the calibration table from the leave-one-document-out
# scores (stage loo, then the frozen calibrate stage), then run the pipeline.
#
# The train and train_transformer stages are frozen in dvc.yaml, so `dvc repro` never trains (a fresh clone
# uses the models committed to git). This script runs those stages' own commands (read from dvc.yaml, so
# there is one definition), after removing their outputs as DVC would, then `dvc commit` writes into
# dvc.lock what the new models were trained on, and `dvc repro` re-runs what depends on them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python}
stage_field() { "$PY" -c 'import sys, yaml
s = yaml.safe_load(open("dvc.yaml"))["stages"][sys.argv[1]]
print(s["cmd"] if sys.argv[2] == "cmd" else " ".join(o if isinstance(o, str) else next(iter(o)) for o in s["outs"]))' "$1" "$2"; }

dvc repro labels  # the training documents and their reviewed labels, up to date
"$PY" -m pipeline train-status || true
for stage in train train_transformer; do
  rm -rf $(stage_field "$stage" outs)
  cmd=$(stage_field "$stage" cmd)
  echo "train: $cmd"
  eval "$cmd"
done
dvc repro loo  # the held-out mentions the calibration table is fitted on
cmd=$(stage_field calibrate cmd)
echo "train: $cmd"
eval "$cmd"
dvc commit --force train train_transformer calibrate
dvc repro
"$PY" -m pipeline train-status

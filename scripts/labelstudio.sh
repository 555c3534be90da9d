#!/usr/bin/env bash
# Label Studio, the pinned release (requirements-labelstudio.txt), in a virtual environment of its own.
#   scripts/labelstudio.sh install [VENV]            make VENV (default .venv-labelstudio): install the pins,
#                                                    and a migrated empty database (VENV/template) the tests copy
#   scripts/labelstudio.sh start [DATA_DIR] [PORT]   serve on 127.0.0.1:PORT (default 8080) with its data in
#                                                    DATA_DIR (default ~/.label-studio-pipeline); asks nothing
#                                                    of the internet (no version check, no analytics)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
VENV=${LABEL_STUDIO_VENV:-.venv-labelstudio}
export LATEST_VERSION_CHECK=false COLLECT_ANALYTICS=false SENTRY_DSN= FRONTEND_SENTRY_DSN=

case "${1:-}" in
install)
  VENV=${2:-$VENV}
  test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-labelstudio.txt
  # the database migrations take minutes: run them once here, into a template the test fixture copies
  rm -rf "$VENV/template.tmp" && mkdir -p "$VENV/template.tmp"
  LABEL_STUDIO_BASE_DATA_DIR="$VENV/template.tmp" DJANGO_SETTINGS_MODULE=core.settings.label_studio \
    "$VENV/bin/python" -c '
import os, sys, warnings
import label_studio
sys.path.insert(0, os.path.dirname(label_studio.__file__))
warnings.simplefilter("ignore")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
' >"$VENV/template.log" 2>&1 || { tail -20 "$VENV/template.log" >&2; exit 1; }
  rm -f "$VENV/template.tmp/.env"  # its secret key: each server makes its own
  rm -rf "$VENV/template" && mv "$VENV/template.tmp" "$VENV/template"
  ;;
start)
  DATA=${2:-$HOME/.label-studio-pipeline}
  PORT=${3:-8080}
  mkdir -p "$DATA"
  LABEL_STUDIO_BASE_DATA_DIR="$DATA" exec "$VENV/bin/label-studio" start --no-browser \
    --internal-host 127.0.0.1 --port "$PORT" --data-dir "$DATA" --enable-legacy-api-token
  ;;
*)
  sed -n '2,7p' "$0" >&2
  exit 2
  ;;
esac

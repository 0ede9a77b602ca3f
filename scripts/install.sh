#!/usr/bin/env bash
# Install osm-mec into the project's virtualenv, idempotently, on a fresh Debian/Ubuntu machine.
#
# Nothing goes into the system Python, so a PEP 668 "externally managed" python3 (Debian 12,
# Ubuntu 24.04) is fine. The venv is .venv/ in the repository (OSM_MEC_VENV overrides it),
# made with `${PYTHON:-python3} -m venv --system-site-packages` (packages the system Python
# already has are reused, pip puts the others in the venv); when that fails because Debian's
# venv module is not installed, python3-venv is installed with apt-get (as root, or through
# sudo). osm-mec is installed editable with the extras the README's commands need (chain,
# report, mep, meo: see setup.cfg; a bare `pip install osm-mec` is the core: build, validate,
# params) and Debian's redis-server (the sandbox's MEP); with --test its test extra
# (everything) and the Debian packages of the real servers the tests start.
# Usage: scripts/install.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${OSM_MEC_VENV:-.venv}"
TEST=""
[[ "${1:-}" == "--test" ]] && TEST=1
# cloud-init: `cloud-init schema`; openssh-server: the charm's SSH integration tests (their
# kubeadm/kubectl doubles run on Debian's /usr/bin/python3 with python3-yaml); redis-server:
# the MEP tests start their own (the package's service is not used).
APT_TEST_PACKAGES=(cloud-init openssh-server python3-yaml openssl redis-server)
# redis-server: the demo's sandbox runs a real MEP (and its own Redis) for the MEP KDU
APT_DEMO_PACKAGES=(redis-server)

apt_install() {  # apt_install PACKAGE...: install the Debian packages not installed yet
  local missing=() sudo=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install.sh: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "install.sh: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

venv_works() {
  [[ -x "$VENV/bin/python" ]] && grep -q "^include-system-site-packages = true" "$VENV/pyvenv.cfg" \
    && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

make_venv() {
  command -v "$PYTHON" >/dev/null || { echo "install.sh: $PYTHON not found: install Python 3.10 or newer" >&2; exit 1; }
  rm -rf "$VENV"
  "$PYTHON" -m venv --system-site-packages "$VENV" 2>/dev/null && return 0
  rm -rf "$VENV"
  command -v apt-get >/dev/null || { echo "install.sh: '$PYTHON -m venv' failed: install Python's venv module" >&2; exit 1; }
  local version
  version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  echo "install.sh: '$PYTHON -m venv' failed (Debian ships it separately): installing python3-venv" >&2
  apt_install python3-venv
  "$PYTHON" -m venv --system-site-packages "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install "python${version}-venv"; "$PYTHON" -m venv --system-site-packages "$VENV"; }
}

if [[ -n "$TEST" ]]; then apt_install "${APT_TEST_PACKAGES[@]}"; else apt_install "${APT_DEMO_PACKAGES[@]}"; fi
venv_works || make_venv

# pip runs only when what it installs changed (the packaging files, the extra, the interpreter)
extra="[chain,report,mep,meo]"
[[ -n "$TEST" ]] && extra="[test]"
stamp="$VENV/.osm-mec-installed"
wanted=$(cat setup.cfg pyproject.toml setup.py <(echo "$extra") <("$VENV/bin/python" -VV) | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
  echo "install.sh: installing osm-mec${extra} into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".${extra}"
  echo "$wanted" > "$stamp"
fi
echo "install.sh: osm-mec is installed in $VENV; to use it in your shell: source $VENV/bin/activate" >&2

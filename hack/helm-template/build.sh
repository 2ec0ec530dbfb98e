#!/usr/bin/env bash
# Builds hack/helm-template (our `helm template` stand-in, docs/helm-template.md) offline, from
# Debian's Go toolchain and its packaged Go libraries in /usr/share/gocode (GOPATH mode, no module
# download). Rebuilds only when a source is newer than the binary. Prints the binary's path.
# usage: hack/helm-template/build.sh [OUT]   (default OUT: .build-tools/helm-template in the clone)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/.build-tools/helm-template}
case $out in /*) ;; *) out=$PWD/$out ;; esac

fresh=1
[[ -x $out ]] || fresh=0
for src in "$here"/*.go "$here/build.sh"; do
  [[ $fresh == 1 && $src -nt $out ]] && fresh=0
done
if [[ $fresh == 1 ]]; then echo "$out"; exit 0; fi

pkgs=(golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev)
if ! dpkg -s "${pkgs[@]}" >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "helm-template: installing ${pkgs[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}") >&2
  else
    echo "helm-template: needs the Debian packages ${pkgs[*]} (or a helm binary on PATH)" >&2
    exit 1
  fi
fi

mkdir -p "$(dirname "$out")"
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS='' GOTOOLCHAIN=local \
  GOCACHE=${GOCACHE:-$repo/.build-tools/go-cache} \
  go build -o "$out.tmp" . >&2
mv "$out.tmp" "$out"
echo "$out"

#!/usr/bin/env bash
# Validates docker-compose.yml (and the demo overlay) with Docker Compose v1 from the Debian package,
# which needs no Docker engine for `config`. Checks that the file is valid with every required secret set,
# and that it refuses to start, naming the variable, when one is missing. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v docker-compose >/dev/null || { log "docker-compose not found: installing the OS package"; apt_install docker-compose; }

passed=0 failed=0
check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "  passed: $name"; else failed=$((failed + 1)); echo "  FAILED: $name" >&2; fi
}

secrets=(POSTGRES_PASSWORD=x REDIS_PASSWORD=x KEYCLOAK_ADMIN=x KEYCLOAK_ADMIN_PASSWORD=x OIDC_CLIENT_SECRET=x
  DATAKEEN_DP_CERT_PATH=/run/dataprotection.pfx DATAKEEN_DP_CERT_PASSWORD=x)
valid() { env -i PATH="$PATH" "${secrets[@]}" docker-compose -f docker-compose.yml "$@" config -q; }
rendered() { env -i PATH="$PATH" "${secrets[@]}" docker-compose -f docker-compose.yml "$@" config 2>/dev/null; }
refuses_without() {
  local missing="$1" rest=() s out
  for s in "${secrets[@]}"; do [ "${s%%=*}" = "$missing" ] || rest+=("$s"); done
  out="$(env -i PATH="$PATH" "${rest[@]}" docker-compose -f docker-compose.yml config -q 2>&1)" && return 1
  grep -q "$missing" <<<"$out"
}

check "docker-compose.yml is valid with its secrets set" valid
check "docker-compose.demo.yml overlays it validly" valid -f docker-compose.demo.yml
for var in POSTGRES_PASSWORD REDIS_PASSWORD KEYCLOAK_ADMIN KEYCLOAK_ADMIN_PASSWORD OIDC_CLIENT_SECRET DATAKEEN_DP_CERT_PATH DATAKEEN_DP_CERT_PASSWORD; do
  check "refuses to start without $var" refuses_without "$var"
done
check "demo data is off by default" bash -c 'rendered_out="$1"; grep -q "DemoData__Enabled: .false" <<<"$rendered_out"' _ "$(rendered)"
check "nginx uses the template run.sh renders" bash -c 'grep -q "deploy/nginx/templates:/etc/nginx/templates" docker-compose.yml && test -f deploy/nginx/templates/portal.conf.template'
check "the key ring certificate is mounted as a secret" bash -c 'rendered_out="$1"; grep -q "DataProtection__CertificatePath: /run/secrets/dataprotection_cert" <<<"$rendered_out" && grep -q "file: /run/dataprotection.pfx" <<<"$rendered_out"' _ "$(rendered)"
check "no admin/admin and no fixed client secret" bash -c '! grep -qiE "admin/admin|datakeen-portal-dev-secret|PASSWORD:-" docker-compose.yml deploy/keycloak/datakeen-realm.json'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

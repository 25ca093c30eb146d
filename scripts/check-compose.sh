#!/usr/bin/env bash
# Static checks of docker-compose.yml, its demo overlay and the files they mount (no Docker engine needed):
# `docker-compose config` (Compose v1 from the Debian package, installed when missing) renders the stack with
# placeholder secrets, and the rendered configuration is checked for what a deployment must never get wrong:
#   - every secret is required (${VAR:?}) and the stack refuses to start, naming it, without any of them;
#   - every ${VAR} of the Keycloak realm and the nginx templates is given to the container that renders it
#     (Keycloak and nginx keep an unresolved placeholder verbatim: a secret anyone can read in the repository);
#   - nothing but the public entry (nginx) publishes a port: no admin console, management port, database,
#     Redis or metrics listener on the host;
#   - Keycloak in production mode on its own PostgreSQL, exact redirect URIs, the back-channel logout URL;
#   - a one-shot migration and replicas that do not migrate, as a role that owns nothing;
#   - resource limits, log rotation and pinned image versions on every service;
#   - deploy/compose.env.example names every variable the stack reads.
# Prints "N passed, N failed". COMPOSE_DIR=<dir> checks the files of another checkout (e.g. an old revision).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DIR="${COMPOSE_DIR:-$PWD}"
command -v docker-compose >/dev/null || { log "docker-compose not found: installing the OS package"; apt_install docker-compose; }

passed=0 failed=0
check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "  passed: $name"; else failed=$((failed + 1)); echo "  FAILED: $name" >&2; fi
}

# The secrets the stack needs: each must be ${VAR:?...}, with no default anywhere.
SECRETS=(POSTGRES_PASSWORD PORTAL_DB_PASSWORD KEYCLOAK_DB_PASSWORD REDIS_PASSWORD KEYCLOAK_ADMIN KEYCLOAK_ADMIN_PASSWORD
  OIDC_CLIENT_SECRET DATAKEEN_GATEWAY_CLIENT_SECRET DATAKEEN_DP_CERT_PASSWORD)
# Every required variable of the file, with a placeholder value.
mapfile -t REQUIRED < <(grep -oE '\$\{[A-Za-z_][A-Za-z0-9_]*:\?' "$DIR/docker-compose.yml" | sed -E 's/^\$\{//; s/:\?$//' | sort -u)
env_for() {
  local skip="${1:-}" v out=()
  for v in "${REQUIRED[@]}"; do
    [ "$v" = "$skip" ] && continue
    case "$v" in
      DATAKEEN_DP_CERT_PATH) out+=("$v=/run/dataprotection.pfx") ;;
      *_URL) out+=("$v=https://$(tr 'A-Z_' 'a-z-' <<<"$v").example") ;;
      *) out+=("$v=placeholder-$v") ;;
    esac
  done
  printf '%s\n' "${out[@]}"
}
compose() { (cd "$DIR" && env -i PATH="$PATH" $(env_for "${SKIP:-}") docker-compose "$@"); }

RENDERED="$(mktemp)"; trap 'rm -f "$RENDERED"' EXIT
compose -f docker-compose.yml config >"$RENDERED" 2>/dev/null

check "docker-compose.yml is valid with its required variables set" compose -f docker-compose.yml config -q
check "docker-compose.demo.yml overlays it validly" compose -f docker-compose.yml -f docker-compose.demo.yml config -q
for var in "${SECRETS[@]}" DATAKEEN_DP_CERT_PATH; do
  refuses() {
    local out
    out="$(SKIP="$1" compose -f docker-compose.yml config -q 2>&1)" && return 1
    grep -q "$1" <<<"$out"
  }
  check "refuses to start without $var, naming it" refuses "$var"
done

# The structural checks read the rendered configuration (YAML; python3-yaml comes with docker-compose).
python_checks() {
  DIR="$DIR" RENDERED="$RENDERED" SECRETS="${SECRETS[*]}" python3 - <<'PY'
import json, os, re, sys, glob
import yaml

d = os.environ["DIR"]
cfg = yaml.safe_load(open(os.environ["RENDERED"])) or {}
services = cfg.get("services", {})
raw = open(os.path.join(d, "docker-compose.yml")).read()
results = []

def check(name, ok, why=""):
    results.append((name, bool(ok), why))

def env_of(service):
    e = (services.get(service) or {}).get("environment") or {}
    if isinstance(e, list):
        e = dict(x.split("=", 1) if "=" in x else (x, "") for x in e)
    return {k: ("" if v is None else str(v)) for k, v in e.items()}

placeholder = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")

# Secrets: required, never defaulted.
for s in os.environ["SECRETS"].split():
    check(f"{s} is required (${{{s}:?}}) and never defaulted",
          f"${{{s}:?" in raw and not re.search(r"\$\{" + s + r":?-", raw), "")

# Keycloak's realm, rendered with Keycloak's own environment: no ${...} left.
kc = next((n for n, s in services.items() if "keycloak/keycloak" in str(s.get("image", ""))), None)
kc_env = env_of(kc) if kc else {}
for realm in sorted(glob.glob(os.path.join(d, "deploy/keycloak/*.json"))):
    text = open(realm).read()
    left = sorted({m.group(1) for m in placeholder.finditer(text) if m.group(1) not in kc_env})
    check(f"{os.path.relpath(realm, d)} has no placeholder Keycloak leaves unresolved", not left,
          "not given to the keycloak service: " + ", ".join(left))

# nginx templates, rendered with the proxy's environment (the image's envsubst keeps unknown names verbatim).
proxy = next((n for n, s in services.items() if str(s.get("image", "")).startswith("nginx")), None)
px_env = env_of(proxy) if proxy else {}
for template in sorted(glob.glob(os.path.join(d, "deploy/nginx/templates/*.template"))):
    text = open(template).read()
    left = sorted({m.group(1) for m in placeholder.finditer(text) if m.group(1) not in px_env})
    check(f"{os.path.relpath(template, d)} has no placeholder nginx leaves unresolved", not left,
          "not given to the proxy service: " + ", ".join(left))

# Nothing but nginx publishes a port.
for name, s in services.items():
    ports = s.get("ports") or []
    if ports and name != proxy:
        check(f"service {name} publishes no port (only the public entry does)", False, f"ports: {ports}")
check("only the public entry (nginx) publishes ports", all(not (s.get("ports")) or n == proxy for n, s in services.items()))

# Keycloak: production mode, its own PostgreSQL with a volume, the secrets it renders into the realm.
cmd = kc and services[kc].get("command")
cmd = " ".join(cmd) if isinstance(cmd, list) else str(cmd or "")
check("Keycloak runs in production mode (start, not start-dev)", kc and "start-dev" not in cmd and re.search(r"\bstart\b", cmd), cmd)
db_url = kc_env.get("KC_DB_URL", "")
db_host = re.sub(r"^jdbc:postgresql://([^:/]+).*", r"\1", db_url)
check("Keycloak keeps its data in its own PostgreSQL with a volume",
      kc_env.get("KC_DB") == "postgres" and db_host in services and db_host != "postgres"
      and any(":/var/lib/postgresql/data" in str(v) or "/var/lib/postgresql/data" in str(v) for v in services[db_host].get("volumes", [])),
      f"KC_DB={kc_env.get('KC_DB')} KC_DB_URL={db_url}")
realm = json.load(open(os.path.join(d, "deploy/keycloak/datakeen-realm.json")))
check("the realm requires TLS for external requests", realm.get("sslRequired") in ("external", "all"), realm.get("sslRequired"))
portal_client = next(c for c in realm["clients"] if c["clientId"] == "datakeen-portal")
uris = portal_client.get("redirectUris", []) + portal_client.get("attributes", {}).get("post.logout.redirect.uris", "").split("##")
check("the portal client's redirect URIs are exact (no wildcard)", uris and not any("*" in u for u in uris), uris)
check("the portal client has a back-channel logout URL", portal_client.get("attributes", {}).get("backchannel.logout.url"))
gateway = next((c for c in realm["clients"] if c["clientId"] == "datakeen-gateway"), None)
check("the gateway client's secret comes from the environment, required", gateway and
      gateway.get("secret", "").startswith("${") and placeholder.match(gateway["secret"]).group(1) in kc_env
      and f"{placeholder.match(gateway['secret']).group(1)}:?" in raw)

# Migrations: one-shot, as the owner; replicas do not migrate and connect as another role.
migrate = next((n for n, s in services.items() if s.get("command") in (["migrate"], "migrate")), None)
portal = next((n for n, s in services.items() if "ConnectionStrings__Portal" in env_of(n) and n != migrate), None)
p_env = env_of(portal) if portal else {}
m_env = env_of(migrate) if migrate else {}
user = lambda cs: (re.search(r"Username=([^;]+)", cs or "") or [None, None])[1]
check("a one-shot migration service runs before the replicas", migrate and portal and
      (services[portal].get("depends_on") or {}).get(migrate, {}).get("condition") == "service_completed_successfully")
check("the replicas do not migrate (Database__MigrateOnStartup=false)", p_env.get("Database__MigrateOnStartup", "").lower() == "false")
check("the replicas use another database role than the migration", user(p_env.get("ConnectionStrings__Portal")) and
      user(p_env.get("ConnectionStrings__Portal")) != user(m_env.get("ConnectionStrings__Portal")))
check("the runtime role is created with data privileges only (deploy/postgres/initdb)",
      any("NOSUPERUSER" in open(f).read() and "ALTER DEFAULT PRIVILEGES" in open(f).read()
          for f in glob.glob(os.path.join(d, "deploy/postgres/initdb/*"))))

# The verify API: the service-token check must be able to read the provider the way the sign-in does.
check("the portal reads the provider's metadata inside the network", p_env.get("Oidc__MetadataAddress", "").startswith("http://"))
check("service tokens carry the portal API's own audience", p_env.get("ServiceApi__Audience") == "datakeen-portal-api"
      and any(m.get("config", {}).get("included.custom.audience") == "datakeen-portal-api"
              for s in realm["clientScopes"] for m in s.get("protocolMappers", [])))
check("forwarded headers are trusted from known proxies only", p_env.get("ForwardedHeaders__KnownProxies") or p_env.get("ForwardedHeaders__KnownNetworks"))
check("ASPNETCORE_FORWARDEDHEADERS_ENABLED (trusts any proxy) is not used", "ASPNETCORE_FORWARDEDHEADERS_ENABLED" not in p_env)

# Operations: limits, log rotation, pinned images.
for name, s in services.items():
    limits = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    if s.get("restart") == "no" or s.get("command") in (["migrate"], "migrate"):
        continue
    check(f"service {name} has CPU and memory limits", limits.get("memory") and limits.get("cpus"), limits)
    log = s.get("logging") or {}
    check(f"service {name} rotates its logs", (log.get("options") or {}).get("max-size") and (log.get("options") or {}).get("max-file"), log)
for name, s in services.items():
    image = str(s.get("image", ""))
    if s.get("build"):
        continue
    # A full version (PostgreSQL's have two parts since 10), or a digest: no "latest", "15", "7-alpine", "26.0".
    full = r":\d+\.\d+(-[a-z0-9.]+)?$" if re.match(r"(docker\.io/)?(library/)?postgres:", image) else r":\d+\.\d+\.\d+(-[a-z0-9.]+)?$"
    check(f"service {name}'s image is pinned to a version ({image})", re.search(full + "|@sha256:[0-9a-f]{64}$", image))

# SMTP and every variable in the example environment file.
check("the portal is given its SMTP settings", all(k in p_env for k in ("Smtp__Host", "Smtp__Port", "Smtp__Security", "Smtp__From")))
example = open(os.path.join(d, "deploy/compose.env.example")).read()
named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.M))
used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", raw))
check("deploy/compose.env.example names every variable docker-compose.yml reads", used <= named, ", ".join(sorted(used - named)))

failed = 0
for name, ok, why in results:
    print(("  passed: " if ok else "  FAILED: ") + name + ("" if ok or not why else f" ({why})"), file=sys.stdout if ok else sys.stderr)
    failed += 0 if ok else 1
print(f"PY {len(results) - failed} {failed}")
PY
}

while IFS= read -r line; do
  case "$line" in
    "PY "*) set -- $line; passed=$((passed + $2)); failed=$((failed + $3)) ;;
    *) echo "$line" ;;
  esac
done < <(python_checks 2>&1 || echo "PY 0 1")

check "demo data is off by default" grep -q "DemoData__Enabled: .false" "$RENDERED"
check "the key ring certificate is mounted as a secret" bash -c 'grep -q "DataProtection__CertificatePath: /run/secrets/dataprotection_cert" "$1" && grep -q "file: /run/dataprotection.pfx" "$1"' _ "$RENDERED"
check "no admin/admin and no fixed client secret" bash -c '! grep -qiE "admin/admin|datakeen-portal-dev-secret|datakeen-gateway-dev-secret|(PASSWORD|SECRET):-[^}]" "$1/docker-compose.yml" "$1"/deploy/keycloak/datakeen-realm.json' _ "$DIR"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

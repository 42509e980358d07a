#!/usr/bin/python3
"""REST side of the manila-placement test bed (stdlib only: urllib + json).

Called by testbed.sh; every subcommand is idempotent:

  wait-http URL [TIMEOUT]        wait until URL answers HTTP at all
  keystone-setup                 projects, users, roles, catalog, application credentials
  wait-manila [SINCE_EPOCH]      API answers, scheduler + 3 share backends up, 3 pools known
  fixtures                       share type, networks, shares, snapshot, access rule; facts
  quick-check                    exit 0 if services are up and fixtures are in place
  reset                          fixtures back to their initial placement; facts
  write-facts                    clouds.yaml and testbed.json
  smoke [SHARE_NAME] [HOST]      one real share server migration (check, start, complete)

Configuration comes from the environment that testbed.sh sets (MP_TB_*) and from
<state>/secrets.env.
"""
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request

STATE = os.environ.get("MP_TB_STATE", "/var/tmp/manila-placement-testbed")
T0 = int(os.environ.get("MP_TB_T0", str(int(time.time() * 1000))))
KS_PORT = int(os.environ.get("MP_TB_KS_PORT", "5000"))
KS_SHORT_PORT = int(os.environ.get("MP_TB_KS_SHORT_PORT", "5001"))
KS_SHORT_EXPIRATION = int(os.environ.get("MP_TB_KS_SHORT_EXPIRATION", "60"))
MANILA_PORT = int(os.environ.get("MP_TB_MANILA_PORT", "8786"))
HOST = os.environ.get("MP_TB_HOST", "node1")
BACKENDS = os.environ.get("MP_TB_BACKENDS", "alpha,beta,gamma").split(",")
# What each backend's driver does differently from the dummy driver (mp_testbed_drivers.py).
BACKEND_ROLES = {"faulty": "phase 1 fails (share_server_migration_continue raises)",
                 "readonly": "migration_check answers writable: false (rules cast read-only in phase 1)",
                 "delta": "driver_handles_share_servers = False: flat shares (share migration)",
                 "epsilon": "driver_handles_share_servers = False: flat shares (share migration)"}
CONTINUE_INTERVAL = int(os.environ.get("MP_TB_CONTINUE_INTERVAL", "5"))
DRIVER_DELAY = os.environ.get("MP_TB_DRIVER_DELAY", "2.0")
REGION = "RegionOne"
RELEASE = os.environ.get("MP_TB_RELEASE", "zed")

KS_URL = "http://127.0.0.1:%d/v3" % KS_PORT
KS_SHORT_URL = "http://127.0.0.1:%d/v3" % KS_SHORT_PORT
MANILA_ROOT = "http://127.0.0.1:%d" % MANILA_PORT
MANILA = MANILA_ROOT + "/v2"
MV = "2.73"  # Zed's maximum microversion; Epoxy (max 2.89) accepts it too. testbed.json reports
# the running release's maximum (manila.max_microversion, read from GET /).

SOURCE_HOST = "%s@%s" % (HOST, BACKENDS[0])
FIXTURE_COUNT = int(os.environ.get("MP_TB_SERVERS", "6"))
FIXTURE_PROJECT = "demo"
SHARE_TYPE = "dhss"
# Fixtures 1, 7, 13, ... also have a snapshot mp-snap-N and an access rule ip 10.254.0.N rw.
RICH_EVERY = 6
TMP_PREFIX = "mp-tmp-"
APPCRED_NAMES = {"admin": "mp-testbed-admin", "demo": "mp-testbed-demo"}

# Flat fixtures: shares without share servers (driver_handles_share_servers = False) on
# node1@delta, for share migration. Each has an access rule; odd ones also a snapshot.
FLAT_BACKEND = "delta"
FLAT_HOST = "%s@%s" % (HOST, FLAT_BACKEND)
FLAT_TYPE = "mp-flat"
FLAT_COUNT = 4

IN_FLIGHT_WAIT = ("migration_starting", "migration_in_progress", "migration_driver_starting",
                  "migration_completing")
CANCELLABLE = ("migration_driver_in_progress", "migration_driver_phase1_done")


def sn_name(i):
    return "mp-sn-%d" % i


def share_name(i):
    return "mp-share-%d" % i


def is_rich(i):
    return (i - 1) % RICH_EVERY == 0


def snap_name(i):
    return "mp-snap-%d" % i


def access_to(i):
    return "10.254.%d.%d" % (i // 250, i % 250) if i >= 250 else "10.254.0.%d" % i


def fixture_index(name):
    """N of mp-share-N, else None."""
    if name and name.startswith("mp-share-") and name[len("mp-share-"):].isdigit():
        return int(name[len("mp-share-"):])
    return None


def flat_name(i):
    return "mp-flat-%d" % i


def flat_snap_name(i):
    return "mp-flat-snap-%d" % i


def flat_access_to(i):
    return "10.253.0.%d" % i


def flat_has_snapshot(i):
    return i % 2 == 1


class TBError(Exception):
    pass


def log(msg):
    d = int(time.time() * 1000) - T0
    sys.stdout.write("[%s +%d.%ds] %s\n" % (time.strftime("%H:%M:%S"), d // 1000, (d % 1000) // 100, msg))
    sys.stdout.flush()


def load_secrets():
    path = os.path.join(STATE, "secrets.env")
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
    return out


SECRETS = {}


def secret(name):
    global SECRETS
    if not SECRETS:
        SECRETS = load_secrets()
    return SECRETS[name]


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------
class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None


def http(method, url, body=None, headers=None, timeout=60, ok=(200, 201, 202, 204), what=None):
    data = json.dumps(body).encode() if body is not None else None
    h = {"Accept": "application/json"}
    if data is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            resp = Resp(r.status, dict(r.headers), r.read().decode())
    except urllib.error.HTTPError as e:
        resp = Resp(e.code, dict(e.headers), e.read().decode(errors="replace"))
    except (urllib.error.URLError, OSError) as e:
        raise TBError("%s %s: %s" % (method, url, getattr(e, "reason", e)))
    if ok is not None and resp.status not in ok:
        raise TBError("%s%s %s -> HTTP %d: %s" % (
            (what + ": ") if what else "", method, url, resp.status, resp.raw[:600]))
    return resp


# ---------------------------------------------------------------------------------------------
# Keystone
# ---------------------------------------------------------------------------------------------
_TOKENS = {}


def password_token(user, password, project, url=KS_URL):
    key = (user, project, url)
    if key in _TOKENS:
        return _TOKENS[key]
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
    r = http("POST", url + "/auth/tokens", body, what="keystone token for %s@%s" % (user, project))
    tok = (r.headers.get("X-Subject-Token") or r.headers.get("x-subject-token"), r.json["token"])
    _TOKENS[key] = tok
    return tok


def admin_token(project="admin"):
    return password_token("admin", secret("MP_ADMIN_PW"), project)[0]


def ks(method, path, body=None, token=None, ok=(200, 201, 204), what=None):
    return http(method, KS_URL + path, body, {"X-Auth-Token": token or admin_token()}, ok=ok, what=what)


def ks_find(path, key, name, token=None, extra=""):
    r = ks("GET", "%s?name=%s%s" % (path, name, extra), token=token)
    items = r.json[key]
    return items[0] if items else None


def keystone_setup():
    tok = admin_token()
    domain = "default"

    def ensure_project(name, desc):
        p = ks_find("/projects", "projects", name, extra="&domain_id=default")
        if not p:
            p = ks("POST", "/projects", {"project": {"name": name, "domain_id": domain,
                                                      "description": desc, "enabled": True}}).json["project"]
            log("keystone: created project %s" % name)
        return p

    def role_id(name):
        r = ks_find("/roles", "roles", name)
        if not r:
            r = ks("POST", "/roles", {"role": {"name": name}}).json["role"]
        return r["id"]

    def ensure_user(name, password, project):
        u = ks_find("/users", "users", name, extra="&domain_id=default")
        if not u:
            u = ks("POST", "/users", {"user": {"name": name, "domain_id": domain, "password": password,
                                                "default_project_id": project["id"], "enabled": True}}).json["user"]
            log("keystone: created user %s" % name)
        return u

    service = ensure_project("service", "service users of the manila-placement test bed")
    demo = ensure_project("demo", "member project of the manila-placement test bed; holds the fixtures")
    admin_p = ks_find("/projects", "projects", "admin", extra="&domain_id=default")
    admin_u = ks_find("/users", "users", "admin", extra="&domain_id=default")
    r_admin, r_member = role_id("admin"), role_id("member")
    manila_u = ensure_user("manila", secret("MP_MANILA_PW"), service)
    demo_u = ensure_user("demo", secret("MP_DEMO_PW"), demo)
    for proj, user, role in ((service, manila_u, r_admin), (demo, demo_u, r_member),
                             (demo, admin_u, r_admin), (admin_p, admin_u, r_admin)):
        ks("PUT", "/projects/%s/users/%s/roles/%s" % (proj["id"], user["id"], role), ok=(204,))
    patched = False
    for u, pw, proj in ((manila_u, secret("MP_MANILA_PW"), "service"), (demo_u, secret("MP_DEMO_PW"), "demo")):
        # Keep the password in step with the state dir's secrets, but only when it differs: a
        # password change revokes every token of the user issued in the same second (fernet
        # times have one-second resolution), including the ones we are about to ask for.
        try:
            password_token(u["name"], pw, proj)
        except TBError:
            ks("PATCH", "/users/%s" % u["id"], {"user": {"password": pw}})
            log("keystone: reset the password of %s" % u["name"])
            patched = True
    if patched:
        _TOKENS.clear()
        time.sleep(1.1)

    # catalog
    def ensure_service(stype, name, url):
        r = ks("GET", "/services?type=%s" % stype).json["services"]
        svc = r[0] if r else ks("POST", "/services", {"service": {
            "type": stype, "name": name, "description": "Manila (test bed)", "enabled": True}}).json["service"]
        eps = ks("GET", "/endpoints?service_id=%s" % svc["id"]).json["endpoints"]
        for iface in ("public", "internal", "admin"):
            mine = [e for e in eps if e["interface"] == iface and e.get("region_id") == REGION]
            if not mine:
                ks("POST", "/endpoints", {"endpoint": {"service_id": svc["id"], "interface": iface,
                                                       "region_id": REGION, "url": url, "enabled": True}})
                log("keystone: endpoint %s %s %s" % (stype, iface, url))
            elif mine[0]["url"] != url:
                ks("PATCH", "/endpoints/%s" % mine[0]["id"], {"endpoint": {"url": url}})
        return svc

    # keystone-manage bootstrap wrote the identity endpoints once; a later start on other ports
    # (MP_TESTBED_PORT_OFFSET) must move them too, or keystonemiddleware validates tokens
    # against a port nothing listens on (manila-api answers 503).
    ensure_service("identity", "keystone", KS_URL)
    ensure_service("sharev2", "manilav2", MANILA + "/$(project_id)s")
    ensure_service("shared-file-system", "manila", MANILA)

    # application credentials (the secret is ours, so reruns reuse it)
    for who, user, password, project in (("admin", admin_u, secret("MP_ADMIN_PW"), "admin"),
                                         ("demo", demo_u, secret("MP_DEMO_PW"), "demo")):
        utok = password_token(who, password, project)[0]
        name = APPCRED_NAMES[who]
        sec = secret("MP_%s_APPCRED_SECRET" % who.upper())
        r = ks("GET", "/users/%s/application_credentials?name=%s" % (user["id"], name), token=utok)
        found = r.json["application_credentials"]
        if found:
            ac = found[0]
            # verify the secret still works; recreate if not (e.g. secrets.env replaced)
            t = http("POST", KS_URL + "/auth/tokens", {"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": ac["id"], "secret": sec}}}}, ok=None)
            if t.status == 201:
                continue
            ks("DELETE", "/users/%s/application_credentials/%s" % (user["id"], ac["id"]), token=utok)
        ks("POST", "/users/%s/application_credentials" % user["id"], {"application_credential": {
            "name": name, "secret": sec, "description": "manila-placement test bed"}}, token=utok)
        log("keystone: application credential %s for %s" % (name, who))
    log("keystone: projects, users, roles, catalog and application credentials in place")


def keystone_facts():
    tok = admin_token()
    out = {"projects": {}, "users": {}, "application_credentials": {}}
    for name in ("admin", "demo", "service"):
        p = ks_find("/projects", "projects", name, token=tok, extra="&domain_id=default")
        out["projects"][name] = {"id": p["id"], "name": name}
    pw = {"admin": secret("MP_ADMIN_PW"), "demo": secret("MP_DEMO_PW"), "manila": secret("MP_MANILA_PW")}
    for name in ("admin", "demo", "manila"):
        u = ks_find("/users", "users", name, token=tok, extra="&domain_id=default")
        out["users"][name] = {"id": u["id"], "name": name, "password": pw[name],
                              "project": {"admin": "admin", "demo": "demo", "manila": "service"}[name]}
    for who, project in (("admin", "admin"), ("demo", "demo")):
        utok = password_token(who, pw[who], project)[0]
        uid = out["users"][who]["id"]
        acs = ks("GET", "/users/%s/application_credentials?name=%s" % (uid, APPCRED_NAMES[who]),
                 token=utok).json["application_credentials"]
        if not acs:
            raise TBError("application credential %s is missing (run start)" % APPCRED_NAMES[who])
        out["application_credentials"][who] = {
            "id": acs[0]["id"], "name": APPCRED_NAMES[who], "user": who, "project": project,
            "secret": secret("MP_%s_APPCRED_SECRET" % who.upper())}
    return out


# ---------------------------------------------------------------------------------------------
# Manila
# ---------------------------------------------------------------------------------------------
def mn(method, path, body=None, token=None, version=MV, ok=(200, 201, 202, 204), what=None, timeout=60):
    h = {"X-Auth-Token": token or admin_token(), "X-OpenStack-Manila-API-Version": version,
         "X-OpenStack-Manila-API-Experimental": "True"}
    return http(method, MANILA + path, body, h, ok=ok, what=what, timeout=timeout)


def parse_ts(s):
    if not s:
        return None
    s = s.rstrip("Z")
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.datetime.strptime(s, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            pass
    return None


def wait_http(url, timeout=60.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            r = http("GET", url, ok=None, timeout=5)
            return r.status
        except TBError as e:
            last = e
        time.sleep(0.25)
    raise TBError("%s did not answer within %ds (%s)" % (url, timeout, last))


def wanted_services():
    return [("manila-scheduler", HOST)] + [("manila-share", "%s@%s" % (HOST, b)) for b in BACKENDS]


def services_state(since=None):
    svcs = mn("GET", "/services", what="list services").json["services"]
    missing = []
    for binary, host in wanted_services():
        ok = False
        for s in svcs:
            if s["binary"] == binary and s["host"] == host:
                fresh = since is None or (parse_ts(s.get("updated_at")) or 0) >= since
                ok = s["state"] == "up" and s["status"] == "enabled" and fresh
        if not ok:
            missing.append("%s on %s" % (binary, host))
    return missing, svcs


# GET /scheduler-stats/pools answers from the scheduler's host-state cache (cached=True), which
# the scheduler rebuilds only when it is empty or when it schedules something (a share create,
# ...): no periodic refresh, no API to force one. If the first call comes before every backend's
# capability report has reached the scheduler, the hosts are cached without pools and the call
# answers [] (or some pools) until the next scheduling event. Zed has the same code but has not
# been seen to hit it; on Epoxy `start` hung in its wait for pools. So, on Epoxy, while pools are
# missing, wait_manila makes a scheduling pass now and then (refresh_pool_cache).
REFRESH_POOLS = RELEASE != "zed"
REFRESH_NAME = TMP_PREFIX + "pools-refresh"
REFRESH_NOWHERE = "mp-testbed-nowhere@none#none"  # only_host that no pool matches


def refresh_pool_cache():
    """One pass through the scheduler, which rebuilds its host-state cache from the capability
    reports it has: a share that no host may take (only_host matches none) is scheduled, fails
    (error, no host) and is deleted at once; its share network (mp-tmp-*) goes too. reset also
    removes both should this be interrupted."""
    st = ensure_share_type()
    nets = [n for n in list_networks() if n["name"] == REFRESH_NAME]
    net = nets[0] if nets else mn("POST", "/share-networks", {"share_network": {
        "name": REFRESH_NAME, "description": "manila-placement test bed: scheduler cache refresh"}},
        what="create share network %s" % REFRESH_NAME).json["share_network"]
    s = mn("POST", "/shares", {"share": {
        "name": REFRESH_NAME, "share_proto": "NFS", "size": 1, "share_type": st["id"],
        "share_network_id": net["id"], "description": "manila-placement test bed: scheduler cache refresh",
        "scheduler_hints": {"only_host": REFRESH_NOWHERE}}}, what="create share %s" % REFRESH_NAME).json["share"]

    def scheduled():
        r = mn("GET", "/shares/%s" % s["id"], ok=(200, 404))
        st_ = r.json["share"]["status"] if r.status == 200 else "gone"
        return (st_ not in ("creating",), st_)

    wait_for("share %s scheduled" % REFRESH_NAME, scheduled, timeout=60, interval=0.2)
    mn("DELETE", "/shares/%s" % s["id"], ok=(202, 404), what="delete share %s" % REFRESH_NAME)
    wait_for("share %s deleted" % REFRESH_NAME,
             lambda: (mn("GET", "/shares/%s" % s["id"], ok=(200, 404)).status == 404, None), timeout=60, interval=0.2)
    mn("DELETE", "/share-networks/%s" % net["id"], ok=(202, 204, 404), what="delete share network %s" % REFRESH_NAME)


def wait_manila(since=None, timeout=120.0):
    wait_http(MANILA_ROOT + "/", timeout=60)
    deadline = time.time() + timeout
    missing = None
    while time.time() < deadline:
        missing, _ = services_state(since)
        if not missing:
            break
        time.sleep(0.5)
    else:
        raise TBError("services not up after %ds: %s" % (timeout, ", ".join(missing)))
    log("manila: scheduler and %d share backends up" % len(BACKENDS))
    # the scheduler learns the pools from the share services' periodic capability reports
    first_missing, last_refresh = None, 0.0
    while time.time() < deadline:
        pools = mn("GET", "/scheduler-stats/pools", what="list pools").json["pools"]
        hosts = sorted({p["name"].split("#")[0] for p in pools})
        if all("%s@%s" % (HOST, b) in hosts for b in BACKENDS):
            log("manila: pools %s" % ", ".join(sorted(p["name"] for p in pools)))
            return pools
        now = time.time()
        first_missing = first_missing or now
        # the capability reports come every periodic_interval (5 s): give them a moment first
        if REFRESH_POOLS and now - first_missing >= 2 and now - last_refresh >= 5:
            log("manila: the scheduler's pool list lacks %s: a scheduling pass to refresh its cache" % (
                ", ".join(sorted({"%s@%s" % (HOST, b) for b in BACKENDS} - set(hosts)))))
            refresh_pool_cache()
            last_refresh = time.time()
            continue
        time.sleep(0.5)
    raise TBError("scheduler does not know the pools of all backends after %ds" % timeout)


def pools_by_host():
    pools = mn("GET", "/scheduler-stats/pools").json["pools"]
    out = {}
    for p in pools:
        out.setdefault(p["name"].split("#")[0], []).append(p["name"])
    return out


def list_servers():
    return mn("GET", "/share-servers", what="list share servers").json["share_servers"]


def list_all(path, key, what):
    """Every page of a list Manila caps at osapi_max_limit (share networks: common.limited;
    the test bed sets the cap low). A page shorter than the largest so far is the last."""
    out, seen, largest, offset = [], set(), 0, 0
    sep = "&" if "?" in path else "?"
    while True:
        page = mn("GET", "%s%slimit=1000&offset=%d" % (path, sep, offset), what=what).json[key]
        for item in page:
            if item["id"] not in seen:
                seen.add(item["id"])
                out.append(item)
        if not page or len(page) < largest:
            return out
        largest = max(largest, len(page))
        offset += len(page)


def list_unlimited(path, key, what):
    """Shares and snapshots in one request: without `limit`, Manila puts no LIMIT on the query and
    does not apply osapi_max_limit (api/common.py get_pagination_params reads `limit` only when
    sent), so the list is whole. The tool's pager sends a limit, as a client of a big cloud
    should; the test bed's own reads need not (a paged list cost it one request per joined row
    group: 75 of the 134 requests of a reset with every fixture in place)."""
    return mn("GET", path, what=what).json[key]


def list_shares():
    return list_unlimited("/shares/detail?all_tenants=1&sort_key=created_at&sort_dir=asc", "shares", "list shares")


def list_networks():
    return list_all("/share-networks/detail?all_tenants=1", "share_networks", "list share networks")


def list_snapshots():
    return list_unlimited("/snapshots/detail?all_tenants=1&sort_key=created_at&sort_dir=asc", "snapshots", "list snapshots")


def access_rules(share_id):
    return mn("GET", "/share-access-rules?share_id=%s" % share_id).json["access_list"]


def project_ids():
    tok = admin_token()
    return {n: ks_find("/projects", "projects", n, token=tok, extra="&domain_id=default")["id"]
            for n in ("admin", "demo")}


def wait_for(desc, fn, timeout=90.0, interval=0.5):
    """Poll fn() until it returns (True, info); fail after timeout with the last info."""
    deadline = time.time() + timeout
    info = None
    while time.time() < deadline:
        done, info = fn()
        if done:
            return info
        time.sleep(interval)
    raise TBError("timed out after %ds waiting for %s; last state: %s" % (timeout, desc, info))


def set_quotas(pids):
    for p in pids.values():
        mn("PUT", "/quota-sets/%s" % p, {"quota_set": {
            "shares": -1, "gigabytes": -1, "snapshots": -1, "snapshot_gigabytes": -1,
            "share_networks": -1}}, what="quota for project %s" % p)


def ensure_share_type():
    types = mn("GET", "/types?is_public=all").json["share_types"]
    for t in types:
        if t["name"] == SHARE_TYPE:
            # a test limits the type to a zone for a while; a crashed one must not leave it so
            if "availability_zones" in (t.get("extra_specs") or {}):
                mn("DELETE", "/types/%s/extra_specs/availability_zones" % t["id"], ok=(202, 200, 404),
                   what="unset availability_zones on %s" % SHARE_TYPE)
                log("manila: removed availability_zones from share type %s" % SHARE_TYPE)
            return t
    t = mn("POST", "/types", {"share_type": {
        "name": SHARE_TYPE, "share_type_access:is_public": True,
        "extra_specs": {"driver_handles_share_servers": True, "snapshot_support": True}}},
        what="create share type").json["share_type"]
    log("manila: created share type %s" % SHARE_TYPE)
    return t


def ensure_flat_type():
    for t in mn("GET", "/types?is_public=all").json["share_types"]:
        if t["name"] == FLAT_TYPE:
            return t
    t = mn("POST", "/types", {"share_type": {
        "name": FLAT_TYPE, "share_type_access:is_public": True,
        "extra_specs": {"driver_handles_share_servers": False, "snapshot_support": True}}},
        what="create share type %s" % FLAT_TYPE).json["share_type"]
    log("manila: created share type %s" % FLAT_TYPE)
    return t


def flat_pool():
    pools = sorted(pools_by_host().get(FLAT_HOST, []))
    if not pools:
        raise TBError("no pool for %s in /scheduler-stats/pools (is the backend %s enabled?)" % (FLAT_HOST, FLAT_BACKEND))
    return pools[0]


def ensure_flat_fixtures(pids, demo_tok):
    """The flat shares on node1@delta's pool, each with its rule (and snapshot when odd)."""
    ensure_flat_type()
    pool = flat_pool()
    shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
    names = [flat_name(i) for i in range(1, FLAT_COUNT + 1)]
    created = []
    for n in names:
        if n not in shares:
            mn("POST", "/shares", {"share": {
                "name": n, "share_proto": "NFS", "size": 1, "share_type": FLAT_TYPE,
                "description": "manila-placement test bed flat fixture (no share server)",
                "scheduler_hints": {"only_host": pool}}},
                token=demo_tok, what="create share %s" % n)
            created.append(n)
    if created:
        log("manila: creating flat shares %s on %s" % (", ".join(created), pool))

    def ready():
        cur = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
        bad = {n: cur.get(n, {}).get("status") for n in names if cur.get(n, {}).get("status") != "available"}
        if [n for n, st in bad.items() if st in ("error", None)]:
            raise TBError("flat fixture shares failed: %s (see manila-share.log)" % bad)
        return (not bad, bad or cur)

    cur = wait_for("flat fixture shares available", ready, timeout=120)
    snaps = list_snapshots()
    for i in range(1, FLAT_COUNT + 1):
        si = cur[flat_name(i)]
        if flat_has_snapshot(i) and not [x for x in snaps if x["share_id"] == si["id"] and x["name"] == flat_snap_name(i)]:
            mn("POST", "/snapshots", {"snapshot": {"share_id": si["id"], "name": flat_snap_name(i), "force": False}},
               token=demo_tok, what="create snapshot %s" % flat_snap_name(i))
        if not [r for r in access_rules(si["id"]) if r["access_to"] == flat_access_to(i)]:
            mn("POST", "/shares/%s/action" % si["id"], {"allow_access": {
                "access_type": "ip", "access_to": flat_access_to(i), "access_level": "rw"}},
                token=demo_tok, what="allow access on %s" % flat_name(i))

    def extras_ready():
        snaps_now = list_snapshots()
        left = {}
        for i in range(1, FLAT_COUNT + 1):
            si = cur[flat_name(i)]
            sn = [x["status"] for x in snaps_now if x["share_id"] == si["id"] and x["name"] == flat_snap_name(i)]
            rl = [r["state"] for r in access_rules(si["id"]) if r["access_to"] == flat_access_to(i)]
            if "error" in sn + rl:
                raise TBError("snapshot/access rule of %s failed: %s %s" % (flat_name(i), sn, rl))
            if rl != ["active"] or (flat_has_snapshot(i) and sn != ["available"]):
                left[flat_name(i)] = (sn, rl)
        return (not left, left)

    wait_for("flat snapshots available and rules active", extras_ready, timeout=60)


def flat_out_of_place(pids):
    """Flat fixtures not as `start` creates them: moved off delta's pool, migrating, marked."""
    pool_prefix = FLAT_HOST + "#"
    off = {}
    for s in list_shares():
        if s["project_id"] != pids[FIXTURE_PROJECT] or not (s["name"] or "").startswith("mp-flat-"):
            continue
        if s["status"] != "available" or s.get("task_state") or not (s.get("host") or "").startswith(pool_prefix):
            off[s["name"]] = "%s/%s on %s" % (s["status"], s.get("task_state"), s.get("host"))
    return off


def stop_share_migrations():
    """No share migration in flight: cancel where Manila allows it, wait for the transient
    states, and leave the rest (their shares are deleted and created again by the reset).
    Returns those left, and the list of every share when the first look found none migrating
    (else None): the caller reuses it instead of listing again."""
    cancelled, deadline, first = set(), time.time() + 45, True
    while True:
        shares = list_shares()
        moving = [s for s in shares if s["status"] == "migrating"]
        if not moving:
            return [], (shares if first else None)
        first = False
        if time.time() > deadline:
            return moving, None
        for s in moving:
            if s.get("task_state") in CANCELLABLE and s["id"] not in cancelled:
                r = mn("POST", "/shares/%s/action" % s["id"], {"migration_cancel": None}, ok=None)
                if r.status == 202:
                    cancelled.add(s["id"])
                    log("reset: cancelling migration of share %s (%s)" % (s["name"] or s["id"], s["task_state"]))
                else:
                    return moving, None  # not cancellable now: force-deleted below
            elif s.get("task_state") not in IN_FLIGHT_WAIT and s["id"] not in cancelled:
                return moving, None
        time.sleep(0.5)


def fixture_pool():
    hosts = pools_by_host()
    pools = sorted(hosts.get(SOURCE_HOST, []))
    if not pools:
        raise TBError("no pool for %s in /scheduler-stats/pools: %s" % (SOURCE_HOST, hosts))
    return pools[0]


def ensure_fixtures(pids=None, quiet=False):
    """Create what is missing and wait until everything is ready. Returns nothing."""
    pids = pids or project_ids()
    demo_tok = admin_token(FIXTURE_PROJECT)  # admin user, scoped to demo: is_admin, so only_host applies
    set_quotas(pids)
    ensure_share_type()
    pool = fixture_pool()

    nets = {n["name"]: n for n in list_networks() if n["project_id"] == pids[FIXTURE_PROJECT]}
    for i in range(1, FIXTURE_COUNT + 1):
        if sn_name(i) not in nets:
            n = mn("POST", "/share-networks", {"share_network": {
                "name": sn_name(i), "description": "manila-placement test bed fixture %d" % i}},
                token=demo_tok, what="create share network %s" % sn_name(i)).json["share_network"]
            nets[n["name"]] = n
            log("manila: created share network %s" % sn_name(i))

    shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
    created = []
    for i in range(1, FIXTURE_COUNT + 1):
        if share_name(i) not in shares:
            s = mn("POST", "/shares", {"share": {
                "name": share_name(i), "share_proto": "NFS", "size": 1, "share_type": SHARE_TYPE,
                "share_network_id": nets[sn_name(i)]["id"],
                "description": "manila-placement test bed fixture %d" % i,
                "scheduler_hints": {"only_host": pool}}},
                token=demo_tok, what="create share %s" % share_name(i)).json["share"]
            shares[s["name"]] = s
            created.append(share_name(i))
    if created:
        log("manila: creating shares %s on %s" % (", ".join(created), pool))

    names = [share_name(i) for i in range(1, FIXTURE_COUNT + 1)]

    def shares_ready():
        cur = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
        bad = {n: cur.get(n, {}).get("status") for n in names if cur.get(n, {}).get("status") != "available"}
        errs = [n for n, st in bad.items() if st in ("error", None)]
        if errs:
            raise TBError("fixture shares failed: %s (see manila-share.log, manila-scheduler.log)" % {
                n: bad[n] for n in errs})
        return (not bad, bad or cur)

    cur = wait_for("fixture shares available", shares_ready, timeout=120)
    if created:
        log("manila: shares available")

    # snapshot and access rule on the rich fixtures (1, 7, 13, ...)
    rich = [i for i in range(1, FIXTURE_COUNT + 1) if is_rich(i)]
    all_snaps = list_snapshots()
    for i in rich:
        si = cur[share_name(i)]
        if not [x for x in all_snaps if x["share_id"] == si["id"] and x["name"] == snap_name(i)]:
            mn("POST", "/snapshots", {"snapshot": {"share_id": si["id"], "name": snap_name(i), "force": False}},
               token=demo_tok, what="create snapshot %s" % snap_name(i))
            log("manila: creating snapshot %s" % snap_name(i))
        if not [r for r in access_rules(si["id"]) if r["access_to"] == access_to(i)]:
            mn("POST", "/shares/%s/action" % si["id"], {"allow_access": {
                "access_type": "ip", "access_to": access_to(i), "access_level": "rw"}},
                token=demo_tok, what="allow access on %s" % share_name(i))
            log("manila: allowing ip %s rw on %s" % (access_to(i), share_name(i)))

    def snap_rule_ready():
        snaps_now = list_snapshots()
        states = {}
        for i in rich:
            si = cur[share_name(i)]
            sn = [x for x in snaps_now if x["share_id"] == si["id"] and x["name"] == snap_name(i)]
            rl = [r for r in access_rules(si["id"]) if r["access_to"] == access_to(i)]
            st = (sn[0]["status"] if sn else None, rl[0]["state"] if rl else None)
            if st[0] == "error" or st[1] == "error":
                raise TBError("snapshot/access rule of %s failed: %s" % (share_name(i), st))
            if st != ("available", "active"):
                states[share_name(i)] = st
        return (not states, states)

    wait_for("snapshots available and access rules active", snap_rule_ready, timeout=60 + 5 * len(rich))

    def servers_ready():
        cur = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
        srv = {s["id"]: s for s in list_servers()}
        bad = {}
        for n in names:
            sid = cur[n].get("share_server_id")
            s = srv.get(sid)
            if not s or s["status"] != "active" or s["host"] != SOURCE_HOST:
                bad[n] = (sid, s and s["status"], s and s["host"])
        return (not bad, bad)

    wait_for("fixture share servers active on %s" % SOURCE_HOST, servers_ready, timeout=60)
    ensure_flat_fixtures(pids, demo_tok)
    if not quiet:
        log("manila: fixtures ready (%d shares on %s; snapshots and rw access rules on %s)" % (
            FIXTURE_COUNT, SOURCE_HOST, ", ".join(share_name(i) for i in rich)))


def fixtures_out_of_place(pids):
    """Fixture shares that exist but are not as `start` creates them: moved off the source host
    by an earlier run, mid-migration when the test bed was stopped, or not available."""
    shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
    servers = {s["id"]: s for s in list_servers()}
    off = {}
    for i in range(1, FIXTURE_COUNT + 1):
        s = shares.get(share_name(i))
        if s is None:
            continue  # missing ones are simply created
        srv = servers.get(s.get("share_server_id"))
        if (s["status"] != "available" or s.get("task_state") or not srv
                or srv["status"] != "active" or srv["host"] != SOURCE_HOST):
            off[share_name(i)] = "%s, server %s" % (
                s["status"], srv and "%s on %s" % (srv["status"], srv["host"]))
    for srv in servers.values():
        if srv["status"] in ("server_migrating", "server_migrating_to") or (
                srv["status"] in ("deleting", "creating") and stuck(srv)):
            off["share server %s" % srv["id"]] = "%s/%s" % (srv["status"], srv.get("task_state"))
    off.update(flat_out_of_place(pids))
    # fixtures beyond the count (an earlier `start --servers N` with a larger N) go
    for name in shares:
        i = fixture_index(name)
        if i is not None and i > FIXTURE_COUNT:
            off[name] = "beyond the %d fixtures of this start" % FIXTURE_COUNT
    return off


def start_fixtures():
    """`start` leaves the fixtures as the tests expect them: an earlier run (a test, the demo,
    a benchmark) may have moved them or been stopped mid-migration, so those are reset first."""
    pids = project_ids()
    off = fixtures_out_of_place(pids)
    if off:
        log("fixtures: %d not in their initial placement (left by an earlier run): resetting: %s" % (
            len(off), "; ".join("%s %s" % kv for kv in sorted(off.items()))))
        reset()
    else:
        ensure_fixtures(pids)


def quick_check():
    missing, _ = services_state()
    if missing:
        raise TBError("services not up: %s" % ", ".join(missing))
    pids = project_ids()
    shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
    absent = [share_name(i) for i in range(1, FIXTURE_COUNT + 1) if share_name(i) not in shares]
    if absent:
        raise TBError("fixture shares missing: %s" % ", ".join(absent))
    extra = sorted(n for n in shares if (fixture_index(n) or 0) > FIXTURE_COUNT)
    if extra:
        raise TBError("fixture shares beyond the %d of this start: %s" % (FIXTURE_COUNT, ", ".join(extra)))
    if not os.path.exists(os.path.join(STATE, "testbed.json")):
        raise TBError("testbed.json missing")


# ---------------------------------------------------------------------------------------------
# reset
# ---------------------------------------------------------------------------------------------
def server_action(sid, body, ok=(200, 202), what=None):
    return mn("POST", "/share-servers/%s/action" % sid, body, ok=ok, what=what or "share server %s %s" % (
        sid, list(body)[0]))


def kept_once(kept, sn):
    """False the first time a fixture snapshot's name is met (it stays), True after (a copy)."""
    if sn["name"] in kept:
        return True
    kept.add(sn["name"])
    return False


def reset():
    pids = project_ids()
    # 0. every service enabled (fault tests may have disabled one)
    for s in mn("GET", "/services").json["services"]:
        if s["status"] == "disabled":
            mn("PUT", "/services/enable", {"host": s["host"], "binary": s["binary"]},
               what="enable %s %s" % (s["binary"], s["host"]))
            log("reset: enabled %s on %s" % (s["binary"], s["host"]))
    missing, _ = services_state()
    if missing:
        raise TBError("services not up: %s (run: testbed.sh start)" % ", ".join(missing))

    # 1. no migration in flight: cancel where allowed, wait for transient states, force the rest
    cancelled, first_seen = set(), {}
    deadline = time.time() + 45
    while True:
        servers = list_servers()
        migrating = [s for s in servers if s["status"] == "server_migrating"]
        if not migrating:
            break
        if time.time() > deadline:
            raise TBError("migrations still in flight after 45s: %s" % [
                (s["id"], s["task_state"]) for s in migrating])
        for s in migrating:
            ts = s.get("task_state")
            first_seen.setdefault(s["id"], time.time())
            stuck = time.time() - first_seen[s["id"]] > 25
            # a refused cancel (e.g. the destination record is gone) falls through to the force below
            if ts in CANCELLABLE and s["id"] not in cancelled and not stuck:
                r = server_action(s["id"], {"migration_cancel": None}, ok=None)
                if r.status == 202:
                    cancelled.add(s["id"])
                    log("reset: cancelling migration of share server %s (%s)" % (s["id"], ts))
            elif (ts in IN_FLIGHT_WAIT or s["id"] in cancelled) and not stuck:
                pass  # transient: look again shortly
            else:
                log("reset: forcing share server %s out of %s/%s" % (s["id"], s["status"], ts))
                server_action(s["id"], {"reset_task_state": {"task_state": None}})
                server_action(s["id"], {"reset_status": {"status": "active"}})
                for d in servers:
                    if d.get("source_share_server_id") == s["id"] and d["status"] == "server_migrating_to":
                        server_action(d["id"], {"reset_task_state": {"task_state": None}})
                        server_action(d["id"], {"reset_status": {"status": "error"}})
        time.sleep(0.5)

    # The lists of step 1 and 1b serve the steps after them while nothing was changed since
    # (a reset that finds every fixture in place then lists share servers once, not three
    # times: in Zed each list queries every server's share network).
    # 1b. share migrations (flat fixtures): cancelled, or left to be deleted and created again
    left_moving, shares_seen = stop_share_migrations()
    for s in left_moving:
        log("reset: share %s still migrating (%s): deleted and created again below" % (s["name"] or s["id"], s.get("task_state")))
    if shares_seen is None:
        servers = None  # a share migration was cancelled: a destination server may have changed

    # shares that a forced reset left mid-migration: make them deletable/usable again
    for s in (shares_seen if shares_seen is not None else list_shares()):
        if s["status"] in ("server_migrating", "server_migrating_to") or s.get("task_state"):
            shares_seen = servers = None
            log("reset: resetting share %s (%s/%s)" % (s["name"] or s["id"], s["status"], s.get("task_state")))
            if s.get("task_state"):
                mn("POST", "/shares/%s/action" % s["id"], {"reset_task_state": {"task_state": None}})
            if s["status"] in ("server_migrating", "server_migrating_to"):
                mn("POST", "/shares/%s/action" % s["id"], {"reset_status": {"status": "available"}})

    # servers that a cancelled or failed migration left marked: plans block them until the mark
    # is cleared (LAST_MIGRATION_CANCELLED / _FAILED), so every test starts from clean ones
    for s in (servers if servers is not None else list_servers()):
        if s["status"] == "active" and s.get("task_state") in ("migration_cancelled", "migration_error"):
            log("reset: clearing %s on share server %s" % (s["task_state"], s["id"]))
            server_action(s["id"], {"reset_task_state": {"task_state": None}})
            servers = None

    # 2. classify fixtures
    servers = {s["id"]: s for s in (servers if servers is not None else list_servers())}
    nets = {n["name"]: n for n in list_networks() if n["project_id"] == pids[FIXTURE_PROJECT]}
    all_shares = shares_seen if shares_seen is not None else list_shares()
    demo_shares = [s for s in all_shares if s["project_id"] == pids[FIXTURE_PROJECT]]
    snaps = list_snapshots()
    rebuild, doomed_shares, pristine_servers = [], [], []
    fixture_names = {share_name(i) for i in range(1, FIXTURE_COUNT + 1)}
    for i in range(1, FIXTURE_COUNT + 1):
        mine = [s for s in demo_shares if s["name"] == share_name(i)]
        net = nets.get(sn_name(i))
        keep = None
        for s in mine:
            srv = servers.get(s.get("share_server_id"))
            if (keep is None and net and s["status"] == "available" and not s.get("task_state")
                    and (s.get("host") or "").startswith(SOURCE_HOST + "#")
                    and s.get("share_network_id") == net["id"]
                    and srv and srv["status"] == "active" and srv["host"] == SOURCE_HOST):
                keep = s
        for s in mine:
            if s is not keep:
                doomed_shares.append(s)
        if keep is None:
            rebuild.append(share_name(i))
        else:
            pristine_servers.append(servers[keep["share_server_id"]])
            # snapshots other than mp-snap-1 (and a second mp-snap-1, which a list cut short
            # once let a reset create) and rules other than the fixture's go away
            kept = set()
            for sn in snaps:
                if sn["share_id"] == keep["id"] and not (is_rich(i) and sn["name"] == snap_name(i) and not kept_once(kept, sn)):
                    mn("POST", "/snapshots/%s/action" % sn["id"], {"force_delete": None})
                    log("reset: deleting extra snapshot %s of %s" % (sn["name"] or sn["id"], keep["name"]))
            for r in access_rules(keep["id"]):
                if not (is_rich(i) and r["access_to"] == access_to(i) and r["access_level"] == "rw"):
                    mn("POST", "/shares/%s/action" % keep["id"], {"deny_access": {"access_id": r["id"]}})
                    log("reset: removing extra access rule %s from %s" % (r["access_to"], keep["name"]))
    # flat fixtures: one available mp-flat-N on delta's pool each, with only its own rule and snapshot
    flat_names = {flat_name(i) for i in range(1, FLAT_COUNT + 1)}
    for i in range(1, FLAT_COUNT + 1):
        keep = None
        for s in demo_shares:
            if s["name"] != flat_name(i):
                continue
            if (keep is None and s["status"] == "available" and not s.get("task_state") and not s.get("share_network_id")
                    and (s.get("host") or "").startswith(FLAT_HOST + "#")):
                keep = s
            else:
                doomed_shares.append(s)
        if keep is None:
            rebuild.append(flat_name(i))
            continue
        kept = set()
        for sn in snaps:
            if sn["share_id"] == keep["id"] and not (flat_has_snapshot(i) and sn["name"] == flat_snap_name(i) and not kept_once(kept, sn)):
                mn("POST", "/snapshots/%s/action" % sn["id"], {"force_delete": None})
                log("reset: deleting extra snapshot %s of %s" % (sn["name"] or sn["id"], keep["name"]))
        for r in access_rules(keep["id"]):
            if not (r["access_to"] == flat_access_to(i) and r["access_level"] == "rw"):
                mn("POST", "/shares/%s/action" % keep["id"], {"deny_access": {"access_id": r["id"]}})
                log("reset: removing extra access rule %s from %s" % (r["access_to"], keep["name"]))
    for s in demo_shares:
        if (s["name"] or "").startswith("mp-flat-") and s["name"] not in flat_names:
            doomed_shares.append(s)
    # scratch shares of tests (mp-tmp-* names or in mp-tmp-* networks) go too, and fixtures
    # beyond the count (an earlier `start --servers N` with a larger N)
    tmp_net_ids = {n["id"] for n in list_networks() if (n["name"] or "").startswith(TMP_PREFIX)}
    for s in all_shares:
        extra = (fixture_index(s["name"]) or 0) > FIXTURE_COUNT and s["project_id"] == pids[FIXTURE_PROJECT]
        if s["name"] not in fixture_names and ((s["name"] or "").startswith(TMP_PREFIX)
                                               or s.get("share_network_id") in tmp_net_ids or extra):
            doomed_shares.append(s)
    for srv in pristine_servers:
        if srv.get("task_state"):
            server_action(srv["id"], {"reset_task_state": {"task_state": None}})
    log("reset: %d fixture(s) in place, %d to rebuild%s" % (
        FIXTURE_COUNT + FLAT_COUNT - len(rebuild), len(rebuild), (": " + ", ".join(rebuild)) if rebuild else ""))

    # 3. delete shares that are not where the fixtures belong (snapshots first)
    doomed_ids = {s["id"] for s in doomed_shares}
    for sn in snaps:
        if sn["share_id"] in doomed_ids:
            mn("POST", "/snapshots/%s/action" % sn["id"], {"force_delete": None}, what="force-delete snapshot")
    if doomed_ids:
        wait_for("snapshots of the shares to rebuild deleted",
                 lambda: (not [s for s in list_snapshots() if s["share_id"] in doomed_ids], None), timeout=40)
        for s in doomed_shares:
            # Epoxy may still count a snapshot being deleted (400): retried in gone() below
            mn("POST", "/shares/%s/action" % s["id"], {"force_delete": None}, ok=None,
               what="force-delete share %s" % s["name"])
            log("reset: deleting share %s (%s on %s)" % (s["name"] or s["id"], s["status"], s.get("host")))

        def gone():
            left = [s for s in list_shares() if s["id"] in doomed_ids]
            err = [s for s in left if s["status"] in ("error_deleting", "available", "error")]
            for s in err:
                mn("POST", "/shares/%s/action" % s["id"], {"force_delete": None}, ok=None)
            return (not left, [(s["name"], s["status"]) for s in left])

        wait_for("deleted shares gone", gone, timeout=40)

    # 4. share servers that hold no share (cancelled or failed destinations, migrated-away
    #    servers) are deleted
    delete_leftover_servers()

    # 5. scratch share networks, and fixture networks beyond the count
    for n in list_networks():
        k = n["name"][len("mp-sn-"):] if (n["name"] or "").startswith("mp-sn-") else ""
        if (n["name"] or "").startswith(TMP_PREFIX) or (k.isdigit() and int(k) > FIXTURE_COUNT):
            r = mn("DELETE", "/share-networks/%s" % n["id"], ok=None)
            log("reset: deleting share network %s (HTTP %d)" % (n["name"], r.status))

    # 6. what is missing is created again, and everything is waited for
    if rebuild:
        log("reset: re-creating %s" % ", ".join(rebuild))
    ensure_fixtures(pids, quiet=True)

    def extras_gone():
        shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
        ids = {shares[n]["id"]: n for n in fixture_names if n in shares}
        left = [(sn["name"], sn["status"]) for sn in list_snapshots()
                if sn["share_id"] in ids and not (is_rich(fixture_index(ids[sn["share_id"]]))
                                                  and sn["name"] == snap_name(fixture_index(ids[sn["share_id"]])))]
        for sid, n in ids.items():
            left += [(n, r["access_to"], r["state"]) for r in access_rules(sid)
                     if not (is_rich(fixture_index(n)) and r["access_to"] == access_to(fixture_index(n)))]
        return (not left, left)

    wait_for("extra snapshots and access rules on fixture shares removed", extras_gone, timeout=40)
    log("reset: fixtures in place")


def stuck(s, seconds=60):
    """In a transient state (deleting, creating) and untouched for a while: the test bed was
    stopped while manila-share worked on it, and the RPC that would finish it is lost."""
    t = parse_ts(s.get("updated_at") or s.get("created_at"))
    return t is not None and time.time() - t > seconds


def delete_leftover_servers():
    used = {s.get("share_server_id") for s in list_shares()}
    servers = list_servers()
    doomed = [s for s in servers if s["id"] not in used
              and (s["status"] not in ("deleting", "creating") or stuck(s))]
    for s in doomed:
        if s["status"] not in ("active", "error"):
            server_action(s["id"], {"reset_status": {"status": "error"}})
        if s.get("task_state"):
            server_action(s["id"], {"reset_task_state": {"task_state": None}})
        r = mn("DELETE", "/share-servers/%s" % s["id"], ok=None)
        log("reset: deleting leftover share server %s (%s on %s, %s) -> HTTP %d" % (
            s["id"], s["status"], s["host"], s.get("task_state"), r.status))
    ids = {s["id"] for s in doomed}
    if ids:
        def gone():
            left = [s for s in list_servers() if s["id"] in ids]
            for s in left:  # a failed teardown leaves 'error': try once more
                if s["status"] == "error":
                    mn("DELETE", "/share-servers/%s" % s["id"], ok=None)
            return (not left, [(s["id"], s["status"]) for s in left])
        wait_for("leftover share servers deleted", gone, timeout=40)


# ---------------------------------------------------------------------------------------------
# facts
# ---------------------------------------------------------------------------------------------
def yq(v):
    return json.dumps(v)  # a JSON string is a valid YAML scalar


def conf_value(key, default):
    """The value the running Manila was started with (manila.conf), else the default."""
    try:
        with open(os.path.join(STATE, "manila", "manila.conf")) as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() == key:
                    return v.strip()
    except OSError:
        pass
    return default


def max_microversion():
    """The maximum microversion the running Manila announces at GET / (v2.0 'version')."""
    try:
        versions = http("GET", MANILA_ROOT + "/", ok=(200, 300), timeout=10).json["versions"]
        return [v for v in versions if v.get("id") == "v2.0"][0]["version"]
    except (TBError, KeyError, IndexError, TypeError):
        return MV


def write_facts():
    continue_interval = int(conf_value("server_migration_driver_continue_update_interval", CONTINUE_INTERVAL))
    driver_delay = float(conf_value("dummy_driver_default_driver_method_delay", DRIVER_DELAY))
    kf = keystone_facts()
    pids = {n: p["id"] for n, p in kf["projects"].items()}
    users, acs = kf["users"], kf["application_credentials"]

    def common():
        return ["    region_name: %s" % REGION, "    interface: public", "    identity_api_version: 3"]

    lines = ["# manila-placement test bed: written by scripts/testbed/tb.py; do not edit", "clouds:"]

    def pw_cloud(name, user, project, url):
        lines.extend(["  %s:" % name, "    auth_type: password", "    auth:",
                      "      auth_url: %s" % yq(url),
                      "      username: %s" % yq(user),
                      "      password: %s" % yq(users[user]["password"]),
                      "      project_name: %s" % yq(project),
                      "      user_domain_name: Default",
                      "      project_domain_name: Default"] + common())

    def ac_cloud(name, who):
        ac = acs[who]
        lines.extend(["  %s:" % name, "    auth_type: v3applicationcredential", "    auth:",
                      "      auth_url: %s" % yq(KS_URL),
                      "      application_credential_id: %s" % yq(ac["id"]),
                      "      application_credential_secret: %s" % yq(ac["secret"])] + common())

    pw_cloud("testbed", "admin", "admin", KS_URL)
    ac_cloud("testbed-appcred", "admin")
    pw_cloud("testbed-member", "demo", "demo", KS_URL)
    ac_cloud("testbed-member-appcred", "demo")
    pw_cloud("testbed-short", "admin", "admin", KS_SHORT_URL)
    clouds_path = os.path.join(STATE, "clouds.yaml")
    tmp = clouds_path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, clouds_path)

    shares = {s["name"]: s for s in list_shares() if s["project_id"] == pids[FIXTURE_PROJECT]}
    nets = {n["name"]: n for n in list_networks() if n["project_id"] == pids[FIXTURE_PROJECT]}
    servers = {s["id"]: s for s in list_servers()}
    snaps = list_snapshots()
    fixtures = []
    for i in range(1, FIXTURE_COUNT + 1):
        s = shares.get(share_name(i))
        n = nets.get(sn_name(i))
        srv = servers.get(s.get("share_server_id")) if s else None
        fx = {
            "index": i,
            "share_network": {"id": n and n["id"], "name": sn_name(i)},
            "share": {"id": s and s["id"], "name": share_name(i), "host": s and s.get("host"),
                      "status": s and s["status"]},
            "share_server": {"id": srv and srv["id"], "host": srv and srv["host"],
                             "status": srv and srv["status"]},
            "snapshot": None, "access_rule": None,
        }
        if is_rich(i) and s:
            sn = [x for x in snaps if x["share_id"] == s["id"] and x["name"] == snap_name(i)]
            fx["snapshot"] = {"id": sn[0]["id"], "name": snap_name(i)} if sn else None
            rl = [r for r in access_rules(s["id"]) if r["access_to"] == access_to(i)]
            fx["access_rule"] = ({"id": rl[0]["id"], "access_type": "ip", "access_to": access_to(i),
                                  "access_level": "rw"} if rl else None)
        fixtures.append(fx)

    flat = []
    for i in range(1, FLAT_COUNT + 1):
        s = shares.get(flat_name(i))
        sn = [x for x in snaps if s and x["share_id"] == s["id"] and x["name"] == flat_snap_name(i)]
        rl = [r for r in access_rules(s["id"]) if r["access_to"] == flat_access_to(i)] if s else []
        flat.append({"index": i, "id": s and s["id"], "name": flat_name(i), "host": s and s.get("host"),
                     "status": s and s["status"],
                     "snapshot": {"id": sn[0]["id"], "name": flat_snap_name(i)} if sn else None,
                     "access_rule": {"id": rl[0]["id"], "access_type": "ip", "access_to": flat_access_to(i),
                                     "access_level": "rw"} if rl else None})
    ft = ensure_flat_type()
    pool_map = pools_by_host()
    pid_dir = os.path.join(STATE, "pids")
    proc_pids = {}
    if os.path.isdir(pid_dir):
        for fn in sorted(os.listdir(pid_dir)):
            if fn.endswith(".pid"):
                try:
                    proc_pids[fn[:-4]] = int(open(os.path.join(pid_dir, fn)).read().split()[0])
                except (ValueError, IndexError, OSError):
                    pass
    logs_dir = os.path.join(STATE, "logs")
    st = ensure_share_type()
    sec = load_secrets()
    facts = {
        "release": RELEASE,
        "state_dir": STATE,
        "written_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clouds_yaml": clouds_path,
        "clouds": {
            "testbed": {"auth": "password", "user": "admin", "project": "admin", "auth_url": KS_URL},
            "testbed-appcred": {"auth": "v3applicationcredential", "user": "admin", "project": "admin",
                                "auth_url": KS_URL},
            "testbed-member": {"auth": "password", "user": "demo", "project": "demo", "auth_url": KS_URL},
            "testbed-member-appcred": {"auth": "v3applicationcredential", "user": "demo", "project": "demo",
                                       "auth_url": KS_URL},
            "testbed-short": {"auth": "password", "user": "admin", "project": "admin",
                              "auth_url": KS_SHORT_URL, "token_expiration_seconds": KS_SHORT_EXPIRATION},
        },
        "region": REGION,
        "keystone": {"url": KS_URL, "port": KS_PORT, "token_expiration_seconds": 3600,
                     "short_url": KS_SHORT_URL, "short_port": KS_SHORT_PORT,
                     "short_token_expiration_seconds": KS_SHORT_EXPIRATION},
        "manila": {
            "url": MANILA_ROOT, "port": MANILA_PORT, "endpoint": MANILA,
            "endpoint_with_project": MANILA + "/$(project_id)s",
            "catalog_types": ["shared-file-system", "sharev2"],
            "min_migration_microversion": "2.57", "max_microversion": max_microversion(),
            "continue_interval_seconds": continue_interval,
            "dummy_driver_default_delay_seconds": driver_delay,
            "policy": "defaults (share server APIs admin-only)",
            "token_cache_time": int(conf_value("token_cache_time", "300")),
        },
        "continue_interval": continue_interval,
        "fixture_count": FIXTURE_COUNT,
        "osapi_max_limit": int(conf_value("osapi_max_limit", "1000")),
        "backends": {"%s@%s" % (HOST, b): BACKEND_ROLES.get(b, "dummy") for b in BACKENDS},
        "host": HOST,
        "hosts": ["%s@%s" % (HOST, b) for b in BACKENDS],
        "source_host": SOURCE_HOST,
        "pools": pool_map,
        "share_type": {"id": st["id"], "name": SHARE_TYPE},
        "flat": {"host": FLAT_HOST, "pool": (pool_map.get(FLAT_HOST) or [None])[0],
                 "share_type": {"id": ft["id"], "name": FLAT_TYPE},
                 "hosts": ["%s@%s" % (HOST, b) for b in BACKENDS if b in ("delta", "epsilon")],
                 "shares": flat},
        "fixtures_project": {"name": FIXTURE_PROJECT, "id": pids[FIXTURE_PROJECT]},
        "fixtures": fixtures,
        "share_networks": {f["share_network"]["name"]: f["share_network"]["id"] for f in fixtures},
        "shares": {f["share"]["name"]: f["share"]["id"] for f in fixtures},
        "share_servers": {f["share"]["name"]: f["share_server"]["id"] for f in fixtures},
        "projects": kf["projects"],
        "users": users,
        "application_credentials": acs,
        "database": {"socket": os.path.join(STATE, "mysql", "mysqld.sock"),
                     "keystone_password": sec.get("MP_DB_KEYSTONE_PW"),
                     "manila_password": sec.get("MP_DB_MANILA_PW")},
        "rabbitmq": {"url": "rabbit://%s@127.0.0.1:%s/" % (sec.get("MP_RABBIT_USER"),
                                                            os.environ.get("MP_TB_AMQP_PORT", "5672")),
                     "user": sec.get("MP_RABBIT_USER"), "password": sec.get("MP_RABBIT_PW")},
        "secrets": sorted({v for k, v in sec.items() if k.endswith("_PW") or k.endswith("_SECRET")}),
        "pids": proc_pids,
        "logs": {fn[:-4]: os.path.join(logs_dir, fn) for fn in sorted(os.listdir(logs_dir))
                 if fn.endswith(".log")} if os.path.isdir(logs_dir) else {},
    }
    path = os.path.join(STATE, "testbed.json")
    tmp = path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(facts, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
    log("facts: wrote %s and %s" % (clouds_path, path))


# ---------------------------------------------------------------------------------------------
# smoke: one real migration, as the tool would do it
# ---------------------------------------------------------------------------------------------
def smoke(name="mp-share-6", dest=None):
    dest = dest or "%s@%s" % (HOST, BACKENDS[1])
    pids = project_ids()
    s = [x for x in list_shares() if x["name"] == name and x["project_id"] == pids[FIXTURE_PROJECT]][0]
    sid = s["share_server_id"]
    hv = "2.57"
    t0 = time.time()

    def say(m):
        log("smoke %5.1fs %s" % (time.time() - t0, m))

    def act(body, ok=(200, 202)):
        return mn("POST", "/share-servers/%s/action" % sid, body, version=hv, ok=ok)

    say("share server %s of %s: %s -> %s" % (sid, name, SOURCE_HOST, dest))
    params = {"host": dest, "writable": False, "nondisruptive": False, "preserve_snapshots": False,
              "new_share_network_id": None}
    r = act({"migration_check": params}, ok=(200,))
    say("check: %s" % r.raw)
    if not r.json.get("compatible"):
        raise TBError("migration_check says not compatible: %s" % r.raw)
    r = act({"migration_start": params}, ok=(202,))
    say("start: HTTP %d" % r.status)
    last = None
    while True:
        srv = mn("GET", "/share-servers/%s" % sid, version=hv).json["share_server"]
        if srv["task_state"] != last:
            say("source %s/%s" % (srv["status"], srv["task_state"]))
            last = srv["task_state"]
        if srv["task_state"] == "migration_driver_phase1_done":
            break
        if srv["task_state"] == "migration_error" or time.time() - t0 > 120:
            raise TBError("migration failed or too slow: %s" % srv)
        time.sleep(0.5)
    r = act({"migration_complete": None}, ok=(200,))
    dst = r.json["destination_share_server_id"]
    say("complete: %s" % r.raw)
    while True:
        d = mn("GET", "/share-servers/%s" % dst, version=hv).json["share_server"]
        if d["status"] == "active":
            say("destination %s %s/%s on %s" % (dst, d["status"], d["task_state"], d["host"]))
            break
        if d["status"] == "error" or time.time() - t0 > 150:
            raise TBError("completion failed: %s" % d)
        time.sleep(0.5)


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    try:
        if cmd == "wait-http":
            wait_http(args[0], float(args[1]) if len(args) > 1 else 60.0)
        elif cmd == "keystone-setup":
            keystone_setup()
        elif cmd == "wait-manila":
            since = float(args[0]) if args and args[0] not in ("", "-") else None
            wait_manila(since, float(args[1]) if len(args) > 1 else 120.0)
        elif cmd == "fixtures":
            start_fixtures()
            write_facts()
        elif cmd == "quick-check":
            quick_check()
        elif cmd == "reset":
            reset()
            write_facts()
        elif cmd == "write-facts":
            write_facts()
        elif cmd == "smoke":
            smoke(*args)
        else:
            sys.stderr.write(__doc__)
            return 2
    except TBError as e:
        sys.stderr.write("tb.py %s: %s\n" % (cmd, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

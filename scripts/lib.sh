# Shared helpers of scripts/run and scripts/test.

ensure_venv() {
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "citycarbon needs Python 3.11 or newer (found: $("$python" --version 2>&1))" >&2
    exit 1
  fi
  if [[ ! -x .venv/bin/python ]]; then
    echo "==> creating .venv"
    "$python" -m venv .venv
  fi
}

# Install Debian packages the tests need when they are missing (root on Debian only).
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "missing Debian packages: ${missing[*]} (install them as root)" >&2
    return 1
  fi
  echo "==> apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Make sure a PostgreSQL server answers at CITYCARBON_TEST_PG_URL's host; start or install it.
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  command -v pg_ctlcluster >/dev/null || ensure_debian_packages postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "==> starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  if ! psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
    # A fresh Debian cluster refuses password-less TCP logins: give the test role a password.
    runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'"
    export CITYCARBON_TEST_PG_URL=${CITYCARBON_TEST_PG_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres}
  fi
}

# Make sure an MQTT broker answers on 127.0.0.1:1883 (the monitoring feed's end-to-end test).
ensure_mosquitto() {
  if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then return 0; fi
  command -v mosquitto >/dev/null || ensure_debian_packages mosquitto
  echo "==> starting Mosquitto"
  if [[ -f /etc/mosquitto/mosquitto.conf ]]; then
    mosquitto -d -c /etc/mosquitto/mosquitto.conf
  else
    mosquitto -d -p 1883
  fi
  for _ in $(seq 10); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && return 0; sleep 1; done
  echo "Mosquitto did not start on 127.0.0.1:1883" >&2
  return 1
}

#!/usr/bin/env bash
# A private Dovecot IMAP server for the email-channel tests, on 127.0.0.1:10143.
#
# Idempotent and quiet: installs dovecot-imapd if missing, writes its own config under
# /tmp/sangdam-dovecot (the system's /etc/dovecot is never read or changed), starts it
# unless it already answers, and exits non-zero if it does not come up.
# Test login: support@example.com / sangdam-imap-test (plain auth, no TLS: localhost only).
set -euo pipefail

ROOT=${SANGDAM_DOVECOT_DIR:-/tmp/sangdam-dovecot}
PORT=${SANGDAM_DOVECOT_PORT:-10143}
# XOAUTH2 logins are checked by token introspection (RFC 7662) at this local port, where
# the tests run a small OAuth2 server of their own.
OAUTH2_PORT=${SANGDAM_OAUTH2_PORT:-10180}
USER_NAME=support@example.com
USER_PASSWORD=sangdam-imap-test
# Dovecot never serves mail as root; the test user's mail belongs to nobody.
MAIL_UID=$(id -u nobody)
MAIL_GID=$(id -g nobody)

answers() {
  # An IMAP server greets with "* OK" as soon as the connection opens.
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && head -c 4 <&3" 2>/dev/null | grep -q '^\* OK'
}

if ! command -v dovecot >/dev/null 2>&1 || ! dpkg -s dovecot-imapd >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  # The package starts the system instance on ports 143/993; these tests do not need it.
fi
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)

mkdir -p "$ROOT/run" "$ROOT/state" "$ROOT/mail"
chown "$MAIL_UID:$MAIL_GID" "$ROOT/mail"

cat >"$ROOT/users" <<EOF
$USER_NAME:{PLAIN}$USER_PASSWORD:$MAIL_UID:$MAIL_GID::$ROOT/mail/%d/%n::nopenalty
EOF
chmod 644 "$ROOT/users"

cat >"$ROOT/oauth2.conf" <<EOF
introspection_mode = post
introspection_url = http://127.0.0.1:$OAUTH2_PORT/introspect
username_attribute = username
pass_attrs = nopenalty=y
active_attribute = active
active_value = true
EOF

cat >"$ROOT/dovecot.conf" <<EOF
# Written by .ci/dovecot.sh: a throw-away instance for tests.
instance_name = sangdam-dovecot
base_dir = $ROOT/run
state_dir = $ROOT/state
log_path = $ROOT/dovecot.log
info_log_path = $ROOT/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $ROOT/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $ROOT/oauth2.conf
}
userdb {
  driver = passwd-file
  args = username_format=%u $ROOT/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
# Tests log in with wrong passwords on purpose: no delay after a failed login (and the
# users file and oauth2 passdb say nopenalty, so failures do not slow later logins).
auth_failure_delay = 0
service anvil {
  chroot =
}
EOF

# Already running with this very configuration: nothing to do. Otherwise a stale
# instance of ours (crashed, or started from an older config) is stopped first.
if [ -f "$ROOT/run/master.pid" ] && answers && cmp -s "$ROOT/dovecot.conf" "$ROOT/run/started.conf"; then
  exit 0
fi
if [ -f "$ROOT/run/master.pid" ]; then
  "$DOVECOT" -c "$ROOT/dovecot.conf" stop >/dev/null 2>&1 || true
  sleep 1
fi
"$DOVECOT" -c "$ROOT/dovecot.conf"
cp "$ROOT/dovecot.conf" "$ROOT/run/started.conf"

for _ in $(seq 1 50); do
  if answers; then
    exit 0
  fi
  sleep 0.2
done
echo "dovecot did not answer on 127.0.0.1:$PORT; see $ROOT/dovecot.log" >&2
tail -n 20 "$ROOT/dovecot.log" >&2 || true
exit 1

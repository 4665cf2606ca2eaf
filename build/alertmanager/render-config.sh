#!/bin/sh
# render-config.sh TEMPLATE OUTPUT: Alertmanager's configuration with the e-mail
# settings of .env.production (ALERT_EMAIL_TO, ALERT_EMAIL_FROM, ALERT_SMTP_SMARTHOST,
# ALERT_SMTP_USERNAME, ALERT_SMTP_PASSWORD) put in place of the @@NAME@@ marks.
# POSIX sh and sed only: it runs in the Alertmanager image before Alertmanager starts.
set -eu
template=$1
output=$2
tmp="$output.tmp"
cp "$template" "$tmp"
for name in ALERT_EMAIL_TO ALERT_EMAIL_FROM ALERT_SMTP_SMARTHOST ALERT_SMTP_USERNAME ALERT_SMTP_PASSWORD; do
  eval "value=\${$name:-}"
  case "$value" in
    *'
'*) echo "render-config.sh: $name must be one line" >&2; rm -f "$tmp"; exit 1 ;;
  esac
  if [ -z "$value" ] && [ "$name" != ALERT_SMTP_USERNAME ] && [ "$name" != ALERT_SMTP_PASSWORD ]; then
    echo "render-config.sh: set $name in .env.production" >&2
    rm -f "$tmp"
    exit 1
  fi
  # a YAML double-quoted string (\ and " escaped), then a sed replacement (\ & | escaped)
  escaped=$(printf '%s' "$value" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/[\\&|]/\\&/g')
  sed -e "s|@@$name@@|$escaped|g" "$tmp" > "$tmp.next"
  mv "$tmp.next" "$tmp"
done
mv "$tmp" "$output"

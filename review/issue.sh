#!/bin/sh
# issue.sh SERVICE [N]
T=$(cat /tmp/r15/x/n/kiosk.token)
for i in $(seq ${2:-1}); do curl -s -X POST -H "Authorization: Bearer $T" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -H 'Content-Type: application/json' -d "{\"service\":\"$1\",\"language\":\"fr\"}" http://127.0.0.1:8571/api/v1/tickets | head -c 120; echo; done

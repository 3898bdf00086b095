#!/usr/bin/env python3
"""channels.py API N PREFIX [secure]: creates N BASIC channels with insecure ingest (SRT without a passphrase, plain
RTMP) on openivs and prints their stream keys, one a line; with "secure", channels as IVS makes them by default
(SRT only with the channel's passphrase), a stream key and its channel's SRT passphrase a line, tab-separated."""
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control"))
from presign import _call  # noqa: E402  (the control benchmark's SigV4 signer)

api, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
secure = len(sys.argv) > 4 and sys.argv[4] == "secure"
now = datetime.datetime.now(datetime.timezone.utc)
for i in range(n):
    created = _call(api, "CreateChannel", {"name": f"{prefix}-{i}", "insecureIngest": not secure, "type": "BASIC"}, now)
    if secure:
        print(created["streamKey"]["value"] + "\t" + created["channel"]["srt"]["passphrase"])
    else:
        print(created["streamKey"]["value"])

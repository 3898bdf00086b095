#!/usr/bin/env python3
"""channels.py API N PREFIX: creates N BASIC channels with insecure ingest (SRT without a passphrase, plain
RTMP) on openivs and prints their stream keys, one a line."""
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control"))
from presign import _call  # noqa: E402  (the control benchmark's SigV4 signer)

api, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
now = datetime.datetime.now(datetime.timezone.utc)
for i in range(n):
    created = _call(api, "CreateChannel", {"name": f"{prefix}-{i}", "insecureIngest": True, "type": "BASIC"}, now)
    print(created["streamKey"]["value"])

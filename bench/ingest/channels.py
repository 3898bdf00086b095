#!/usr/bin/env python3
"""channels.py API N RTMP_PORT PLAYBACK_PORT: creates N channels with insecure ingest on openivs and
prints the harness's stream list (RTMP URL with the stream key, media playlist URL, playback name)."""
import datetime
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control"))
from presign import _call  # noqa: E402  (the control benchmark's SigV4 signer)

api, n, rtmp_port, playback_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
now = datetime.datetime.now(datetime.timezone.utc)
streams = []
for i in range(n):
    created = _call(api, "CreateChannel", {"name": f"ingest-{i}", "insecureIngest": True, "type": "STANDARD"}, now)
    # playbackUrl = https://host:port/api/video/v1/{name}.m3u8; the media playlist is {name}/live.m3u8.
    path = urllib.parse.urlsplit(created["channel"]["playbackUrl"]).path
    name = path.rsplit("/", 1)[1][:-len(".m3u8")]
    streams.append({
        "name": name,
        "rtmp": f"rtmp://127.0.0.1:{rtmp_port}/app/{created['streamKey']['value']}",
        "playlist": f"http://127.0.0.1:{playback_port}{path[:-len('.m3u8')]}/live.m3u8",
    })
print(json.dumps(streams))

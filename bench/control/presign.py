#!/usr/bin/env python3
"""Presigned SigV4 requests for the openivs control API, standard library only.

  presign.py create ENDPOINT N ARNS_OUT        create N channels, write their ARNs one a line
  presign.py pool ENDPOINT OP ARNS_IN OUT [N]  write N presigned requests for OP as "path<TAB>body" lines

Credentials come from BENCH_ACCESS_KEY / BENCH_SECRET_KEY (the bench's own throwaway pair).
A presigned URL signs only Host; the body is covered through its SHA-256 in the canonical request,
so wrk may replay each line verbatim until X-Amz-Expires runs out.
"""
import concurrent.futures
import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.parse
import urllib.request

REGION = "us-west-2"
SERVICE = "ivs"
EXPIRES = 604800


def _quote(s):
    return urllib.parse.quote(s, safe="-_.~")


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def presign(host, operation, body, access_key, secret_key, now):
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    scope = f"{day}/{REGION}/{SERVICE}/aws4_request"
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{access_key}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(EXPIRES),
        "X-Amz-SignedHeaders": "host",
    }
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(params.items()))
    path = "/" + operation
    canonical = "\n".join([
        "POST", path, query, f"host:{host}", "", "host",
        hashlib.sha256(body.encode()).hexdigest(),
    ])
    to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest(),
    ])
    key = _hmac(("AWS4" + secret_key).encode(), day)
    for part in (REGION, SERVICE, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{query}&X-Amz-Signature={signature}"


def _credentials():
    return os.environ["BENCH_ACCESS_KEY"], os.environ["BENCH_SECRET_KEY"]


def _call(endpoint, operation, payload, now):
    host = urllib.parse.urlsplit(endpoint).netloc
    body = json.dumps(payload, separators=(",", ":"))
    url = endpoint + presign(host, operation, body, *_credentials(), now)
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def create(endpoint, count, arns_out):
    now = datetime.datetime.now(datetime.timezone.utc)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = pool.map(lambda i: _call(endpoint, "CreateChannel", {"name": f"bench-{i}"}, now), range(count))
        arns = [a["channel"]["arn"] for a in answers]
    with open(arns_out, "w") as out:
        out.write("\n".join(arns) + "\n")


def pool(endpoint, operation, arns_in, out_path, count):
    host = urllib.parse.urlsplit(endpoint).netloc
    access_key, secret_key = _credentials()
    now = datetime.datetime.now(datetime.timezone.utc)
    with open(arns_in) as f:
        arns = [line.strip() for line in f if line.strip()]
    if operation == "GetChannel":
        bodies = [json.dumps({"arn": arns[i % len(arns)]}, separators=(",", ":")) for i in range(count)]
    elif operation == "ListChannels":
        bodies = ['{"maxResults":100}']
    elif operation == "CreateChannel":
        bodies = ['{"name":"bench-load"}']
    else:
        raise SystemExit(f"unknown operation {operation}")
    with open(out_path, "w") as out:
        for body in bodies:
            out.write(presign(host, operation, body, access_key, secret_key, now) + "\t" + body + "\n")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "create":
        create(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) >= 6 and sys.argv[1] == "pool":
        pool(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]) if len(sys.argv) > 6 else 1000)
    else:
        raise SystemExit(__doc__)

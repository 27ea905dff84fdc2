#!/usr/bin/env python3
"""A local fake AWS for opsdeck's tests: moto, behind a small HTTP front that

* translates the Smithy RPC v2 CBOR protocol (what the current aws-sdk-cloudwatch speaks and
  moto does not) to AWS JSON 1.0 (which moto accepts for CloudWatch) and back: timestamps are
  CBOR tag 1 (epoch seconds) on the wire and JSON numbers for moto;
* injects faults on request (throttling, HTTP 500, hanging, dropped connections) per AWS
  service, so tests can show the cockpit degrades and recovers;
* counts requests per operation, for the API-calls-per-minute figure.

Usage: fakeaws.py [--port N]   prints `READY <port>` once serving; loopback only.
Control (not AWS): POST /__fake/fault {"service": "logs"|"*", "mode": "throttle"|"500"|"expired"|"denied"|"hang"|"drop"|"none"}
                   GET  /__fake/stats   -> {"Operation": count, ...};  POST /__fake/stats/reset
                   GET  /__fake/stats/by-key -> {"access key id": {"Operation": count}} (one per account)
                   POST /__fake/latency {"ms": 40}   every AWS call answers that much later
                   POST /__fake/trace  starts recording calls; GET /__fake/trace -> [[start, end, key, op]]
                   POST /__fake/ecs-running {"count": 2}   ECS services created from now on run 2 tasks
                   POST /__fake/cache {"on": true}   (benchmarks) successful reads (Describe*, List*,
                        Get*, Lambda GETs; not logs or STS) are answered again from a cache, per
                        account, region and request, without asking moto: moto's ~4 ms of CPU a
                        call then stays out of a measurement of the client
                   POST /__fake/oam {"monitoring": "123456789012", "sources": ["222222222222"]}
                        links source accounts to the monitoring account (cross-account observability)
                   GET  /__fake/keys    -> {"service": [access key ids that signed calls]}
                   POST /__fake/target-health {"target": "i-2", "state": "unhealthy", "reason": "...", "description": "..."}
                   POST /__fake/sfn-fail {"execution_arn": "...", "error": "...", "cause": "..."}
                   POST /__fake/rds-maintenance {"resource": "orders-db", "action": "system-update"}

What moto lacks is played here, and said so: target health other than `healthy` (moto
registers every target healthy), failed Step Functions executions (moto's never fail) and
RedriveExecution, ElastiCache TestFailover (a 500 in moto: answered here, and the group
reports `modifying` until the next stats reset), RDS DescribePendingMaintenanceActions (a 500
in moto: answered here from what /__fake/rds-maintenance set), CloudWatch Logs StartLiveTail
(moto has none: played here as an AWS event stream of session updates, fed from moto's events
every 50 ms; a logs fault breaks the session), and of cross-account observability: ListMetrics
IncludeLinkedAccounts, GetMetricData AccountId, FilterLogEvents logGroupIdentifier,
DescribeLogGroups includeLinkedAccounts and StartQuery logGroupIdentifiers (moto has no OAM
and knows log groups by name only).
"""

import re

import argparse
import json
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from moto.server import ThreadedMotoServer
except ImportError as e:  # the test that started us shows this and fails
    sys.stderr.write(
        f"moto is not installed ({e}); install it with: python3 -m pip install 'moto[server]'\n"
    )
    sys.exit(3)


# ---------------------------------------------------------------- a minimal CBOR codec (RFC 8949)
class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 0x100:
        return bytes([major << 5 | 24, n])
    if n < 0x10000:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    if n < 0x100000000:
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    return bytes([major << 5 | 27]) + struct.pack(">Q", n)


def cbor_encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, Tag):
        return _head(6, v.tag) + cbor_encode(v.value)
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    raise TypeError(f"cannot encode {type(v)}")


def cbor_decode(data):
    v, i = _dec(data, 0)
    return v


def _len(data, i, info):
    if info < 24:
        return info, i
    if info == 24:
        return data[i], i + 1
    if info == 25:
        return struct.unpack_from(">H", data, i)[0], i + 2
    if info == 26:
        return struct.unpack_from(">I", data, i)[0], i + 4
    if info == 27:
        return struct.unpack_from(">Q", data, i)[0], i + 8
    if info == 31:
        return None, i
    raise ValueError("bad CBOR length")


def _dec(data, i):
    b = data[i]
    i += 1
    major, info = b >> 5, b & 31
    if major == 7:
        if info == 20:
            return False, i
        if info == 21:
            return True, i
        if info in (22, 23):
            return None, i
        if info == 25:
            h = struct.unpack_from(">e", data, i)[0]
            return float(h), i + 2
        if info == 26:
            return struct.unpack_from(">f", data, i)[0], i + 4
        if info == 27:
            return struct.unpack_from(">d", data, i)[0], i + 8
        raise ValueError("bad CBOR simple value")
    n, i = _len(data, i, info)
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        if n is None:  # indefinite: chunks until break
            parts = []
            while data[i] != 0xFF:
                p, i = _dec(data, i)
                parts.append(p)
            i += 1
            joined = "".join(parts) if major == 3 else b"".join(parts)
            return joined, i
        raw = data[i : i + n]
        return (raw.decode() if major == 3 else bytes(raw)), i + n
    if major == 4:
        out = []
        if n is None:
            while data[i] != 0xFF:
                x, i = _dec(data, i)
                out.append(x)
            return out, i + 1
        for _ in range(n):
            x, i = _dec(data, i)
            out.append(x)
        return out, i
    if major == 5:
        out = {}
        if n is None:
            while data[i] != 0xFF:
                k, i = _dec(data, i)
                out[k], i = _dec(data, i)
            return out, i + 1
        for _ in range(n):
            k, i = _dec(data, i)
            out[k], i = _dec(data, i)
        return out, i
    if major == 6:
        v, i = _dec(data, i)
        return Tag(n, v), i
    raise ValueError("bad CBOR major type")


def untag(v):
    """CBOR request values → JSON values (timestamps: epoch seconds)."""
    if isinstance(v, Tag):
        return untag(v.value)
    if isinstance(v, dict):
        return {k: untag(x) for k, x in v.items()}
    if isinstance(v, list):
        return [untag(x) for x in v]
    if isinstance(v, bytes):
        import base64

        return base64.b64encode(v).decode()
    return v


def _is_time_key(k):
    return isinstance(k, str) and (k.endswith("Timestamp") or k.endswith("Timestamps") or k in ("StartDate", "EndDate"))


def retag(v, time_key=False):
    """moto's JSON response values → CBOR values, timestamps as tag 1."""
    if isinstance(v, dict):
        return {k: retag(x, _is_time_key(k)) for k, x in v.items()}
    if isinstance(v, list):
        return [retag(x, time_key) for x in v]
    if time_key and isinstance(v, (int, float)) and not isinstance(v, bool):
        return Tag(1, float(v))
    if time_key and isinstance(v, str):
        from datetime import datetime

        try:
            return Tag(1, datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return v
    return v


# ---------------------------------------------------------------- the front
STATE = {"faults": {}, "stats": {}, "keys": {}, "by_key": {}, "latency_s": 0.0, "oam": None, "lock": threading.Lock(),
         "target_health": {}, "sfn_failed": {}, "redriven": [], "failovers": set(), "maintenance": [],
         "queries": {}, "trace": None, "cache": None, "key_account": {},
         "read_only_keys": {}, "denied": []}


def _xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def local_answer(op, body):
    """Operations moto lacks, answered here: (code, body, content type) or None."""
    if op == "DescribePendingMaintenanceActions":
        items = "".join(
            f"<ResourcePendingMaintenanceActions><ResourceIdentifier>arn:aws:rds:us-east-1:123456789012:db:{_xml_escape(m['resource'])}</ResourceIdentifier>"
            f"<PendingMaintenanceActionDetails><PendingMaintenanceAction><Action>{_xml_escape(m['action'])}</Action></PendingMaintenanceAction></PendingMaintenanceActionDetails>"
            "</ResourcePendingMaintenanceActions>"
            for m in STATE["maintenance"])
        xml = ("<DescribePendingMaintenanceActionsResponse><DescribePendingMaintenanceActionsResult><PendingMaintenanceActions>"
               f"{items}</PendingMaintenanceActions></DescribePendingMaintenanceActionsResult></DescribePendingMaintenanceActionsResponse>")
        return 200, xml.encode(), "text/xml"
    if op == "TestFailover":
        fields = dict(p.split(b"=", 1) for p in body.split(b"&") if b"=" in p)
        group = urllib.parse.unquote(fields.get(b"ReplicationGroupId", b"").decode())
        STATE["failovers"].add(group)
        xml = (f"<TestFailoverResponse><TestFailoverResult><ReplicationGroup><ReplicationGroupId>{_xml_escape(group)}</ReplicationGroupId>"
               "<Status>modifying</Status></ReplicationGroup></TestFailoverResult></TestFailoverResponse>")
        return 200, xml.encode(), "text/xml"
    if op == "RedriveExecution":
        arn = json.loads(body or b"{}").get("executionArn", "")
        if arn not in STATE["sfn_failed"]:
            return 400, json.dumps({"__type": "ExecutionNotRedrivable", "message": f"{arn} has not failed"}).encode(), "application/x-amz-json-1.0"
        STATE["sfn_failed"].pop(arn)
        STATE["redriven"].append(arn)
        return 200, json.dumps({"redriveDate": time.time()}).encode(), "application/x-amz-json-1.0"
    return None


def rewrite(op, body):
    """moto's answer, with what the tests set that moto cannot hold."""
    if op == "DescribeTargetHealth" and STATE["target_health"]:
        text = body.decode()

        def member(m):
            block = m.group(0)
            tid = re.search(r"<Id>([^<]*)</Id>", block)
            spec = STATE["target_health"].get(tid.group(1)) if tid else None
            if not spec:
                return block
            health = f"<TargetHealth><State>{_xml_escape(spec['state'])}</State>"
            if spec.get("reason"):
                health += f"<Reason>{_xml_escape(spec['reason'])}</Reason>"
            if spec.get("description"):
                health += f"<Description>{_xml_escape(spec['description'])}</Description>"
            health += "</TargetHealth>"
            return re.sub(r"<TargetHealth>.*?</TargetHealth>", health, block, flags=re.S)
        return re.sub(r"<member>\s*<HealthCheckPort>.*?</member>|<member>\s*<Target>.*?</TargetHealth>\s*</member>", member, text, flags=re.S).encode()
    if op == "DescribeReplicationGroups" and STATE["failovers"]:
        text = body.decode()
        for g in STATE["failovers"]:
            text = re.sub(rf"(<ReplicationGroupId>{re.escape(g)}</ReplicationGroupId>.*?<Status>)available(</Status>)", r"\1modifying\2", text, count=1, flags=re.S)
        return text.encode()
    if op in ("ListExecutions", "DescribeExecution") and STATE["sfn_failed"]:
        try:
            doc = json.loads(body)
        except ValueError:
            return body
        items = doc.get("executions", []) if op == "ListExecutions" else [doc]
        for e in items:
            f = STATE["sfn_failed"].get(e.get("executionArn"))
            if f:
                e["status"] = "FAILED"
                e["stopDate"] = f["at"]
                if op == "DescribeExecution":
                    e["error"], e["cause"] = f.get("error"), f.get("cause")
        return json.dumps(doc).encode()
    return body


def access_key_of(headers):
    auth = headers.get("Authorization", "")
    try:
        return auth.split("Credential=")[1].split("/")[0]
    except IndexError:
        return "?"


def cache_key(front, svc, op, body):
    """The cache key of a read whose answer may be replayed (/__fake/cache on), else None:
    the caller's account (a role session's, learned from its AssumeRole), region, and the
    request itself."""
    if STATE["cache"] is None or svc in ("logs", "sts"):
        return None
    if not (op.startswith(("Describe", "List", "Get")) or (svc == "lambda" and front.command == "GET")):
        return None
    key = access_key_of(front.headers)
    try:
        region = front.headers.get("Authorization", "").split("Credential=")[1].split("/")[2]
    except IndexError:
        region = "?"
    return (STATE["key_account"].get(key, key), region, front.command, front.path, body)


def learn_role_key(body, answer):
    """A role session's key belongs to the role's account (for the cache's keys)."""
    try:
        arn = urllib.parse.parse_qs(body.decode())["RoleArn"][0]
        key = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", answer.decode()).group(1)
    except (KeyError, AttributeError, UnicodeDecodeError):
        return
    with STATE["lock"]:
        STATE["key_account"][key] = arn.split(":")[4]


# ---------------------------------------------------------------- read-only credentials
# IAM as opsdeck's box relies on it: credentials minted with the managed ReadOnlyAccess policy
# as a session policy (GetFederationToken or AssumeRole with PolicyArns), or from a role whose
# name says ReadOnly, may only read. moto enforces no IAM, so the front does: a call signed by
# such a key that is not a read is refused with AccessDenied, and counted (/__fake/denied).
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Lookup", "Filter", "Search", "Query",
                 "Scan", "Select", "StartQuery", "StopQuery", "StartLiveTail", "TestEventPattern")


def learn_read_only_key(op, body, answer):
    text = urllib.parse.unquote_plus(body.decode(errors="replace"))
    role = urllib.parse.parse_qs(body.decode(errors="replace")).get("RoleArn", [""])[0]
    narrowed = "policy/ReadOnlyAccess" in text
    if not (narrowed or (op == "AssumeRole" and "ReadOnly" in role.split("/")[-1])):
        return
    m = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", answer.decode(errors="replace"))
    if m:
        with STATE["lock"]:
            STATE["read_only_keys"][m.group(1)] = "session policy ReadOnlyAccess" if narrowed else role


def is_read(svc, op, method):
    if svc == "lambda":
        return method in ("GET", "HEAD")
    return op.startswith(READ_PREFIXES) or op in ("GetCallerIdentity",)


def service_of(headers):
    auth = headers.get("Authorization", "")
    try:
        scope = auth.split("Credential=")[1].split(",")[0].split("/")
        return scope[3]
    except IndexError:
        return "?"


def operation_of(path, headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    if "/operation/" in path:
        return path.rsplit("/", 1)[-1]
    if body and b"Action=" in body:
        for part in body.split(b"&"):
            if part.startswith(b"Action="):
                return part[7:].decode()
    return lambda_operation(path.split("?")[0]) or path.split("?")[0]


def lambda_operation(path):
    """Lambda's REST paths named as the API's reads (for the per-operation counts)."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or not parts[0].startswith("20") or parts[1] != "functions":
        return None
    tail = parts[3:]
    if len(parts) == 2:
        return "ListFunctions"
    if not tail:
        return "GetFunction"
    return {"aliases": "ListAliases", "versions": "ListVersionsByFunction",
            "configuration": "GetFunctionConfiguration", "concurrency": "GetFunctionConcurrency"}.get(tail[0])



# ---------------------------------------------------------------- cross-account observability
# moto has no Observability Access Manager: IncludeLinkedAccounts is ignored by its ListMetrics
# and AccountId by its GetMetricData. Played here: POST /__fake/oam links a monitoring account
# (the test credentials' key) to source accounts; the monitoring key's ListMetrics with
# IncludeLinkedAccounts then lists every linked account's metrics with OwningAccounts, and its
# GetMetricData answers each query from the account its AccountId names (an unlinked account's
# queries come back Forbidden, as AWS's do).

def forged(headers, key):
    """The caller's headers, signed (as far as moto looks) with another account's key. Header
    names as the client sent them (the SDK's are lower case): one of each."""
    h = {k: v for k, v in headers.items()
         if k.lower() not in ("content-type", "x-amz-target", "content-length", "connection", "smithy-protocol", "accept")}
    if key:
        for k in list(h):
            if k.lower() == "authorization":
                h[k] = re.sub(r"Credential=[^/]+/", f"Credential={key}/", h[k])
            elif k.lower() == "x-amz-security-token":
                del h[k]
    return h


def moto_cloudwatch(front, op, req, headers, key=None):
    h = forged(headers, key)
    h["Content-Type"] = "application/x-amz-json-1.0"
    h["X-Amz-Target"] = f"GraniteServiceVersion20100801.{op}"
    r = urllib.request.Request(front.moto_url + "/", data=json.dumps(req).encode(), method="POST", headers=h)
    with urllib.request.urlopen(r, timeout=30) as resp:
        raw = resp.read()
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        sys.stderr.write(f"moto answered {op} with non-JSON: {raw[:300]!r}\n")
        raise


def oam_link(front, spec):
    """Source accounts' keys, from moto's STS (its keys are how moto tells accounts apart)."""
    sources = {}
    for acct in spec.get("sources", []):
        body = urllib.parse.urlencode({"Action": "AssumeRole", "Version": "2011-06-15",
                                       "RoleArn": f"arn:aws:iam::{acct}:role/oam-link", "RoleSessionName": "oam"})
        auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0"
        r = urllib.request.Request(front.moto_url + "/", data=body.encode(), method="POST",
                                   headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth})
        with urllib.request.urlopen(r, timeout=30) as resp:
            xml = resp.read().decode()
        sources[acct] = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", xml).group(1)
    return {"monitoring": spec.get("monitoring", "123456789012"), "monitoring_key": spec.get("monitoring_key", "testing"),
            "sources": sources}


def moto_logs(front, op, req, key=None):
    h = forged(front.headers, key)
    h["Content-Type"] = "application/x-amz-json-1.1"
    h["X-Amz-Target"] = f"Logs_20140328.{op}"
    r = urllib.request.Request(front.moto_url + "/", data=json.dumps(req).encode(), method="POST", headers=h)
    with urllib.request.urlopen(r, timeout=30) as resp:
        return json.loads(resp.read() or b"{}")


def linked_key(front, arn):
    """The key to read a log group ARN's account with: None for the caller's own (or no link),
    the source account's when the caller is its monitoring account."""
    link = STATE.get("oam")
    if not link or not arn.startswith("arn:"):
        return None
    acct = arn.split(":")[4]
    if acct == link["monitoring"] or access_key_of(front.headers) != link["monitoring_key"]:
        return None
    return link["sources"].get(acct)


def oam_logs(front, op, req):
    """Logs calls moto cannot answer: FilterLogEvents by logGroupIdentifier (an ARN, maybe a
    linked account's), DescribeLogGroups with includeLinkedAccounts."""
    link = STATE.get("oam")
    if op == "FilterLogEvents":
        ident = req.get("logGroupIdentifier")
        if not ident:
            return None
        req = {k: v for k, v in req.items() if k != "logGroupIdentifier"}
        req["logGroupName"] = group_name(ident)
        return moto_logs(front, op, req, linked_key(front, ident))
    if op == "StartQuery":
        return linked_query(front, req)
    if op == "GetQueryResults":
        with STATE["lock"]:
            return STATE["queries"].get(req.get("queryId"))
    if op == "DescribeLogGroups":
        if not req.get("includeLinkedAccounts") or not link or access_key_of(front.headers) != link["monitoring_key"]:
            return None
        base = {k: v for k, v in req.items() if k not in ("includeLinkedAccounts", "nextToken")}
        groups = []
        for key in [None] + list(link["sources"].values()):
            token = None
            while True:
                doc = moto_logs(front, op, dict(base, **({"nextToken": token} if token else {})), key)
                groups += doc.get("logGroups", [])
                token = doc.get("nextToken")
                if not token:
                    break
        return {"logGroups": groups}
    return None


class AwsError(Exception):
    """An AWS error answer from the front's own handling: (HTTP code, __type, message)."""


def linked_query(front, req):
    """Logs Insights over logGroupIdentifiers (names and ARNs; moto knows only names): each
    account's groups are queried in moto as that account (a linked source account's with its
    key, when the caller is the monitoring account), `@log` is given AWS's `account:name` form,
    and the rows come back merged, newest first, under a query id of the front's own."""
    idents = req.get("logGroupIdentifiers")
    if not idents:
        return None
    link = STATE.get("oam")
    monitoring = link and access_key_of(front.headers) == link["monitoring_key"]
    own = link["monitoring"] if monitoring else None
    by_acct = {}
    for ident in idents:
        acct = ident.split(":")[4] if ident.startswith("arn:") else own
        if monitoring and acct not in (own, *link["sources"]):
            raise AwsError(400, "AccessDeniedException", f"account {acct} is not linked to this monitoring account")
        by_acct.setdefault(acct if monitoring else own, []).append(group_name(ident))
    base = {k: v for k, v in req.items() if k != "logGroupIdentifiers"}
    rows = []
    for acct, names in by_acct.items():
        key = link["sources"].get(acct) if monitoring else None
        qid = moto_logs(front, "StartQuery", dict(base, logGroupNames=names), key)["queryId"]
        for row in moto_logs(front, "GetQueryResults", {"queryId": qid}, key).get("results", []):
            for f in row:
                if f.get("field") == "@log" and acct:
                    f["value"] = f"{acct}:{f['value']}"
            rows.append(row)
    stamp = lambda row: next((f["value"] for f in row if f.get("field") == "@timestamp"), "")
    rows.sort(key=stamp, reverse=True)
    qid = f"front-{time.time_ns()}"
    with STATE["lock"]:
        STATE["queries"][qid] = {"results": rows, "status": "Complete",
                                 "statistics": {"recordsMatched": float(len(rows))}}
    return {"queryId": qid}


def oam_answer(front, op, req, headers):
    """The cross-account answer to a CloudWatch call, or None when moto's own will do."""
    link = STATE.get("oam")
    if not link or access_key_of(front.headers) != link["monitoring_key"]:
        return None
    if op == "ListMetrics":
        if not req.get("IncludeLinkedAccounts"):
            return None
        want = req.get("OwningAccount")
        base = {k: v for k, v in req.items() if k not in ("IncludeLinkedAccounts", "OwningAccount", "NextToken")}
        metrics, owners = [], []
        for acct, key in [(link["monitoring"], None)] + list(link["sources"].items()):
            if want and want != acct:
                continue
            token = None
            while True:
                doc = moto_cloudwatch(front, op, dict(base, **({"NextToken": token} if token else {})), headers, key)
                found = doc.get("Metrics", [])
                metrics += found
                owners += [acct] * len(found)
                token = doc.get("NextToken")
                if not token:
                    break
        return {"Metrics": metrics, "OwningAccounts": owners}
    if op == "GetMetricData":
        queries = req.get("MetricDataQueries", [])
        if not any(q.get("AccountId") not in (None, link["monitoring"]) for q in queries):
            return None
        by_acct = {}
        for q in queries:
            by_acct.setdefault(q.get("AccountId") or link["monitoring"], []).append(
                {k: v for k, v in q.items() if k != "AccountId"})
        results = []
        for acct, qs in by_acct.items():
            if acct != link["monitoring"] and acct not in link["sources"]:
                results += [{"Id": q["Id"], "Label": q.get("Label", q["Id"]), "StatusCode": "Forbidden",
                             "Timestamps": [], "Values": []} for q in qs]
                continue
            doc = moto_cloudwatch(front, op, dict(req, MetricDataQueries=qs), headers, link["sources"].get(acct))
            results += doc.get("MetricDataResults", [])
        return {"MetricDataResults": results, "Messages": []}
    return None


# ---------------------------------------------------------------- StartLiveTail (moto has none)
def _es_header(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + n + bytes([7]) + struct.pack(">H", len(v)) + v


def eventstream_message(event_type, payload):
    """One AWS event-stream message (prelude with its CRC32, string headers, JSON payload,
    message CRC32): what StartLiveTail's response body is made of."""
    headers = (_es_header(":message-type", "event") + _es_header(":event-type", event_type)
               + _es_header(":content-type", "application/json"))
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    msg = prelude + headers + body
    return msg + struct.pack(">I", zlib.crc32(msg) & 0xFFFFFFFF)


def group_name(identifier):
    # arn:aws:logs:REGION:ACCOUNT:log-group:NAME (optionally :*), or a bare name
    if identifier.startswith("arn:"):
        name = identifier.split(":log-group:", 1)[1]
        return name[:-2] if name.endswith(":*") else name
    return identifier


LIVE_TAIL_POLL_S = 0.05
LIVE_TAIL_MAX_S = 3 * 3600


def live_tail(front, body):
    """StartLiveTail: a session start, then every new event of the groups as session updates,
    as a chunked event stream, until the client goes away (or three hours pass, as AWS ends
    sessions). New events are read from moto every 50 ms with the caller's own signature
    headers, so moto answers for the caller's account and region."""
    spec = json.loads(body or b"{}")
    idents = spec.get("logGroupIdentifiers") or []
    if not idents or len(idents) > 10:
        err = {"__type": "InvalidParameterException", "message": "logGroupIdentifiers: 1 to 10 log groups"}
        return front._reply(400, json.dumps(err).encode(), [("Content-Type", "application/x-amz-json-1.1")])
    pattern = spec.get("logEventFilterPattern")
    fwd = {k: v for k, v in front.headers.items()
           if k.lower() in ("authorization", "x-amz-date", "x-amz-security-token", "user-agent")}
    fwd["Content-Type"] = "application/x-amz-json-1.1"
    fwd["X-Amz-Target"] = "Logs_20140328.FilterLogEvents"

    def events_since(ident, start_ms):
        out, token = [], None
        key = linked_key(front, ident)
        headers = forged(fwd, key) if key else fwd
        headers["Content-Type"] = "application/x-amz-json-1.1"
        headers["X-Amz-Target"] = "Logs_20140328.FilterLogEvents"
        group = group_name(ident)
        while True:
            req = {"logGroupName": group, "startTime": start_ms}
            if pattern:
                req["filterPattern"] = pattern
            if token:
                req["nextToken"] = token
            r = urllib.request.Request(front.moto_url + "/", data=json.dumps(req).encode(), method="POST", headers=headers)
            with urllib.request.urlopen(r, timeout=10) as resp:
                doc = json.loads(resp.read() or b"{}")
            out.extend(doc.get("events", []))
            token = doc.get("nextToken")
            if not token:
                return out

    start_ms = int(time.time() * 1000)
    seen = {g: set() for g in idents}
    try:
        front.send_response(200)
        front.send_header("Content-Type", "application/vnd.amazon.eventstream")
        front.send_header("x-amzn-RequestId", "live-tail-fake")
        front.send_header("Transfer-Encoding", "chunked")
        front.end_headers()

        def chunk(data):
            front.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            front.wfile.flush()

        chunk(eventstream_message("sessionStart", {
            "requestId": "live-tail-fake", "sessionId": f"session-{start_ms}",
            "logGroupIdentifiers": idents, "logEventFilterPattern": pattern or ""}))
        last_beat = time.time()
        while time.time() - start_ms / 1000 < LIVE_TAIL_MAX_S:
            with STATE["lock"]:
                fault = STATE["faults"].get("logs") or STATE["faults"].get("*")
            if fault in ("drop", "500", "throttle", "expired", "denied", "hang"):
                # The session breaks the way a network loss would: the client falls back.
                front.close_connection = True
                return
            results = []
            for ident in idents:
                # Events ingested since the session started (a little slack for clock steps).
                for e in events_since(ident, start_ms - 1000):
                    if e["eventId"] in seen[ident] or e.get("ingestionTime", start_ms) < start_ms:
                        continue
                    seen[ident].add(e["eventId"])
                    results.append({"logStreamName": e.get("logStreamName"), "logGroupIdentifier": ident,
                                    "message": e.get("message", ""), "timestamp": e.get("timestamp"),
                                    "ingestionTime": e.get("ingestionTime")})
            if results or time.time() - last_beat >= 1.0:
                # AWS sends an update about every second, empty ones included.
                chunk(eventstream_message("sessionUpdate", {
                    "sessionMetadata": {"sampled": False}, "sessionResults": results}))
                last_beat = time.time()
            time.sleep(LIVE_TAIL_POLL_S)
        chunk(b"")
    except (BrokenPipeError, ConnectionResetError, OSError):
        front.close_connection = True


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    moto_url = None
    # A reply is written as headers, then body. With Nagle's algorithm on, the body waits for
    # the client to acknowledge the headers, which a client on a kept-alive connection delays
    # by up to 40 ms (delayed ACK): that wait would be measured as the client's latency.
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def _reply(self, code, body, headers=()):
        if getattr(self, "caching", None) is not None:
            with STATE["lock"]:
                if code < 400 and STATE["cache"] is not None:
                    STATE["cache"][self.caching] = (code, body, list(headers))
            self.caching = None
        try:
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a test's timeout, a snapshot that ended): not our problem.
            self.close_connection = True

    def _control(self, body):
        if self.path == "/__fake/fault":
            spec = json.loads(body or b"{}")
            with STATE["lock"]:
                if spec.get("mode", "none") == "none":
                    STATE["faults"].pop(spec.get("service", "*"), None)
                else:
                    STATE["faults"][spec.get("service", "*")] = spec["mode"]
            return self._reply(200, b"{}")
        if self.path == "/__fake/stats":
            with STATE["lock"]:
                return self._reply(200, json.dumps(STATE["stats"]).encode())
        if self.path == "/__fake/trace":
            # POST starts a new trace; GET gives every AWS call since: [start, end, key, op].
            with STATE["lock"]:
                if self.command == "POST":
                    STATE["trace"] = []
                return self._reply(200, json.dumps(STATE["trace"] or []).encode())
        if self.path == "/__fake/ecs-running":
            # ECS services created from now on run this many tasks with their rollout
            # COMPLETED (moto's default: none running, the rollout IN_PROGRESS, so every
            # service looks mid-deployment); a fleet built with that desired count is steady.
            import os
            os.environ["MOTO_ECS_SERVICE_RUNNING"] = str(int(json.loads(body or b"{}").get("count", 0)))
            return self._reply(200, b"{}")
        if self.path == "/__fake/cache":
            with STATE["lock"]:
                STATE["cache"] = {} if json.loads(body or b"{}").get("on") else None
            return self._reply(200, b"{}")
        if self.path == "/__fake/stats/by-key":
            with STATE["lock"]:
                return self._reply(200, json.dumps(STATE["by_key"]).encode())
        if self.path == "/__fake/oam":
            link = oam_link(self, json.loads(body or b"{}"))
            with STATE["lock"]:
                STATE["oam"] = link
            return self._reply(200, json.dumps(link["sources"]).encode())
        if self.path == "/__fake/latency":
            spec = json.loads(body or b"{}")
            with STATE["lock"]:
                STATE["latency_s"] = float(spec.get("ms", 0)) / 1000.0
            return self._reply(200, b"{}")
        if self.path == "/__fake/stats/reset":
            with STATE["lock"]:
                STATE["stats"] = {}
                STATE["by_key"] = {}
                STATE["keys"] = {}
                STATE["failovers"] = set()
            return self._reply(200, b"{}")
        if self.path == "/__fake/target-health":
            spec = json.loads(body or b"{}")
            with STATE["lock"]:
                if spec.get("state", "healthy") == "healthy":
                    STATE["target_health"].pop(spec["target"], None)
                else:
                    STATE["target_health"][spec["target"]] = spec
            return self._reply(200, b"{}")
        if self.path == "/__fake/sfn-fail":
            spec = json.loads(body or b"{}")
            with STATE["lock"]:
                STATE["sfn_failed"][spec["execution_arn"]] = dict(spec, at=time.time())
            return self._reply(200, b"{}")
        if self.path == "/__fake/sfn-redriven":
            with STATE["lock"]:
                return self._reply(200, json.dumps(STATE["redriven"]).encode())
        if self.path == "/__fake/rds-maintenance":
            spec = json.loads(body or b"{}")
            with STATE["lock"]:
                STATE["maintenance"].append(spec)
            return self._reply(200, b"{}")
        if self.path == "/__fake/denied":
            # Calls refused because read-only credentials signed a write: [key, service, op].
            with STATE["lock"]:
                return self._reply(200, json.dumps({"denied": STATE["denied"],
                                                    "read_only_keys": STATE["read_only_keys"]}).encode())
        if self.path == "/__fake/keys":
            # Which access key ids signed calls to each service (read-only role tests).
            with STATE["lock"]:
                return self._reply(200, json.dumps({k: sorted(v) for k, v in STATE["keys"].items()}).encode())
        if self.path.startswith("/__fake/health"):
            # Health endpoints for the HTTP check tests: ok, degraded (200), down (503), slow.
            kind = self.path.rsplit("/", 1)[-1]
            if kind == "slow":
                time.sleep(1.5)
            code, status = {"down": (503, "fail"), "degraded": (200, "degraded")}.get(kind, (200, "ok"))
            return self._reply(code, json.dumps({"status": status}).encode(), [("Content-Type", "application/json")])
        return self._reply(404, b"unknown control path")

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/__fake/"):
            return self._control(body)
        svc = service_of(self.headers)
        op = operation_of(self.path, self.headers, body)
        if self.command != "GET" and op in ("ListFunctions", "GetFunction", "ListAliases", "ListVersionsByFunction",
                                            "GetFunctionConfiguration", "GetFunctionConcurrency"):
            op = self.path.split("?")[0]  # a write on the same path: counted by its path
        key = access_key_of(self.headers)
        self.traced = (op, key)
        with STATE["lock"]:
            STATE["stats"][op] = STATE["stats"].get(op, 0) + 1
            STATE["keys"].setdefault(svc, set()).add(key)
            per = STATE["by_key"].setdefault(key, {})
            per[op] = per.get(op, 0) + 1
            fault = STATE["faults"].get(svc) or STATE["faults"].get("*")
            latency = STATE["latency_s"]
        if latency:
            # A real region's round trip; sleeping lets other requests proceed meanwhile.
            time.sleep(latency)
        cbor = self.headers.get("smithy-protocol") == "rpc-v2-cbor"
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "hang":
            time.sleep(60)
            self.close_connection = True
            return
        if fault in ("throttle", "500", "expired", "denied"):
            code, err = {
                "throttle": (400, {"__type": "ThrottlingException", "message": "Rate exceeded"}),
                "500": (500, {"__type": "InternalFailure", "message": "injected server error"}),
                "expired": (400, {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}),
                "denied": (400, {"__type": "AccessDeniedException", "message": "User: arn:aws:iam::123456789012:user/test is not authorized to perform this action"}),
            }[fault]
            if svc == "lambda":
                code, kind = {"throttle": (429, "TooManyRequestsException"), "500": (500, "ServiceException"),
                              "expired": (403, "ExpiredTokenException"), "denied": (403, "AccessDeniedException")}[fault]
                err = {"Type": "User", "message": err["message"]}
                return self._reply(code, json.dumps(err).encode(),
                                   [("Content-Type", "application/json"), ("x-amzn-ErrorType", kind)])
            if cbor:
                return self._reply(code, cbor_encode(err), [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
            if svc in ("sts", "rds", "elasticache", "elasticloadbalancing"):  # the query protocol: XML errors
                xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{err['__type']}</Code><Message>{err['message']}</Message></Error></ErrorResponse>"
                return self._reply(code, xml.encode(), [("Content-Type", "text/xml")])
            return self._reply(code, json.dumps(err).encode(), [("Content-Type", "application/x-amz-json-1.1")])
        if key in STATE["read_only_keys"] and not is_read(svc, op, self.command):
            with STATE["lock"]:
                # With the request's first bytes, so a test can tell which write was denied.
                STATE["denied"].append([key, svc, op, body[:300].decode("utf-8", "replace")])
            fault = "read-only"
        if fault == "read-only":
            message = f"User: {key} is not authorized to perform: {svc}:{op} (read-only credentials)"
            if svc == "lambda":
                return self._reply(403, json.dumps({"Type": "User", "message": message}).encode(),
                                   [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")])
            if cbor:
                return self._reply(400, cbor_encode({"__type": "AccessDenied", "message": message}),
                                   [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
            if svc in ("sts", "rds", "elasticache", "elasticloadbalancing", "sqs") and not self.headers.get("X-Amz-Target"):
                xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error></ErrorResponse>"
                return self._reply(403, xml.encode(), [("Content-Type", "text/xml")])
            return self._reply(400, json.dumps({"__type": "AccessDeniedException", "message": message}).encode(),
                               [("Content-Type", "application/x-amz-json-1.1")])
        if op == "StartLiveTail":
            return live_tail(self, body)
        if svc == "logs" and op in ("FilterLogEvents", "DescribeLogGroups", "StartQuery", "GetQueryResults"):
            try:
                doc = oam_logs(self, op, json.loads(body or b"{}"))
            except AwsError as e:
                code, kind, message = e.args
                return self._reply(code, json.dumps({"__type": kind, "message": message}).encode(),
                                   [("Content-Type", "application/x-amz-json-1.1")])
            if doc is not None:
                return self._reply(200, json.dumps(doc).encode(), [("Content-Type", "application/x-amz-json-1.1")])
        with STATE["lock"]:
            local = local_answer(op, body)
        if local:
            code, rbody, ctype = local
            return self._reply(code, rbody, [("Content-Type", ctype)])
        ckey = cache_key(self, svc, op, body)
        if ckey is not None:
            with STATE["lock"]:
                hit = STATE["cache"].get(ckey) if STATE["cache"] is not None else None
            if hit:
                return self._reply(*hit)
            self.caching = ckey
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection", "smithy-protocol", "accept")}
        if cbor:
            req = untag(cbor_decode(body) if body else {})
            doc = oam_answer(self, op, req, headers)
            if doc is not None:
                return self._reply(200, cbor_encode(retag(doc)), [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
            payload = json.dumps(req).encode()
            headers["Content-Type"] = "application/x-amz-json-1.0"
            headers["X-Amz-Target"] = f"GraniteServiceVersion20100801.{op}"
            url = self.moto_url + "/"
        else:
            payload = body
            url = self.moto_url + self.path
        req = urllib.request.Request(url, data=payload if self.command not in ("GET", "HEAD") or payload else None,
                                     method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                code, rbody, rheaders = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            code, rbody, rheaders = e.code, e.read(), e.headers
        if op == "AssumeRole" and code == 200:
            learn_role_key(body, rbody)
        if op in ("AssumeRole", "GetFederationToken") and code == 200:
            learn_read_only_key(op, body, rbody)
        if cbor:
            try:
                doc = json.loads(rbody or b"{}")
            except ValueError:
                doc = {"__type": "InternalFailure", "message": rbody.decode(errors="replace")[:200]}
                code = 500
            if code >= 400 and "__type" not in doc:
                doc["__type"] = rheaders.get("x-amzn-ErrorType", "InternalFailure")
            if "__type" in doc and "#" in doc["__type"]:
                doc["__type"] = doc["__type"].split("#")[-1]
            return self._reply(code, cbor_encode(retag(doc)), [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
        if code < 400:
            with STATE["lock"]:
                rbody = rewrite(op, rbody)
        keep = [(k, v) for k, v in rheaders.items() if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")]
        return self._reply(code, rbody, keep)

    def _traced(self):
        self.traced, self.caching, t0 = None, None, time.time()
        self._handle()
        if self.traced and STATE["trace"] is not None:
            with STATE["lock"]:
                STATE["trace"].append([t0, time.time(), self.traced[1], self.traced[0]])

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _traced


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    # moto's request log would fill the pipe of whoever started us; errors only.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    Front.moto_url = f"http://127.0.0.1:{moto_port}"
    # socketserver's default listen backlog is 5: ten contexts connecting at once overflow it
    # and the kernel's SYN retries (1 s, 3 s...) would be measured as opsdeck's start-up.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Front)
    server.daemon_threads = True
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        moto.stop()


if __name__ == "__main__":
    main()

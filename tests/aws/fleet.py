#!/usr/bin/env python3
"""Builds (and later mutates) the fleet opsdeck's live tests watch, through the fake AWS front
(so boto3's CloudWatch calls cross the CBOR bridge too).

fleet.py ENDPOINT build     clusters, services, task definitions; an IAM role and functions
                            with versions and aliases; log groups with events relative to now;
                            metric data; alarms
fleet.py ENDPOINT mutate    update-service, new log events, set-alarm-state, put-metric-data
fleet.py ENDPOINT logs N [FROM]   N more log events in /ecs/prod/api, `follow line FROM`… (for the follow tests)
fleet.py ENDPOINT desired CLUSTER SERVICE   prints the service's desired count
fleet.py ENDPOINT bad-event GROUP   an event the SDK cannot decode, between two good ones
fleet.py ENDPOINT put-logs GROUP STREAM LINE...   one event a line, a millisecond apart
fleet.py ENDPOINT big S C F Q   a large steady fleet: S services in C clusters, F functions, Q queues
fleet.py ENDPOINT state     a JSON digest of services, functions, log groups and alarms
"""

import io
import json
import os
import sys
import time
import zipfile

import boto3

ENDPOINT = sys.argv[1]
# FLEET_REGION builds or changes the fleet of another region (moto keeps each apart).
# FLEET_ACCOUNT=222222222222: the same in that account (through STS AssumeRole).
REGION = os.environ.get("FLEET_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


# FLEET_ACCOUNT builds in another account: moto keeps a separate state per account for the
# credentials STS AssumeRole hands out for a role of that account.
ACCOUNT = os.environ.get("FLEET_ACCOUNT")
_CREDS = {}


def client(name):
    if ACCOUNT and not _CREDS:
        sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name=REGION)
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/opsdeck", RoleSessionName="fleet")["Credentials"]
        _CREDS.update(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                      aws_session_token=c["SessionToken"])
    return boto3.client(name, endpoint_url=ENDPOINT, region_name=REGION, **_CREDS)


def now_ms():
    return int(time.time() * 1000)


def control(path, body):
    import urllib.request
    req = urllib.request.Request(ENDPOINT + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()


def zip_code():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def build():
    ecs, lam, iam = client("ecs"), client("lambda"), client("iam")
    logs, cw = client("logs"), client("cloudwatch")
    for c in ("prod", "staging"):
        ecs.create_cluster(clusterName=c)
    container = [{"name": "app", "image": "nginx", "memory": 256}]
    for family in ("api", "api", "worker"):
        ecs.register_task_definition(family=family, containerDefinitions=container)
    for cluster, name, td, desired in (("prod", "api", "api:2", 4), ("prod", "worker", "worker:1", 2), ("staging", "api", "api:1", 1)):
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=td, desiredCount=desired)
        # moto reports running = desired once a service is updated.
        ecs.update_service(cluster=cluster, service=name, desiredCount=desired)
    # IAM is global: a second region's fleet reuses the role.
    try:
        role = iam.create_role(
            RoleName="opsdeck-test-lambda",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        )["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="opsdeck-test-lambda")["Role"]["Arn"]
    for fn, mem in (("checkout", 512), ("thumbnailer", 1024)):
        lam.create_function(FunctionName=fn, Runtime="python3.12", Role=role, Handler="index.handler",
                            Code={"ZipFile": zip_code()}, MemorySize=mem, Timeout=30)
        lam.publish_version(FunctionName=fn)
        lam.update_function_code(FunctionName=fn, ZipFile=zip_code() + b"")
        lam.publish_version(FunctionName=fn)
    lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    lam.put_function_concurrency(FunctionName="thumbnailer", ReservedConcurrentExecutions=5)
    t = now_ms()
    for group, lines in (
        ("/ecs/prod/api", ['{"level":"info","msg":"GET /orders 200","ms":12}', "ERROR upstream timeout talking to db"]),
        ("/aws/lambda/checkout", ["START RequestId: 1", "checkout ok order=42", "END RequestId: 1"]),
        ("/misc/unrelated", ["not watched"]),
    ):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s1")
        logs.create_log_stream(logGroupName=group, logStreamName="s2")
        events = [{"timestamp": t - 60_000 + i * 1000, "message": m} for i, m in enumerate(lines)]
        logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=events)
        # Same millisecond in another stream: must show once each, never twice.
        logs.put_log_events(logGroupName=group, logStreamName="s2", logEvents=[{"timestamp": t - 60_000, "message": f"{group} s2 same-ms"}])
    dims = [{"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "api"}]
    base = time.time() - 10 * 60
    cw.put_metric_data(Namespace="AWS/ECS", MetricData=[
        {"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": base + i * 60, "Value": 30.0 + i} for i in range(10)])
    cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[
        {"MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": "checkout"}], "Timestamp": base + i * 60, "Value": 0.0} for i in range(10)])
    for name, metric, ns, d in (("prod-api-cpu-high", "CPUUtilization", "AWS/ECS", dims),
                                ("checkout-errors", "Errors", "AWS/Lambda", [{"Name": "FunctionName", "Value": "checkout"}])):
        cw.put_metric_alarm(AlarmName=name, MetricName=metric, Namespace=ns, Dimensions=d, Statistic="Average",
                            Period=60, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName="prod-api-cpu-high", StateValue="ALARM", StateReason="Threshold Crossed: CPU 93%")


def mutate():
    ecs, logs, cw = client("ecs"), client("logs"), client("cloudwatch")
    ecs.update_service(cluster="prod", service="api", desiredCount=7)
    logs.put_log_events(logGroupName="/ecs/prod/api", logStreamName="s1",
                        logEvents=[{"timestamp": now_ms(), "message": "ERROR after-mutation marker"}])
    cw.set_alarm_state(AlarmName="prod-api-cpu-high", StateValue="OK", StateReason="back to normal")
    cw.put_metric_data(Namespace="AWS/ECS", MetricData=[{"MetricName": "CPUUtilization", "Dimensions": [
        {"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "api"}], "Timestamp": time.time(), "Value": 97.5}])


def queues():
    """orders with a dead-letter queue: 3 messages sent, 1 received (in flight), and 2
    dead letters."""
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    q = sqs.create_queue(QueueName="orders", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
        "VisibilityTimeout": "600",
    })["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=q, MessageBody=f"order {i}")
    sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=1)
    for i in range(2):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"failed order {i}")
    sqs.create_queue(QueueName="audit")


def big(services, clusters, functions, queues):
    """A large fleet: SERVICES ECS services spread over CLUSTERS clusters (steady: running =
    desired), FUNCTIONS Lambda functions and QUEUES SQS queues, named big-*."""
    ecs, lam, iam, sqs = client("ecs"), client("lambda"), client("iam"), client("sqs")
    container = [{"name": "app", "image": "nginx", "memory": 256}]
    ecs.register_task_definition(family="big", containerDefinitions=container)
    for c in range(clusters):
        ecs.create_cluster(clusterName=f"big-{c}")
    # Steady: 2 tasks running of 2, the rollout completed (the fake's switch for moto).
    control("/__fake/ecs-running", {"count": 2})
    try:
        for i in range(services):
            ecs.create_service(cluster=f"big-{i % clusters}", serviceName=f"big-svc-{i:04}",
                               taskDefinition="big:1", desiredCount=2)
    finally:
        control("/__fake/ecs-running", {"count": 0})
    try:
        role = iam.create_role(RoleName="opsdeck-big", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="opsdeck-big")["Role"]["Arn"]
    code = zip_code()
    for i in range(functions):
        lam.create_function(FunctionName=f"big-fn-{i:03}", Runtime="python3.12", Role=role,
                            Handler="index.handler", Code={"ZipFile": code})
    for i in range(queues):
        sqs.create_queue(QueueName=f"big-q-{i:03}")


def kinds():
    """The other kinds: an RDS instance with a read replica and an Aurora cluster of two, a
    DynamoDB table with a backup, a target group of three targets behind an ALB, a state
    machine with two executions, a Redis replication group. Prints the ARNs tests need."""
    rds, ddb, ec2, elb = client("rds"), client("dynamodb"), client("ec2"), client("elbv2")
    sfn, ec, iam = client("stepfunctions"), client("elasticache"), client("iam")
    rds.create_db_instance(DBInstanceIdentifier="orders-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="not-a-real-secret", AllocatedStorage=20, MultiAZ=True)
    rds.create_db_instance_read_replica(DBInstanceIdentifier="orders-db-ro", SourceDBInstanceIdentifier="orders-db")
    rds.create_db_cluster(DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="not-a-real-secret")
    for i in (1, 2):
        rds.create_db_instance(DBInstanceIdentifier=f"ledger-{i}", DBClusterIdentifier="ledger",
                               Engine="aurora-postgresql", DBInstanceClass="db.r5.large")
    ddb.create_table(TableName="carts", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.create_backup(TableName="carts", BackupName="nightly")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    lb = elb.create_load_balancer(Name="prod-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="api-tg", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in ("i-0a1", "i-0b2", "i-0c3")])
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    role = iam.create_role(RoleName="opsdeck-test-sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sm = sfn.create_state_machine(name="settle", roleArn=role,
                                  definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    runs = [sfn.start_execution(stateMachineArn=sm, name=f"run-{i}")["executionArn"] for i in (1, 2)]
    ec.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="sessions",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                AutomaticFailoverEnabled=True)
    # An API Gateway stage is seen through CloudWatch only: traffic, and 5XX errors enough to
    # be critical (10 or more a period).
    cw = client("cloudwatch")
    dims = [{"Name": "ApiName", "Value": "orders-api"}, {"Name": "Stage", "Value": "prod"}]
    base = time.time() - 5 * 60
    for name, v in (("Count", 120.0), ("5XXError", 14.0), ("4XXError", 2.0), ("Latency", 180.0)):
        cw.put_metric_data(Namespace="AWS/ApiGateway", MetricData=[
            {"MetricName": name, "Dimensions": dims, "Timestamp": base + i * 60, "Value": v} for i in range(5)])
    print(json.dumps({"target_group": tg, "load_balancer": lb, "state_machine": sm, "executions": runs}))


def more_logs(n, first=0):
    logs = client("logs")
    t = now_ms()
    logs.put_log_events(logGroupName="/ecs/prod/api", logStreamName="s1",
                        logEvents=[{"timestamp": t + i, "message": f"follow line {first + i}"} for i in range(n)])


def bad_event(group):
    """An event the SDK cannot decode (a lone UTF-16 surrogate, which moto serves as
    `\\ud800`), between two good ones a millisecond apart."""
    logs = client("logs")
    t = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": t, "message": "before the bad event"},
        {"timestamp": t + 1, "message": "bad \ud800 event"},
        {"timestamp": t + 2, "message": "after the bad event"},
    ])


def put_logs(group, stream, lines):
    logs = client("logs")
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    t = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t + i, "message": m} for i, m in enumerate(lines)])


def desired(cluster, service):
    s = client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]
    print(s["desiredCount"])


def state():
    """A digest of everything a runbook step could change: services, functions, log groups,
    alarms. Two equal digests mean nothing changed."""
    ecs, lam, logs, cw = client("ecs"), client("lambda"), client("logs"), client("cloudwatch")
    out = {"services": [], "functions": [], "groups": [], "alarms": []}
    for c in sorted(ecs.list_clusters()["clusterArns"]):
        arns = ecs.list_services(cluster=c)["serviceArns"]
        if arns:
            for s in ecs.describe_services(cluster=c, services=arns)["services"]:
                out["services"].append([c.split("/")[-1], s["serviceName"], s["status"], s["desiredCount"], s["taskDefinition"]])
    for f in lam.list_functions()["Functions"]:
        name = f["FunctionName"]
        conc = lam.get_function(FunctionName=name).get("Concurrency", {}).get("ReservedConcurrentExecutions")
        aliases = sorted((a["Name"], a["FunctionVersion"]) for a in lam.list_aliases(FunctionName=name)["Aliases"])
        out["functions"].append([name, f["MemorySize"], conc, aliases])
    out["groups"] = sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"])
    out["alarms"] = sorted((a["AlarmName"], a["StateValue"], a.get("ActionsEnabled")) for a in cw.describe_alarms()["MetricAlarms"])
    out["services"].sort()
    out["functions"].sort()
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    cmd = sys.argv[2]
    if cmd == "desired":
        desired(sys.argv[3], sys.argv[4])
    elif cmd == "logs":
        more_logs(int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif cmd == "queues":
        queues()
    elif cmd == "kinds":
        kinds()
    elif cmd == "big":
        big(*(int(x) for x in sys.argv[3:7]))
    elif cmd == "put-logs":
        put_logs(sys.argv[3], sys.argv[4], sys.argv[5:])
    elif cmd == "bad-event":
        bad_event(sys.argv[3])
    else:
        {"build": build, "mutate": mutate, "state": state}[cmd]()

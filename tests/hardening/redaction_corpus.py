"""The redaction corpus: credentials embedded where the tools meet them, and ordinary ids that must survive.

``POSITIVE`` cases are ``(name, text, secrets)``: every string in ``secrets`` must be gone after ``redact`` (and
after ``fence``). ``NEGATIVE`` cases are ``(name, text)``: ``redact`` must return the text unchanged. All values
are made up for the tests (AWS's documented example keys, random-looking strings typed here); none is real.
Used by ``tests/hardening/test_redaction_corpus.py`` and ``bench/redaction.py``.
"""

from __future__ import annotations

# AWS's documented example credentials and made-up look-alikes.
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
TEMP_KEY_ID = "ASIAY34FZKBOKMUTVV7A"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SECRET2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
SESSION = ("IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQD6mZ3nExampleExampleExampleExampleAiBv9yjExample"
           "ExampleExample0123456789abcdefKvQDCI7//////////ARAAGgw")
OLD_SESSION = "FwoGZXIvYXdzEBQaDExampleTokenExampleTokenExampleTokenExampleToken0123456789Ab"
JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzk5OTk5OTk5fQ."
       "TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ")
BEARER = "4nT9qLw2ZxR8vKp3sYd7Hc1M"
GITHUB = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s9"
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"
SLACK_BOT = "xoxb-2048204820-4096409640-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_HOOK = "https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1"
STRIPE = "sk_live_51HqExampleKeyForTests00000abcdEFGH"
STRIPE_RK = "rk_live_51HqExampleRestricted0000abcdEFGH"
GOOGLE = "AIzaSyA-1234567890abcdefghijklmnopqrstu"
PW = "Tr0ub4dor&3xyz"

POSITIVE: list[tuple[str, str, list[str]]] = [
    # --- AWS access key ids --------------------------------------------------------------------------
    ("key id in app log", f"2026-11-20 09:41:02 WARN S3Client using credentials {KEY_ID} from env", [KEY_ID]),
    ("temp key id in SDK debug", f"DEBUG botocore.credentials Found credentials in environment variables: {TEMP_KEY_ID}", [TEMP_KEY_ID]),
    ("key id in presigned URL", f"GET /bucket/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={KEY_ID}%2F20261120%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7 HTTP/1.1",
     [KEY_ID, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"]),
    ("key id in CloudTrail params", '{"userName": "ci-bot", "accessKeyId": "' + KEY_ID + '", "status": "Inactive"}', [KEY_ID]),
    ("key id in finding text", f"Credentials for {TEMP_KEY_ID} were used from a Tor exit node 198.51.100.23", [TEMP_KEY_ID]),
    # --- secret access keys ------------------------------------------------------------------------------
    ("secret in env export", f"export AWS_SECRET_ACCESS_KEY={SECRET}", [SECRET]),
    ("secret in JSON", '{"AccessKeyId": "' + KEY_ID + '", "SecretAccessKey": "' + SECRET2 + '"}', [KEY_ID, SECRET2]),
    ("secret in YAML", f"aws:\n  access_key_id: {KEY_ID}\n  secret_access_key: {SECRET}\n", [KEY_ID, SECRET]),
    ("secret in ini", f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}", [KEY_ID, SECRET]),
    ("secret as CLI flag", f"aws configure set aws_secret_access_key {SECRET} --profile ci", [SECRET]),
    ("secret as --flag=", f"deploy.sh --secret-key={SECRET2} --region us-east-1", [SECRET2]),
    ("bare secret in text", f"creds {KEY_ID} {SECRET} leaked in build log", [KEY_ID, SECRET]),
    ("secret in docker env", f'docker run -e AWS_SECRET_ACCESS_KEY="{SECRET}" app:1.4', [SECRET]),
    # --- STS session tokens ---------------------------------------------------------------------------------
    ("session token env", f"AWS_SESSION_TOKEN={SESSION}", [SESSION]),
    ("session token JSON", '{"Credentials": {"SessionToken": "' + SESSION + '", "Expiration": "2026-11-20T10:00:00Z"}}', [SESSION]),
    ("session token header", f"x-amz-security-token: {OLD_SESSION}", [OLD_SESSION]),
    ("session token in URL", f"GET /o?X-Amz-Security-Token={SESSION[:90]}&X-Amz-Date=20261120T094100Z", [SESSION[:90]]),
    ("bare session token", f"retrying with token {OLD_SESSION} after expiry", [OLD_SESSION]),
    # --- bearer / JWT ------------------------------------------------------------------------------------
    ("bearer header", f"Authorization: Bearer {BEARER}", [BEARER]),
    ("bearer lower case", f"headers={{'authorization': 'bearer {BEARER}'}}", [BEARER]),
    ("JWT in log", f"INFO auth ok user=42 token={JWT}", [JWT.split(".")[1], JWT.split(".")[2]]),
    ("JWT bare in URL", f"GET /callback?id_token={JWT}&state=xyz HTTP/1.1", [JWT.split(".")[1]]),
    ("JWT in cookie", f"Cookie: session={JWT}; theme=dark", [JWT.split(".")[1]]),
    ("JWT bearer", f"Authorization: Bearer {JWT}", [JWT.split(".")[1], JWT.split(".")[2]]),
    ("basic auth header", "Authorization: Basic YWRtaW46c3VwZXJzZWNyZXQxMjM=", ["YWRtaW46c3VwZXJzZWNyZXQxMjM="]),
    # --- basic auth in URLs -----------------------------------------------------------------------------------
    ("http basic auth", f"proxy to http://svc:{PW}@internal.example.com:8080/api", [PW]),
    ("https basic auth", "fetching https://deploy:gh0stR1der-42@git.example.com/shop.git", ["gh0stR1der-42"]),
    ("postgres URL", "DATABASE_URL=postgres://orders:Sup3rS3cretPg@orders-db.cluster-c1.us-east-1.rds.amazonaws.com:5432/orders", ["Sup3rS3cretPg"]),
    ("postgresql jdbc", "jdbc:postgresql://app:pgPa55word@db.internal:5432/shop", ["pgPa55word"]),
    ("mysql URL", "mysql://root:My5qlR00tPw@10.0.3.14:3306/catalog", ["My5qlR00tPw"]),
    ("mongodb srv", "mongodb+srv://catalog:M0ng0Pass-x1@cluster0.abcde.mongodb.net/db?retryWrites=true", ["M0ng0Pass-x1"]),
    ("redis URL", "Connecting to redis://default:R3disAuthT0k@cache.abc123.ng.0001.use1.cache.amazonaws.com:6379", ["R3disAuthT0k"]),
    ("rediss empty user", "rediss://:Xk9LmQ2pRt7@cache.internal:6380/0", ["Xk9LmQ2pRt7"]),
    ("amqp URL", "amqp://guest:RabbitPw99@mq.internal:5672/%2F", ["RabbitPw99"]),
    ("password with @ in URL", "postgres://app:p@ss@w0rd@db.internal:5432/x", ["p@ss@w0rd", "ss@w0rd"]),
    # --- query strings, forms, JSON, headers -------------------------------------------------------------------
    ("password in query", "GET /login?user=bob&password=hunter2x&next=/ HTTP/1.1", ["hunter2x"]),
    ("token in query", "GET /api/export?token=9a8b7c6d5e4f3a2b1c0d&fmt=csv HTTP/2.0", ["9a8b7c6d5e4f3a2b1c0d"]),
    ("api_key in query", "https://api.example.com/v1/rates?api_key=Zk29dLq81mXa&base=EUR", ["Zk29dLq81mXa"]),
    ("apikey in query", "GET /geo?apikey=c3f1e0d9b8a7&q=berlin", ["c3f1e0d9b8a7"]),
    ("access_token in query", "GET /me?access_token=EAAGm0PX4ZCpsBAKZC&fields=id", ["EAAGm0PX4ZCpsBAKZC"]),
    ("client_secret in form", "POST /oauth/token body=grant_type=client_credentials&client_id=shop&client_secret=Q2x1ZW50U2VjcmV0", ["Q2x1ZW50U2VjcmV0"]),
    ("password in form", "form: username=alice&password=Sp4rkle!Pony&remember=1", ["Sp4rkle!Pony"]),
    ("password in JSON", '{"user": "alice", "password": "Winter2026!x"}', ["Winter2026!x"]),
    ("password with spaces JSON", '{"password": "correct horse battery staple"}', ["correct horse battery staple", "horse battery"]),
    ("password with escaped quote JSON", '{"password": "Qu0te\\"d pass phrase", "user": "bob"}', ["Qu0te", "d pass phrase"]),
    ("db_password JSON", '{"db_password": "Pgs3cr3t-77", "db_host": "db.internal"}', ["Pgs3cr3t-77"]),
    ("apiKey JSON camel", '{"apiKey": "k-3f9a1b2c3d4e5f", "region": "eu"}', ["k-3f9a1b2c3d4e5f"]),
    ("x-api-key header", "x-api-key: 8f14e45fceea167a5a36dedd4bea2543", ["8f14e45fceea167a5a36dedd4bea2543"]),
    ("X-Api-Key JSON header", '{"headers": {"X-Api-Key": "Zt9fKq2LmN4p"}}', ["Zt9fKq2LmN4p"]),
    ("Authorization JSON header", '{"Authorization": "Token 7dd9c1e8a2b44f0b9e5d"}', ["7dd9c1e8a2b44f0b9e5d"]),
    ("password colon log", "ERROR login failed password: Hunter22 for user bob", ["Hunter22"]),
    ("pwd in connection string", "Server=db.internal;Database=shop;User Id=app;Pwd=Cs7Pass!99;", ["Cs7Pass!99"]),
    ("Password= ADO string", "Data Source=sql01;User ID=sa;Password=AdoPw-2026;", ["AdoPw-2026"]),
    ("secret in user agent", f"Mozilla/5.0 (compatible; scanner) token={BEARER}", [BEARER]),
    ("CloudTrail masterUserPassword", '{"dBInstanceIdentifier": "orders", "masterUserPassword": "RdsMast3rPw"}', ["RdsMast3rPw"]),
    ("CloudTrail secretString", '{"secretId": "prod/db", "secretString": "{\\"password\\":\\"InnerPw-5\\"}"}', ["InnerPw-5"]),
    # --- private keys -----------------------------------------------------------------------------------------
    ("RSA key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Zk8example\nQ2Vyd0base64body\n-----END RSA PRIVATE KEY-----", ["MIIEowIBAAKCAQEA0Zk8example", "Q2Vyd0base64body"]),
    ("EC key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIExampleECkeyBody0123\n-----END EC PRIVATE KEY-----", ["MHcCAQEEIExampleECkeyBody0123"]),
    ("OPENSSH key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----", ["b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"]),
    ("PKCS8 key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"]),
    ("encrypted PKCS8", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkq\n-----END ENCRYPTED PRIVATE KEY-----", ["MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkq"]),
    ("key cut off", "config dump: -----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEAcutOffKeyBody", ["MIIEpAIBAAKCAQEAcutOffKeyBody"]),
    ("key in JSON escaped newlines", '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANjsonEscaped\\n-----END PRIVATE KEY-----\\n"}', ["MIIEvgIBADANjsonEscaped"]),
    # --- vendor tokens --------------------------------------------------------------------------------------------
    ("GitHub classic", f"git clone https://{GITHUB}@github.com/acme/shop.git", [GITHUB]),
    ("GitHub fine-grained", f"GITHUB_TOKEN={GITHUB_PAT}", [GITHUB_PAT]),
    ("GitHub app token", "using ghs_16C7e42F292c6912E7710c838347Ae178B4a for checkout", ["ghs_16C7e42F292c6912E7710c838347Ae178B4a"]),
    ("Slack bot token", f"slack client init {SLACK_BOT}", [SLACK_BOT]),
    ("Slack webhook", f"posting alert to {SLACK_HOOK}", ["Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1"]),
    ("Stripe live key", f"stripe.api_key set ({STRIPE})", [STRIPE]),
    ("Stripe restricted key", f"charge failed with key {STRIPE_RK}", [STRIPE_RK]),
    ("Google API key", f"maps request key={GOOGLE}", [GOOGLE]),
    ("Google API key bare", f"geocoder using {GOOGLE} quota exceeded", [GOOGLE]),
]

NEGATIVE: list[tuple[str, str]] = [
    # --- request and trace ids -------------------------------------------------------------------------
    ("UUID request id", "requestId: 4f1c8f1e-8b6a-4c84-9d1e-2b7f1c3a9e10"),
    ("Lambda REPORT line", "REPORT RequestId: 8f5c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b Duration: 102.34 ms Billed Duration: 103 ms"),
    ("Lambda START line", "START RequestId: c0ffee00-1234-4abc-9def-0123456789ab Version: $LATEST"),
    ("API Gateway request id", "(a1b2c3d4-e5f6-4789-abcd-ef0123456789) Method request body before transformations"),
    ("S3 request id", "x-amz-request-id: 4442587FB7D0A2F9 x-amz-id-2: vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo="),
    ("X-Ray trace id", "trace 1-5f84c7a1-6b8e0f4c3d2a1b0c9d8e7f6a"),
    ("X-Ray header", "X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"),
    ("ALB Root= id", '"Root=1-58337262-36d228ad5d99923122bbe354" "shop.example.com"'),
    ("CloudTrail event id", '{"eventID": "3038ebd2-c98a-4c65-9b6e-e22506292313", "eventType": "AwsApiCall"}'),
    ("CloudTrail shared event id", "sharedEventID 9d4b1c2e-1111-4f5e-8a7b-6c5d4e3f2a1b"),
    ("Lambda request id JSON", '{"requestId": "0b3f5a6c-7d8e-4f90-a1b2-c3d4e5f60718", "level": "ERROR"}'),
    ("Athena query id", "query 9f0e8d7c-6b5a-4321-8fed-cba987654321 SUCCEEDED"),
    # --- ARNs -----------------------------------------------------------------------------------------------
    ("IAM role ARN", "arn:aws:iam::123456789012:role/service-role/checkout-task-role"),
    ("assumed role ARN", "arn:aws:sts::123456789012:assumed-role/deployer/ci-session-1700000000"),
    ("target group ARN", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-tg/73e2d6bc24d8a067"),
    ("ALB ARN", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188"),
    ("Lambda ARN", "arn:aws:lambda:us-east-1:123456789012:function:shop-cart:42"),
    ("DynamoDB ARN", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-11-20T09:00:00.000"),
    ("S3 object ARN", "arn:aws:s3:::shop-assets-prod/img/products/4411.png"),
    ("SQS ARN", "arn:aws:sqs:us-east-1:123456789012:orders-dlq"),
    ("SNS ARN", "arn:aws:sns:us-east-1:123456789012:alerts:0d9f8e7c-6b5a-4d3c-2b1a-0f9e8d7c6b5a"),
    ("ECS task ARN", "arn:aws:ecs:us-east-1:123456789012:task/shop/0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
    ("ECS task definition ARN", "arn:aws:ecs:us-east-1:123456789012:task-definition/pricing:113"),
    ("RDS cluster ARN", "arn:aws:rds:us-east-1:123456789012:cluster:orders-db"),
    ("KMS key ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("Secrets Manager ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf"),
    ("ACM certificate ARN", "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"),
    ("Step Functions ARN", "arn:aws:states:us-east-1:123456789012:execution:checkout-flow:7c1f3b2a-0e9d-4c8b-a7f6-e5d4c3b2a190"),
    ("GuardDuty finding ARN", "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/8cc1a5f6c4d0e2b7d9f3a1e5c7b9d0f2"),
    ("Security Hub finding id", "arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/5e2f6a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
    ("CloudWatch alarm ARN", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx-high"),
    ("log group ARN", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-cart:*"),
    ("EventBridge rule ARN", "arn:aws:events:us-east-1:123456789012:rule/nightly-reindex"),
    # --- resource ids ---------------------------------------------------------------------------------------------
    ("VPC endpoint etc", "vpce-0a1b2c3d4e5f67890 rtb-0c4f2a1e9b8d7c6a5 sg-0123456789abcdef0"),
    ("subnet and instance", "subnet-0bb1c79de3EXAMPLE i-0abcd1234efgh5678 eni-0e1f2a3b4c5d6e7f8"),
    ("AMI and volume", "ami-0c55b159cbfafe1f0 vol-049df61146c4d7901 snap-066877671789bd71b"),
    ("VPC and NAT", "vpc-0a1b2c3d nat-0123456789abcdef0 igw-0c0a1b2c3d4e5f607 tgw-0262a0e521EXAMPLE"),
    ("ECS task id", "task 0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a stopped: Essential container in task exited"),
    ("K8s pod names", "pod checkout-7d9f8b6c5d-x2k9q OOMKilled; pod payments-api-5b6c7d8e9f-4jq7r Running"),
    ("EKS node name", "ip-10-0-12-34.us-east-1.compute.internal NotReady"),
    ("log stream", "ecs/checkout/0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
    ("Lambda log stream", "2026/11/20/[$LATEST]3f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    # --- code and artefacts -------------------------------------------------------------------------------------
    ("git SHA", "deployed commit 9fceb02d0ae598e95dc970b74767f19372d61af8 to prod"),
    ("short SHA", "image shop/checkout:git-9fceb02 rolled out"),
    ("image digest", "pulled 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout@sha256:45b23dee08af5e43a7fea6c4cf9c25ccf269ee113168c19722f87876677c5cb2"),
    ("ETag", 'ETag: "d41d8cd98f00b204e9800998ecf8427e"'),
    ("S3 key", "s3://shop-alb-logs/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_20261120T0940Z_10.0.1.20_5b4kj2y1.log.gz"),
    ("S3 key with base64ish name", "s3://uploads/user/42/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/ab.jpg"),
    ("CloudFront id", "X-Amz-Cf-Id: 8ZR1VJ3dY0p2q3fHk8lN1bW2x3c4v5b6n7m8Q9w0E1r2T3y4U5i6oA=="),
    ("Java stack frame", "at com.example.checkout.OrderRepository.save(OrderRepository.java:142)"),
    ("base64 payload small", "payload eyJvcmRlciI6IDQyfQ== accepted"),
    # --- principal ids and words that look like secrets ---------------------------------------------------------
    ("AROA principal id", "AROAEXAMPLEID:jane.doe@example.com"),
    ("AIDA principal id", "principalId AIDAJQABLZS4A3QDU576Q"),
    ("AROA in JSON", '{"principalId": "AROAY34FZKBOKMUTVV7A:ci-session", "type": "AssumedRole"}'),
    ("account id", "recipientAccountId 123456789012"),
    ("token bucket words", "passed 12 tests; token bucket refilled"),
    ("password policy event", '{"eventName": "UpdateAccountPasswordPolicy", "requestParameters": {"minimumPasswordLength": 14}}'),
    ("token refresh message", "INFO token refresh succeeded in 120ms for user 42"),
    ("passwordless words", "password reset email sent to user 4411"),
    ("secret rotation event", '{"eventName": "RotateSecret", "requestParameters": {"secretId": "prod/db"}}'),
    ("connect timeout", "Connect to dynamodb.us-east-1.amazonaws.com:443 failed: connect timed out"),
    ("user agent", "aws-sdk-java/2.20.43 Linux/5.10.198-187.748.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE"),
    ("browser user agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"),
    ("URL without credentials", "https://shop.example.com:443/api/checkout/ord-12345?step=pay&lang=en"),
    ("URL with user only", "ssh://git@github.com/acme/shop.git"),
    ("email address", "order confirmation sent to jane.doe+shop@example.com"),
    ("IPv6 and port", "upstream [2001:db8::8a2e:370:7334]:8080 reset"),
    ("K8s service DNS", "http://payments.shop.svc.cluster.local:8080/healthz"),
    ("pagination tokens", '{"nextForwardToken": "f/33014816595730403925425745940524256430317509568003309571", "nextToken": "eyJ2IjoxfQ"}'),
    ("idempotency token", '{"eventName": "RunInstances", "requestParameters": {"clientToken": "7b6e1c2a-9f0d-4e3b-8a5c-1d2e3f4a5b6c"}}'),
    ("API Gateway placeholder fields", '{"api_key": "-", "api_key_id": "-", "authorizer_status": "-", "status_code": "200"}'),
    ("masked password", "connecting with password=******** to db.internal"),
    ("basic auth prose", "HTTP 401: basic authentication required for /admin"),
    ("bearer prose", "rejected: bearer credentials missing"),
    ("compass word", "compass: north; bypass=false"),
    ("password length param", '{"minimumPasswordLength": 14, "requireSymbols": true}'),
    ("Secrets Manager name", "GetSecretValue on prod/db-password succeeded"),
    ("CDK logical id", '{"logicalResourceId": "S3LogPipelineLogEventQueuePolicyBDB3A867", "status": "CREATE_COMPLETE"}'),
    ("time with colons", "2026-11-20T09:41:02.123Z 09:41:02 took 00:00:03.250"),
]

"""The Athena table over the trail's S3 bucket: columns, SerDe and partition projection, defined once here so
the stack (CDKTF ``GlueCatalogTable``) creates exactly the table ``athena_backend`` queries.

Partitions are projected (no crawler, no MSCK REPAIR): ``region`` (an enum of the regions to read: the workload
region and us-east-1, where global services such as IAM and STS record their events) and ``day`` (a date
``yyyy/MM/dd`` from ``retention_start`` to NOW), mapped onto CloudTrail's own key layout
``s3://<bucket>/<prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`` (an organization trail:
``AWSLogs/<organization id>/<account>/CloudTrail/...``; pass ``organization_id``).

API for the stack::

    schema.COLUMNS                    # ((name, hive type), ...) data columns, in order
    schema.PARTITION_KEYS             # (("region", "string"), ("day", "string"))
    schema.SERDE, schema.INPUT_FORMAT, schema.OUTPUT_FORMAT, schema.SERDE_PARAMETERS
    schema.storage_location(bucket, prefix, account, organization_id="")
    schema.table_parameters(bucket, prefix, account, regions, retention_start, organization_id="")  # TBLPROPERTIES
    schema.create_table_ddl(database, table, bucket, prefix, account, regions, retention_start,
                            organization_id="")  # the same as DDL
    schema.query_regions(region)      # the region partition values a query reads
"""

from __future__ import annotations

from collections.abc import Sequence

GLOBAL_REGION = "us-east-1"
DAY_FORMAT = "yyyy/MM/dd"  # Java date format of the projection; Python: "%Y/%m/%d"
PY_DAY_FORMAT = "%Y/%m/%d"

_IDENTITY = (
    "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,"
    "username:string,onbehalfof:struct<userid:string,identitystorearn:string>,"
    "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
    "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,"
    "ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>,"
    "sourceidentity:string>>"
)

COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventversion", "string"),
    ("useridentity", _IDENTITY),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("readonly", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("eventcategory", "string"),
    ("sessioncredentialfromconsole", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
)
PARTITION_KEYS: tuple[tuple[str, str], ...] = (("region", "string"), ("day", "string"))

# CloudTrailInputFormat splits the {"Records": [...]} files into events; the JSON SerDe reads each event,
# and the nested objects declared ``string`` (requestparameters, responseelements, ...) keep their JSON text.
SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
SERDE_PARAMETERS: dict[str, str] = {"serialization.format": "1"}
INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


def storage_location(bucket: str, prefix: str, account: str, organization_id: str = "") -> str:
    """The trail's ``.../AWSLogs/[<organization id>/]<account>/CloudTrail/`` location (prefix may be empty)."""
    base = f"s3://{bucket}/" + (prefix.strip("/") + "/" if prefix.strip("/") else "")
    org = f"{organization_id}/" if organization_id else ""
    return f"{base}AWSLogs/{org}{account}/CloudTrail/"


def query_regions(region: str) -> tuple[str, ...]:
    """The ``region`` partitions a query reads: the workload region, plus us-east-1 for global services."""
    return (region,) if region == GLOBAL_REGION else (region, GLOBAL_REGION)


def table_parameters(bucket: str, prefix: str, account: str, regions: Sequence[str], retention_start: str,
                     organization_id: str = "") -> dict[str, str]:
    """TBLPROPERTIES: partition projection on ``region`` (enum) and ``day`` (date, daily, to NOW)."""
    location = storage_location(bucket, prefix, account, organization_id)
    return {
        "classification": "cloudtrail",
        "EXTERNAL": "TRUE",
        "projection.enabled": "true",
        "projection.region.type": "enum",
        "projection.region.values": ",".join(dict.fromkeys([*regions, GLOBAL_REGION])),
        "projection.day.type": "date",
        "projection.day.format": DAY_FORMAT,
        "projection.day.range": f"{retention_start},NOW",
        "projection.day.interval": "1",
        "projection.day.interval.unit": "DAYS",
        "storage.location.template": location + "${region}/${day}",
    }


def create_table_ddl(database: str, table: str, bucket: str, prefix: str, account: str,
                     regions: Sequence[str], retention_start: str, organization_id: str = "") -> str:
    """The same table as Athena DDL (for a manual set-up or a test of the definition)."""
    columns = ",\n  ".join(f"`{name}` {kind}" for name, kind in COLUMNS)
    partitions = ", ".join(f"`{name}` {kind}" for name, kind in PARTITION_KEYS)
    props = ",\n  ".join(f"'{k}'='{v}'" for k, v in table_parameters(bucket, prefix, account, regions, retention_start, organization_id).items())
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{table}` (\n  {columns}\n)\n"
        f"PARTITIONED BY ({partitions})\n"
        f"ROW FORMAT SERDE '{SERDE}'\n"
        f"STORED AS INPUTFORMAT '{INPUT_FORMAT}'\nOUTPUTFORMAT '{OUTPUT_FORMAT}'\n"
        f"LOCATION '{storage_location(bucket, prefix, account, organization_id)}'\n"
        f"TBLPROPERTIES (\n  {props}\n)"
    )

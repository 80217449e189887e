"""Synthesize the ops-agent Terraform JSON: ``python main.py`` -> cdktf.out/stacks/<project>/cdk.tf.json.

Reads ``ops-agent.toml`` (or the file named by ``OPSAGENT_CONFIG_FILE``), validates it and builds the stack;
no AWS credentials are needed. The output is plain Terraform JSON: ``terraform init && terraform apply`` in
the stack folder deploys it without the cdktf CLI. A bad configuration exits 2 with one line on stderr.
"""

from __future__ import annotations

import os
import shutil
import sys


def main() -> int:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from tools.common.config import load_file
    from tools.common.errors import ConfigError

    if shutil.which(os.environ.get("JSII_NODE", "node")) is None:
        print("error: Node.js is needed to synthesize (cdktf runs on the jsii runtime, a node process); install "
              "Node.js 18+ and retry", file=sys.stderr)
        return 2
    path = os.environ.get("OPSAGENT_CONFIG_FILE", "ops-agent.toml")
    outdir = os.environ.get("CDKTF_OUTDIR", "cdktf.out")
    try:
        cfg = load_file(path)
        from infra.stack import synth

        name = synth(cfg, outdir)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. the instruction or model id out of Bedrock's bounds
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"synthesized {outdir}/stacks/{name}/cdk.tf.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

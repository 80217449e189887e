"""Infrastructure as code: the CDK for Terraform stack of the ops agent, in small modules.

Pure modules (no cdktf import, unit-testable without a synth): ``instruction`` (the agent instruction),
``packaging`` (the deterministic Lambda zip), ``tables`` (Glue table definitions), ``policies`` (IAM
documents as data), ``naming`` (scope and resource names). Modules that build resources: ``agent``,
``lambdas``, ``iam``, ``athena``, ``slack``, ``alarms``, assembled by ``stack``; ``provider`` imports
only the provider submodules the stack uses.
"""

"""The local agent runtime: the deployed agent's instruction and catalogue, driven offline, by Converse, or by InvokeAgent."""

"""The elected branch node (issue 8): Raft through pysyncobj, opt-in with a [cluster] configuration section."""

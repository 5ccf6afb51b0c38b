"""An in-process JumpCloud: seeded orgs served with JumpCloud's paths, envelopes and errors."""

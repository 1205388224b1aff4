"""One package per flow; each plugs into the machinery through `pipeline.flows.contract`."""

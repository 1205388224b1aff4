"""Renderers of flow 7's price documents, with the flow contract's signature
`render(source, spec) -> RenderedDocument`: the prior-price evidence of a promotion
version (`evidence.render_evidence`) and a campaign's closeout (`closeout.render_closeout`)."""

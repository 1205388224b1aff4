"""Flow 6, recalls: notices, certifications and bulletins on record; affected SKUs and
orders found; storefront takedowns done, verified and recorded."""

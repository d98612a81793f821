"""Resources and offers: what publishers describe and sell."""

"""The pure core of leaktrace: numpy/OpenCV arrays in, arrays and frozen records out.

No files, database, clock or logging here, and inputs are never mutated.

- ``keys``: per-(asset, recipient) signs from HMAC-SHA256 of the master key.
- ``carrier``: the lapped basis φ_k in normalised image coordinates.
- ``mask``: the perceptual mask m(x) of an original.
- ``embed``: the fingerprinted copy, and the strength that meets a PSNR target.
- ``geometry``: the geometric carrier, a sub-pixel per-recipient displacement of every stroke, and its projection.
- ``align``: register a leak onto its original (homography, mirror, valid region).
- ``photometric``: the tone curve and blur from original to leak.
- ``detect``: the projection y of a leak's residual, and each recipient's score T.
- ``bound``: the false-accusation bound (the only place it lives).
- ``verdict``: every recipient under every credible alignment and statistic, one family-wise bound.
- ``quality``: PSNR and SSIM.
- ``codec``: JPEG/WebP round-trips in memory, RGB-correct (the one place ``cv2.imencode`` meets RGB).
- ``merkle``: the audit log as an RFC 9162 Merkle tree: roots, inclusion and consistency proofs, signed head bytes.
"""

"""Thumbnails drawn with Pillow: a publisher's image read within bounds, cropped to the box a
page shows it in and written as WebP; and the plain placeholder shown when there is none."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

# The formats a thumbnail may come in, recognised by their bytes (never by Content-Type):
# SVG (scripts), TIFF and the rest are refused.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Decompression bombs: a small file that would unpack to a huge picture is refused from its
# header, before any pixel is decoded (Pillow's own limits stay as a second line).
MAX_PIXELS = 40_000_000
WEBP_QUALITY = 72
PLACEHOLDER_COLOUR = (238, 238, 238)  # the DSFR's grey "contrast" background


class ImageRefusedError(Exception):
    """Not an image of an accepted format, or too large once decoded (the reason in English,
    for the logs)."""


def thumbnail(data: bytes, size: tuple[int, int]) -> bytes:
    """``data`` (JPEG, PNG, WebP or GIF, read from its bytes) as a WebP of exactly ``size``:
    scaled to cover the box and cropped around the centre; transparency on white."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                fitted = _fitted(image, size)
    except (
        OSError,  # UnidentifiedImageError among them: not an image of FORMATS
        ValueError,
        SyntaxError,  # some of Pillow's decoders report broken files so
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ImageRefusedError(f"unreadable image ({type(exc).__name__})") from exc
    flat = Image.new("RGB", size, "white")
    flat.paste(fitted, mask=fitted.getchannel("A"))
    return _webp(flat)


def _fitted(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRefusedError(f"{width}x{height} pixels, over {MAX_PIXELS}")
    # JPEG: decode at the smallest scale still larger than twice the box.
    image.draft("RGB", (size[0] * 2, size[1] * 2))
    upright = ImageOps.exif_transpose(image)
    return ImageOps.fit(upright.convert("RGBA"), size, Image.Resampling.LANCZOS)


def placeholder(size: tuple[int, int]) -> bytes:
    """A plain grey WebP of ``size`` (a few dozen bytes), for a thumbnail we cannot show."""
    return _webp(Image.new("RGB", size, PLACEHOLDER_COLOUR))


def _webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()

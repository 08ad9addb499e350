"""Listing photos: checked by content, re-encoded without metadata, thumbnailed.

The order of the checks matters: the byte size first (no reading), then the header alone
(`Image.open` is lazy: format and dimensions, no pixel decoded), then the pixel count, and only
then the full decode. A decompression bomb (a tiny file claiming 100,000 × 100,000 pixels) is thus
refused before any memory is spent on it. Re-encoding from the pixels alone drops EXIF (GPS
position of the phone!), ICC profiles, XMP and text chunks; the EXIF orientation is applied first
so portrait photos stay upright.
"""

import io
import threading
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import Listing, ListingPhoto

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 6
MAX_SIDE = 2048  # stored images are scaled down to fit this box
THUMBNAIL_BOX = (480, 480)

# Pillow refuses (error) above twice this and warns above it; the warning is turned into a
# refusal below. Our own explicit check on the header comes first anyway.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Format recognised in the content → (extension, save options).
FORMATS = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 85}),
}


def _error(message: str) -> ValidationError:
    return ValidationError({"image": [message]})


@dataclass(frozen=True)
class CleanPhoto:
    format: str
    extension: str
    content: bytes
    width: int
    height: int
    thumbnail: bytes


def _open_checked(upload) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_BYTES:
        raise _error(_("La photo dépasse 10 Mo."))
    if size == 0:
        raise _error(_("Le fichier est vide."))
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)  # header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _error(_("L'image est trop grande (40 mégapixels au plus).")) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _error(_("Ce fichier n'est pas une image JPEG, PNG ou WebP.")) from exc
        if image.format not in FORMATS:
            raise _error(_("Ce fichier n'est pas une image JPEG, PNG ou WebP."))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _error(_("L'image est trop grande (40 mégapixels au plus)."))
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _error(_("L'image est trop grande (40 mégapixels au plus).")) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise _error(_("L'image est illisible ou endommagée.")) from exc
    return image


# At most this many photos are decoded at once in a process (a 40-megapixel image costs about a
# second of CPU and 160 MB); the others wait their turn, PHOTO_DECODE_WAIT seconds at most.
_decodes = threading.BoundedSemaphore(settings.PHOTO_DECODE_CONCURRENCY)


def clean_photo(upload) -> CleanPhoto:
    """Check an uploaded file and return its re-encoded bytes and thumbnail, or raise
    ValidationError({"image": [...]}) with a message for the user."""
    if not _decodes.acquire(timeout=settings.PHOTO_DECODE_WAIT):
        raise _error(
            _("Le serveur traite beaucoup de photos en ce moment : réessayez dans une minute.")
        )
    try:
        return _clean_photo(upload)
    finally:
        _decodes.release()


def _clean_photo(upload) -> CleanPhoto:
    image = _open_checked(upload)
    source_format = image.format
    extension, options = FORMATS[source_format]

    image = ImageOps.exif_transpose(image)
    if source_format == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    elif image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Nothing of the original's metadata travels: the writers read EXIF/ICC/text from info.
    image.info = {}

    out = io.BytesIO()
    image.save(out, source_format, **options)

    thumb = image.copy()
    if thumb.mode in ("RGBA", "LA"):
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    thumb.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80, optimize=True)

    return CleanPhoto(
        format=source_format,
        extension=extension,
        content=out.getvalue(),
        width=image.width,
        height=image.height,
        thumbnail=thumb_out.getvalue(),
    )


def store_photo(*, listing: Listing, upload=None, clean: CleanPhoto | None = None) -> ListingPhoto:
    """Add one photo after the listing's others (caller holds the listing's row lock and the
    transaction): an upload, checked here, or a photo already checked (`clean`).

    Files are written before the row; if anything fails, the files written are removed, so
    nothing is half-stored.
    """
    existing = list(listing.photos.values_list("position", flat=True))
    if len(existing) >= MAX_PHOTOS:
        raise _error(_("Une annonce a au plus %(n)d photos.") % {"n": MAX_PHOTOS})
    if clean is None:
        clean = clean_photo(upload)
    stem = uuid.uuid4().hex
    position = max(existing, default=-1) + 1
    photo = ListingPhoto(listing=listing, position=position, width=clean.width, height=clean.height)
    written: list[tuple] = []
    try:
        photo.image.save(f"{stem}.{clean.extension}", ContentFile(clean.content), save=False)
        written.append((photo.image.storage, photo.image.name))
        photo.thumbnail.save(f"{stem}_thumb.jpg", ContentFile(clean.thumbnail), save=False)
        written.append((photo.thumbnail.storage, photo.thumbnail.name))
        with transaction.atomic():
            photo.save()
    except BaseException:
        delete_files(written)
        raise
    return photo


def delete_files(files: list[tuple]) -> None:
    """Remove (storage, name) pairs, now."""
    for storage, name in files:
        storage.delete(name)


def files_of(photo: ListingPhoto) -> list[tuple]:
    return [(f.storage, f.name) for f in (photo.image, photo.thumbnail) if f and f.name]


def arrange(listing: Listing, order: list[int]) -> list[ListingPhoto]:
    """Give the listing's photos the positions 0, 1, 2... in `order` (every photo id of the
    listing once; the caller checked it) and return them in that order."""
    photos = {photo.pk: photo for photo in listing.photos.all()}
    arranged = [photos[pk] for pk in order]
    for position, photo in enumerate(arranged):
        if photo.position != position:
            photo.position = position
            photo.save(update_fields=["position"])
    return arranged


def delete_files_on_commit(photo: ListingPhoto) -> None:
    """Remove a deleted photo's files once the deletion is committed."""
    files = files_of(photo)
    transaction.on_commit(lambda: delete_files(files))

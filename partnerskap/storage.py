"""Static files for production: WhiteNoise's CompressedManifestStaticFilesStorage (hashed names,
.br and .gz beside each file), made incremental. Brotli at its best quality takes ~10 s of CPU for
the ~6 MB of static files (Swagger UI and ReDoc are most of it), and collectstatic re-saves every
CSS and JS file, so WhiteNoise compresses everything again on each run. Here a .br/.gz that
already decompresses to the file's bytes is kept (checking costs milliseconds), so a restart of
`make serve` after the first costs a second, not ten. A stale or truncated one is remade."""

from __future__ import annotations

import gzip

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

try:
    import brotli
except ImportError:  # brotli is a dependency (pyproject.toml); WhiteNoise works without it
    brotli = None


def _holds(output: str, data: bytes) -> bool:
    """Whether the compressed file `output` decompresses to exactly `data`."""
    try:
        with open(output, "rb") as fh:
            packed = fh.read()
        if output.endswith(".br"):
            return brotli is not None and brotli.decompress(packed) == data
        return gzip.decompress(packed) == data
    except Exception:  # unreadable, truncated, not brotli/gzip at all: make it again
        return False


class IncrementalCompressor(Compressor):
    def compress(self, path):
        with open(path, "rb") as fh:
            data = fh.read()
        wanted = [f"{path}.gz"] if self.use_gzip else []
        if self.use_brotli:
            wanted.insert(0, f"{path}.br")
        if wanted and all(_holds(output, data) for output in wanted):
            return wanted
        return super().compress(path)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return IncrementalCompressor(**kwargs)

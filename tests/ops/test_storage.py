"""Incremental compression of static files (partnerskap/storage.py): what was compressed from
the same bytes is kept; anything else is made again."""

from __future__ import annotations

import gzip

import brotli

from partnerskap.storage import IncrementalCompressor

CSS = b".ds-table { border-collapse: collapse; }\n" * 400


def _compressor(calls: list[str]) -> IncrementalCompressor:
    class Counting(IncrementalCompressor):
        def compress_brotli(self, data):
            calls.append("br")
            return super().compress_brotli(data)

    return Counting(quiet=True)


def test_compressed_files_are_made_once_and_kept(tmp_path):
    source = tmp_path / "portal.0123456789ab.css"
    source.write_bytes(CSS)
    calls: list[str] = []
    compressor = _compressor(calls)

    first = compressor.compress(str(source))
    assert sorted(first) == [f"{source}.br", f"{source}.gz"]
    assert brotli.decompress((tmp_path / f"{source.name}.br").read_bytes()) == CSS
    assert gzip.decompress((tmp_path / f"{source.name}.gz").read_bytes()) == CSS
    assert calls == ["br"]

    # collectstatic re-saves the file with a new mtime: same bytes, nothing to do.
    source.write_bytes(CSS)
    assert sorted(compressor.compress(str(source))) == sorted(first)
    assert calls == ["br"]


def test_a_truncated_or_stale_compressed_file_is_made_again(tmp_path):
    source = tmp_path / "app.js"
    source.write_bytes(CSS)
    calls: list[str] = []
    compressor = _compressor(calls)
    compressor.compress(str(source))

    br = tmp_path / "app.js.br"
    br.write_bytes(br.read_bytes()[:-5])
    compressor.compress(str(source))
    assert calls == ["br", "br"]
    assert brotli.decompress(br.read_bytes()) == CSS

    changed = CSS + b"/* changed */\n"
    source.write_bytes(changed)
    compressor.compress(str(source))
    assert calls == ["br", "br", "br"]
    assert gzip.decompress((tmp_path / "app.js.gz").read_bytes()) == changed

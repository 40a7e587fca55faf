"""Records that read back lazily, and the digests that key pages by what they show.

:class:`Deferred` is for the frozen dataclasses of :mod:`records` that the analysis
cache keeps: a rebuild reads back every record of the corpus but shows the text of
only the articles it renders again, so what it does not show stays one nested
pickle until it is first read. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any, ClassVar

_PICKLED = "_deferred_pickle"


class Deferred:
    """For frozen dataclasses: pickled (the analysis cache, worker results) with the fields
    named in ``_deferred`` as one nested pickle, which is unpickled when one of them is
    first read (and kept, to be pickled again as it is). A rebuild reads back every
    record of the corpus, but shows the text and analysis of only the articles it renders
    again; the deferred fields (paragraphs with their sentences, summaries, quotes,
    mentions, theme cells) are most of what unpickling a record costs (two thirds,
    measured on the bench corpus of 1,000 BBC articles, before mentions and cells were
    deferred too). ``_kept``: cached
    properties computed before pickling, so that reading them does not unpickle the rest;
    ``_dropped``: cached properties derived from deferred fields, recomputed when asked."""

    _deferred: ClassVar[tuple[str, ...]] = ()
    _kept: ClassVar[tuple[str, ...]] = ()
    _dropped: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A dataclass keeps a field's default as a class attribute, which Python finds
        # before ever calling __getattr__: a deferred field with a default would read as
        # that default until another deferred field happened to be read first.
        defaulted = [name for name in cls._deferred if name in cls.__dict__]
        if defaulted:
            raise TypeError(f"{cls.__name__}: deferred fields cannot have defaults: {', '.join(defaulted)}")

    def __reduce_ex__(self, protocol: int) -> tuple[object, tuple[type, dict[str, object], object]]:
        skip = {*self._deferred, *self._dropped, _PICKLED}
        state = {k: v for k, v in self.__dict__.items() if k not in skip}
        for name in self._kept:
            state[name] = getattr(self, name)
        blob = self.__dict__.get(_PICKLED)
        if blob is None:
            blob = pickle.dumps(tuple(getattr(self, n) for n in self._deferred), protocol=pickle.HIGHEST_PROTOCOL)
        return _undefer, (type(self), state, bulk(blob, protocol))

    def __getattr__(self, name: str) -> object:
        # Only reached when ``name`` is not in the instance: a deferred field not unpickled yet.
        fields = self.__dict__
        if name in self._deferred and _PICKLED in fields:
            # The nested pickle stays: pickling the record again (the cache saves it with its
            # shard) then copies it instead of pickling what it holds anew.
            fields.update(zip(self._deferred, pickle.loads(fields[_PICKLED])))
            return fields[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def bulk(data: bytes | memoryview, protocol: int) -> object:
    """``data``, bytes a record holds in bulk (a nested pickle, a part of the exports), as its
    ``__reduce_ex__`` gives it to pickle at ``protocol``: out of band at protocol 5, so that
    a shelf's shard keeps it as it is and reads it back as a view of the shard file, never
    copied (see :func:`buildstate.load_shard`); as bytes below (a process pool pickles at 4)."""
    return pickle.PickleBuffer(data) if protocol >= 5 else bytes(data)


def digest(text: str) -> str:
    """A short digest of ``text`` for keying pages by what they show (128 bits)."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _undefer(cls: type, state: dict[str, object], blob: bytes | memoryview) -> object:
    record = object.__new__(cls)
    record.__dict__.update(state)
    record.__dict__[_PICKLED] = blob
    return record

"""Setting a token attribute of a whole doc through its arrays, not one `Token` at a time (a
`Token` object made for each word cost more than the work the components do with it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import numpy as np
from spacy.tokens import Doc

if TYPE_CHECKING:
    from thinc.types import Ints2d


def set_hashes(doc: Doc, attr: int, hashes: Iterable[int]) -> None:
    """Set `attr` (LEMMA, NORM, …) of each token to the string of that hash (already in the
    doc's string store), in token order."""
    values = np.fromiter(hashes, np.uint64, len(doc)).reshape(-1, 1)
    doc.from_array([attr], cast("Ints2d", values))

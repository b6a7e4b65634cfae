"""Writes the .npy fixtures of NpyReaderTest with NumPy, so the reader is checked against files
that NumPy itself produced. Run from this directory: python3 make_fixtures.py (NumPy 2.4.6 made
the committed files)."""

import numpy as np

# Flat C-order element i is (i - 7.25) / 3, computed in float64; the tests rebuild it in Java.
values = ((np.arange(24, dtype=np.float64) - 7.25) / 3).reshape(2, 3, 4)


def save(name, array, version=None):
    with open(name, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


save("f4-le.npy", values.astype("<f4"))
save("f4-be.npy", values.astype(">f4"))
save("f8-le.npy", values.astype("<f8"))
save("f8-be.npy", values.astype(">f8"))
save("f4-le-fortran.npy", np.asfortranarray(values.astype("<f4")))
save("f8-be-fortran.npy", np.asfortranarray(values.astype(">f8")))
save("f4-le-v2.npy", values.astype("<f4"), version=(2, 0))
save("f4-le-v3.npy", values.astype("<f4"), version=(3, 0))
save("f4-scalar.npy", np.array(1.5, dtype="<f4"))
save("f4-vector.npy", values.reshape(24)[:5].astype("<f4"))
save("i4.npy", np.arange(6, dtype="<i4"))
save("f2.npy", np.arange(6, dtype="<f2"))
save("structured.npy", np.zeros(3, dtype=[("x", "<f4"), ("y", "<f4")]))

"""What the bench's torch scripts report about the runtime they ran in (imported by torch_model.py,
torch_kernels.py, torch_grpo.py).

``runtime_info()`` returns::

    {"torch": version, "threads": torch.get_num_threads(), "blas": BLAS_INFO,
     "blasLibrary": the BLAS shared object mapped into this process (from /proc/self/maps) or None,
     "blasThreads": openblas_get_num_threads() or None, "blasConfig": openblas_get_config() or None}

so a bench run shows which BLAS the LD_LIBRARY_PATH / OPENBLAS_NUM_THREADS settings of bench/lib/torch-settings.ts
really gave torch.
"""
import ctypes
import re

import torch


def _mapped_blas():
    """Real path of the first mapped shared object whose name says BLAS (libopenblas*, libblas*, libblis*)."""
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ''
                name = path.rsplit('/', 1)[-1]
                if re.match(r'lib(open)?blas|libblis', name) and '.so' in name:
                    return path
    except OSError:
        pass
    return None


def runtime_info():
    m = re.search(r'BLAS_INFO=([^,\s]+)', torch.__config__.show())
    lib = _mapped_blas()
    threads = config = None
    if lib is not None:
        try:
            handle = ctypes.CDLL(lib)
            if hasattr(handle, 'openblas_get_num_threads'):
                threads = int(handle.openblas_get_num_threads())
            if hasattr(handle, 'openblas_get_config'):
                handle.openblas_get_config.restype = ctypes.c_char_p
                config = handle.openblas_get_config().decode('utf8', 'replace').strip()
        except OSError:
            pass
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': m.group(1) if m else None,
            'blasLibrary': lib, 'blasThreads': threads, 'blasConfig': config}

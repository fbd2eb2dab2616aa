"""Write the harness's stdin tar for a request dir (request.json first, then base/ head/ candidates/)."""

import os
import sys
import tarfile

src = sys.argv[1]
out = tarfile.open(fileobj=sys.stdout.buffer, mode='w|')
out.add(os.path.join(src, 'request.json'), 'request.json')
for sub in ('base', 'head', 'candidates'):
    root = os.path.join(src, sub)
    if not os.path.isdir(root):
        info = tarfile.TarInfo(sub + '/')
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        out.addfile(info)
        continue
    out.add(root, sub)
out.close()

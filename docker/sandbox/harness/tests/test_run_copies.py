"""Each run gets its own head copy; large data files are shared, so /work (a tmpfs) holds one."""

import os

import tg_evaluate


def test_large_data_files_are_shared_code_and_small_files_are_copied(tmp_path):
    head = tmp_path / "head"
    (head / "pkg").mkdir(parents=True)
    (head / "pkg" / "mod.py").write_text("x = 1\n")
    (head / "pkg" / "small.json").write_text("{}")
    (head / "assets").mkdir()
    (head / "assets" / "blob.bin").write_bytes(b"\0" * tg_evaluate.SHARE_FILES_FROM_BYTES)
    # A generated module can be large too: Python is always copied, never shared.
    (head / "pkg" / "big_table.py").write_text("T = [%s]\n" % ("0," * tg_evaluate.SHARE_FILES_FROM_BYTES))

    runs = tg_evaluate._Runs(str(tmp_path), str(head))
    first, second = runs.new(), runs.new()

    def inode(run_head, rel):
        return os.stat(os.path.join(run_head, rel)).st_ino

    blob = inode(str(head), "assets/blob.bin")
    assert inode(first["head"], "assets/blob.bin") == blob
    assert inode(second["head"], "assets/blob.bin") == blob
    for rel in ("pkg/mod.py", "pkg/small.json", "pkg/big_table.py"):
        assert inode(first["head"], rel) != inode(str(head), rel)
        assert inode(first["head"], rel) != inode(second["head"], rel)

    # Dropping a run removes its links, never the shared original.
    tg_evaluate._Runs.drop(first)
    assert (head / "assets" / "blob.bin").stat().st_size == tg_evaluate.SHARE_FILES_FROM_BYTES

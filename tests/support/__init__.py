"""What the tests share, so that no test module imports from another one.

* builders: real places and their governments, offices and their members, the gazetteer slice;
* clients: logging a test client in by role, Bearer headers, the API caller behind `api`;
* queries: `assert_constant_queries`, the one few-rows-against-many-rows query check;
* files: real documents of each accepted type, built in memory;
* browser: the Chromium harness, loaded as a pytest plugin by tests/conftest.py;
* worlds: the rows the permission sweep (tests/test_permission_sweep.py) reads and writes;
* backup: what "the same registry" means for backup and restore;
* paths: where the project, the tests and their data files are.
"""

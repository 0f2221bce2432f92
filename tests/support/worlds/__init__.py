"""Rows of each app for the permission sweep's world (tests/test_permission_sweep.py), and the
app-specific builders they share with the app's own tests."""

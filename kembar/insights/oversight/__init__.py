"""The oversight roll-up (/oversight/): an oversight body's figures for its whole scope."""

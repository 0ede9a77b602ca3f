"""The B2B2C chain: provision, scale, tear down, status, bench and demo."""

"""The text catalogues, one module per group of features; bot/ui/i18n.py combines them."""

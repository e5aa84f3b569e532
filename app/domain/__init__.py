"""Pure domain rules: standard library only, time passed in, never read inside."""

"""An emulator of the HMS card service, for development and tests. The app talks to it over HTTP only."""

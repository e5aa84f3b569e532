"""An emulator of the HMSREG registrations API and Statens vegvesen's ELRAPP oversiktsliste API."""

"""The PDF/A-3b engine every renderer draws with: page set-up, fonts, formats, scripts."""

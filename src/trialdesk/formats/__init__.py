"""Trialdesk's own date and number formats per language (settings.FORMAT_MODULE_PATH); a language with no
module here takes Django's."""

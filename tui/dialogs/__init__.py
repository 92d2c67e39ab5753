"""Generic dialogs that any screen may use: a form's base and a confirmation."""

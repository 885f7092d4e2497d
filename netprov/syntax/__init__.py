"""How router command lines are written, shared by the planners and the twin: RouterOS
syntax, version differences and menu defaults, IOS type 7, the Jinja filters."""
